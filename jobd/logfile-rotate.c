/* Rotated log files: their shift, their age limit and their compression.
 * Compression is zlib's gzip format, written to a temporary name in the
 * same directory and renamed over FILE.k.gz only once complete and on
 * disk, so a full disk or a crash leaves the plain file, never half a
 * .gz in its place.  The rename step is under a lock on the directory
 * (flock on a descriptor of its own) that rotations take too. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "logfile-rotate.h"
#include "macro.h"
#include "xmalloc.h"

#define GZ_CHUNK (64 * 1024)

static int
dir_lock(int dir)
{
	int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_EX) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
dir_unlock(int fd)
{
	if (fd >= 0)
		close(fd);		/* drops the flock */
}

/* FILE.k, or FILE.k.gz. */
static char *
rotated_name(const char *name, unsigned k, bool gz)
{
	return xstrfmt("%s.%u%s", name, k, gz ? ".gz" : "");
}

static void
rename_both(int dir, const char *name, unsigned from, unsigned to)
{
	int gz;

	for (gz = 0; gz < 2; gz++) {
		_cleanup_free_ char *a = rotated_name(name, from, gz),
		    *b = rotated_name(name, to, gz);

		(void)renameat(dir, a, dir, b);
	}
}

void
logrotate_shift(int dir, const char *name, unsigned keep)
{
	_cleanup_free_ char *first = NULL;
	unsigned k;
	int gz, lock = dir_lock(dir);

	if (keep == 0) {
		(void)unlinkat(dir, name, 0);
		dir_unlock(lock);
		return;
	}
	/* Both forms of the oldest go first: a plain FILE.keep-1 renamed
	 * over FILE.keep would leave an old FILE.keep.gz beside it. */
	for (gz = 0; gz < 2; gz++) {
		_cleanup_free_ char *old = rotated_name(name, keep, gz);

		(void)unlinkat(dir, old, 0);
	}
	for (k = keep; k > 1; k--)
		rename_both(dir, name, k - 1, k);
	first = rotated_name(name, 1, false);
	(void)renameat(dir, name, dir, first);
	dir_unlock(lock);
}

unsigned
logrotate_prune(int dir, const char *name, unsigned keep, usec_t max_age,
    usec_t now)
{
	struct stat st;
	unsigned k, n = 0;
	usec_t mtime;
	int gz;

	if (!max_age || now < max_age)
		return 0;
	for (k = 1; k <= keep; k++) {
		for (gz = 0; gz < 2; gz++) {
			_cleanup_free_ char *f = rotated_name(name, k, gz);

			if (fstatat(dir, f, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISREG(st.st_mode))
				continue;
			mtime = (usec_t)st.st_mtim.tv_sec * USEC_PER_SEC +
			    (usec_t)st.st_mtim.tv_nsec / 1000;
			if (mtime < now - max_age && unlinkat(dir, f, 0) == 0)
				n++;
		}
	}
	return n;
}

/* Copies in to the gzip stream out; 0 or -errno. */
static int
gz_copy(int in, int out)
{
	char *buf = xmalloc(GZ_CHUNK);
	int fd = fcntl(out, F_DUPFD_CLOEXEC, 0), r = 0, err;
	gzFile gz;
	ssize_t n;

	if (fd < 0 || !(gz = gzdopen(fd, "wb6"))) {
		r = fd < 0 ? -errno : -ENOMEM;
		if (fd >= 0)
			close(fd);
		free(buf);
		return r;
	}
	while ((n = read(in, buf, GZ_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || gzwrite(gz, buf, (unsigned)n) != (int)n) {
			r = n < 0 ? -errno : -(errno ? errno : EIO);
			break;
		}
	}
	errno = 0;
	err = gzclose_w(gz);
	if (r == 0 && err != Z_OK)
		r = -(errno ? errno : EIO);
	free(buf);
	return r;
}

/* Puts tmp in place of from.gz if from is still the file compressed
 * (same inode), under the directory's lock. */
static int
gz_commit(int dir, const char *from, const char *tmp, const struct stat *st)
{
	_cleanup_free_ char *to = xstrfmt("%s.gz", from);
	struct stat now;
	int lock = dir_lock(dir), r = 0;

	if (fstatat(dir, from, &now, AT_SYMLINK_NOFOLLOW) < 0 ||
	    now.st_ino != st->st_ino || now.st_dev != st->st_dev) {
		/* Rotated or deleted meanwhile: the next pass. */
		(void)unlinkat(dir, tmp, 0);
	} else if (renameat(dir, tmp, dir, to) < 0) {
		r = -errno;
		(void)unlinkat(dir, tmp, 0);
	} else {
		(void)unlinkat(dir, from, 0);
	}
	dir_unlock(lock);
	return r;
}

/* One file: from (plain) to from.gz.  The directory may be the job's
 * user's: only a regular file of root or owner with one link is read (a
 * hard link to another file is not copied; O_NONBLOCK: a FIFO put there
 * does not hold the thread). */
static int
gz_file(int dir, const char *from, uid_t owner, char **why)
{
	_cleanup_free_ char *tmp = xstrfmt("%s.gz.tmp%ld", from,
	    (long)gettid());
	int in, out = -1, r;
	struct stat st;

	in = openat(dir, from, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (in < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    (st.st_uid != 0 && st.st_uid != owner)) {
		close(in);
		*why = xstrfmt("'%s' is not a regular file of root or the "
		    "run's user with one link: not compressed", from);
		return -EPERM;
	}
	/* The name is this thread's: one left by a crash is stale. */
	(void)unlinkat(dir, tmp, 0);
	out = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, st.st_mode & 07777);
	if (out < 0)
		r = -errno;
	else if ((r = gz_copy(in, out)) == 0) {
		/* The owner, mode and age of the original: max_age and
		 * logrotate-style readers see the same file. */
		if (fchown(out, st.st_uid, st.st_gid) < 0 ||
		    fchmod(out, st.st_mode & 07777) < 0 ||
		    futimens(out, (struct timespec[2]){ st.st_atim,
		    st.st_mtim }) < 0 || fdatasync(out) < 0)
			r = -errno;
	}
	if (out >= 0)
		close(out);
	close(in);
	if (r == 0)
		r = gz_commit(dir, from, tmp, &st);
	else if (out >= 0)
		(void)unlinkat(dir, tmp, 0);
	if (r < 0)
		*why = xstrfmt("cannot compress '%s': %s; it stays "
		    "uncompressed", from, strerror(-r));
	return r;
}

int
logrotate_compress(int dir, const char *name, unsigned keep, uid_t owner,
    char **why)
{
	unsigned k;
	int r, first = 0;

	for (k = 1; k <= keep; k++) {
		_cleanup_free_ char *f = rotated_name(name, k, false),
		    *w = NULL;

		r = gz_file(dir, f, owner, &w);
		if (r < 0 && !first) {
			first = r;
			*why = TAKE_PTR(w);
		}
	}
	return first;
}
