/* Safe opening of log files for a root daemon.  A job's user who owns a
 * directory on the path of its output_file= could plant a symbolic link
 * (app.log -> /etc/shadow, logs -> /root) and have root append to, rename
 * or create files anywhere.  So the path is walked on descriptors, never
 * resolved by name twice: each directory must belong to root or the job's
 * user, a symbolic link is followed only when root made it, and the last
 * directory may be writable only by them. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "macro.h"
#include "safe-path.h"
#include "xmalloc.h"

#define SAFE_PATH_MAX_LINKS 32

static bool
owner_ok(const struct stat *st, const struct path_owner *o)
{
	return st->st_uid == 0 || st->st_uid == o->uid;
}

/* Nobody but root and the owner may add or replace entries. */
static bool
writers_ok(const struct stat *st, const struct path_owner *o)
{
	if (st->st_mode & S_IWOTH)
		return false;
	return !(st->st_mode & S_IWGRP) || st->st_gid == 0 ||
	    st->st_gid == o->gid;
}

static int
refuse(char **why, int err, char *text)
{
	free(*why);
	*why = text;
	return -err;
}

/* The walk's state: the directory reached, the path that names it (for
 * messages), what is left to walk, and the links followed so far. */
struct walk {
	int fd;
	char *done, *todo, *p;
	unsigned links;
};

/* A missing component: made (mode 0750), given to the owner when the
 * directory it is made in is the owner's. */
static int
walk_mkdir(struct walk *w, const char *name, const struct path_owner *o,
    struct stat *st, char **why)
{
	struct stat parent;

	if (mkdirat(w->fd, name, 0750) < 0 && errno != EEXIST)
		return refuse(why, errno, xstrfmt("cannot create directory "
		    "'%s/%s': %s", w->done, name, strerror(errno)));
	if (fstat(w->fd, &parent) == 0 && parent.st_uid == o->uid &&
	    o->uid != 0)
		(void)fchownat(w->fd, name, o->uid, o->gid,
		    AT_SYMLINK_NOFOLLOW);
	if (fstatat(w->fd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return refuse(why, errno, xstrfmt("'%s/%s': %s", w->done,
		    name, strerror(errno)));
	return 0;
}

/* A symbolic link of root's: what it points to replaces it in the path
 * still to walk (from / when absolute). */
static int
walk_link(struct walk *w, const char *name, char **why)
{
	char target[4096], *todo;
	ssize_t n;

	if (++w->links > SAFE_PATH_MAX_LINKS)
		return refuse(why, ELOOP, xstrfmt("'%s/%s': too many "
		    "symbolic links", w->done, name));
	n = readlinkat(w->fd, name, target, sizeof(target) - 1);
	if (n <= 0)
		return refuse(why, n < 0 ? errno : EINVAL, xstrfmt("'%s/%s': "
		    "cannot read the symbolic link", w->done, name));
	target[n] = '\0';
	todo = xstrfmt("%s/%s", target, w->p);
	free(w->todo);
	w->todo = w->p = todo;
	if (target[0] == '/') {
		close(w->fd);
		if ((w->fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			return -errno;
		w->done[0] = '\0';
	}
	return 0;
}

/* One component: a link to follow, or a directory to step into. */
static int
walk_step(struct walk *w, const char *name, const struct path_owner *o,
    bool create, char **why)
{
	struct stat st;
	char *done;
	int fd, r;

	if (fstatat(w->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT || !create)
			return refuse(why, errno, xstrfmt("'%s/%s': %s",
			    w->done, name, strerror(errno)));
		if ((r = walk_mkdir(w, name, o, &st, why)) < 0)
			return r;
	}
	if (S_ISLNK(st.st_mode)) {
		if (st.st_uid != 0)
			return refuse(why, EPERM, xstrfmt("'%s/%s' is a "
			    "symbolic link of uid %u (only root's are "
			    "followed)", w->done, name, (unsigned)st.st_uid));
		return walk_link(w, name, why);
	}
	/* O_NOFOLLOW | O_DIRECTORY: a link put there meanwhile fails. */
	fd = openat(w->fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = errno;
		if (fd >= 0)
			close(fd);
		return refuse(why, r, xstrfmt("'%s/%s': %s", w->done, name,
		    strerror(r)));
	}
	done = xstrfmt("%s/%s", w->done, name);
	free(w->done);
	w->done = done;
	close(w->fd);
	w->fd = fd;
	if (!owner_ok(&st, o))
		return refuse(why, EPERM, xstrfmt("directory '%s' belongs to "
		    "uid %u, neither root nor the job's user", w->done,
		    (unsigned)st.st_uid));
	return 0;
}

int
safe_open_dir(const char *path, const struct path_owner *o, bool create,
    char **why)
{
	bool relative = path[0] != '/';
	struct walk w = { .done = xstrdup(relative ? "." : ""),
	    .todo = xstrdup(path) };
	struct stat st;
	char *name;
	int r = 0;

	/* A relative path (a --state-dir given so) starts where jobd is. */
	if ((w.fd = open(relative ? "." : "/", O_PATH | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		r = -errno;
	for (w.p = w.todo; r == 0 && *w.p; ) {
		w.p += strspn(w.p, "/");
		name = w.p;
		w.p += strcspn(w.p, "/");
		if (*w.p)
			*w.p++ = '\0';
		if (!*name || !strcmp(name, "."))
			continue;
		if (!strcmp(name, ".."))
			r = refuse(why, EINVAL, xstrfmt("'%s': '..' is not "
			    "allowed", path));
		else
			r = walk_step(&w, name, o, create, why);
	}
	if (r == 0 && fstat(w.fd, &st) == 0 && !writers_ok(&st, o))
		r = refuse(why, EPERM, xstrfmt("directory '%s' is writable by "
		    "others than root and the job's user", *w.done ? w.done :
		    "/"));
	free(w.done);
	free(w.todo);
	if (r < 0 && w.fd >= 0)
		close(w.fd);
	return r < 0 ? r : w.fd;
}

/* The file opened: what it is, and who it belongs to. */
static int
file_check(int fd, const char *dir_path, const char *name,
    const struct path_owner *o, char **why)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return refuse(why, errno, xstrfmt("'%s/%s': %s", dir_path,
		    name, strerror(errno)));
	if (!S_ISREG(st.st_mode))
		return refuse(why, EPERM, xstrfmt("'%s/%s' is not a regular "
		    "file", dir_path, name));
	if (st.st_nlink > 1)
		return refuse(why, EPERM, xstrfmt("'%s/%s' has %lu hard links",
		    dir_path, name, (unsigned long)st.st_nlink));
	if (!owner_ok(&st, o))
		return refuse(why, EPERM, xstrfmt("'%s/%s' belongs to uid %u, "
		    "neither root nor the job's user", dir_path, name,
		    (unsigned)st.st_uid));
	return 0;
}

int
safe_open_file(int dir, const char *dir_path, const char *name,
    const struct path_owner *o, int flags, mode_t mode, char **why)
{
	const int always = O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	struct stat dst;
	bool created = true;
	int fd, r;

	fd = openat(dir, name, flags | always | O_CREAT | O_EXCL, mode);
	if (fd < 0 && errno == EEXIST) {
		created = false;
		fd = openat(dir, name, (flags & ~O_CREAT) | always);
	}
	if (fd < 0 && (errno == ELOOP || errno == ENXIO))
		/* ENXIO: a FIFO nobody reads (O_NONBLOCK kept us going). */
		return refuse(why, errno, xstrfmt("'%s/%s' is %s", dir_path,
		    name, errno == ELOOP ? "a symbolic link" :
		    "not a regular file"));
	if (fd < 0)
		return refuse(why, errno, xstrfmt("'%s/%s': %s", dir_path,
		    name, strerror(errno)));
	if ((r = file_check(fd, dir_path, name, o, why)) < 0) {
		close(fd);
		return r;
	}
	if (created && o->uid != 0 && fstat(dir, &dst) == 0 &&
	    dst.st_uid == o->uid)
		(void)fchown(fd, o->uid, o->gid);
	return fd;
}
