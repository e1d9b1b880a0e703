/* Log files for output=file.  open(2) and write(2) on a file may block (a
 * slow or full disk), so both run on the executor: lines are appended to a
 * buffer on the loop, and one write of the whole buffer is in flight at a
 * time while the next lines collect in the other buffer.  The file is
 * opened and rotated on its directory's descriptor (safe-path.h): the job's
 * user may own that directory.  The object owns itself once closed and
 * frees itself after its last write.  Compressing rotated files is work
 * of its own on the pool, with its own descriptor of the directory: a
 * large gzip never holds up the file's writes (nor, being off the loop,
 * anything else). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "executor.h"
#include "log.h"
#include "logfile-rotate.h"
#include "logfile.h"
#include "safe-path.h"
#include "xmalloc.h"

struct logfile_buf {
	char *data;
	size_t len, cap;
};

struct logfile {
	struct executor *executor;
	char *path;
	char *dir_path, *name;		/* path split */
	struct path_owner owner;	/* the job's user */
	int dir;			/* O_PATH, or -1 */
	int fd;
	int error;			/* last errno from the worker */
	char *why;			/* and what it was about */
	char *told;			/* the last warning logged */
	bool in_flight, closing, was_full;
	bool close_now;			/* set before submit; read by the worker */
	struct logfile_buf active, writing;
	void (*drain_cb)(void *);
	void *ctx;
	uint64_t max_size;		/* rotate past this; 0: never */
	unsigned keep;			/* rotated files kept */
	usec_t max_age;			/* rotated files older go; 0 */
	bool compress;
	bool pruned;			/* age checked at the first open */
	int gz_dir;			/* worker: a rotation to compress
					 * after (its dir, dup'd), or -1 */
	const unsigned *gen;		/* bumped by SIGUSR1: reopen */
	unsigned kick_gen, seen_gen;	/* kick_gen is set before submit */
};

static void logfile_kick(struct logfile *);

/* Worker thread: the directory (made if missing), then the file in it. */
static void
logfile_open_file(struct logfile *f)
{
	int fd;

	if (f->dir < 0) {
		f->dir = safe_open_dir(f->dir_path, &f->owner, true, &f->why);
		if (f->dir < 0) {
			f->error = -f->dir;
			return;
		}
	}
	fd = safe_open_file(f->dir, f->dir_path, f->name, &f->owner,
	    O_WRONLY | O_APPEND, 0640, &f->why);
	if (fd < 0)
		f->error = -fd;
	else
		f->fd = fd;
}

/* Worker thread: closes the file and forgets the directory (SIGUSR1:
 * logrotate may have moved either). */
static void
logfile_forget(struct logfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->dir >= 0)
		close(f->dir);
	f->fd = f->dir = -1;
}

/* Worker thread: the rotated files past max_age go, and, with compress,
 * the plain ones are handed to a compression after this write. */
static void
logfile_tidy(struct logfile *f)
{
	if (f->dir < 0 || !f->keep)
		return;
	logrotate_prune(f->dir, f->name, f->keep, f->max_age,
	    now_realtime());
	if (f->compress && f->gz_dir < 0)
		f->gz_dir = fcntl(f->dir, F_DUPFD_CLOEXEC, 0);
}

/* Worker thread: FILE.1 .. FILE.keep, the oldest dropped; names taken in
 * the directory opened before, so no link leads elsewhere. */
static void
logfile_rotate(struct logfile *f)
{
	close(f->fd);
	f->fd = -1;
	logrotate_shift(f->dir, f->name, f->keep);
	logfile_tidy(f);
	logfile_open_file(f);
}

/* Worker thread: open once, then write the whole buffer. */
static void
logfile_work(void *data)
{
	struct logfile *f = data;
	struct stat st;
	size_t off = 0;
	ssize_t n;

	/* SIGUSR1 since the last write: logrotate moved the file. */
	if (f->fd >= 0 && f->kick_gen != f->seen_gen)
		logfile_forget(f);
	f->seen_gen = f->kick_gen;
	if (f->fd < 0 && f->error == 0)
		logfile_open_file(f);
	/* Old files of earlier runs: checked once per run. */
	if (!f->pruned && f->fd >= 0) {
		f->pruned = true;
		logfile_tidy(f);
	}
	while (f->fd >= 0 && off < f->writing.len) {
		n = write(f->fd, f->writing.data + off, f->writing.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			f->error = errno;
			break;
		}
		off += n;
	}
	f->writing.len = 0;
	if (f->max_size && f->fd >= 0 && fstat(f->fd, &st) == 0 &&
	    (uint64_t)st.st_size >= f->max_size)
		logfile_rotate(f);
	if (f->close_now)
		logfile_forget(f);
}

/* A compression: owns its directory descriptor and names, not the
 * logfile, which may be freed before it ends. */
struct logfile_gz {
	int dir;
	char *name, *path;
	unsigned keep;
	uid_t owner;			/* the run's user */
	int r;
	char *why;
};

static void
logfile_gz_work(void *data)
{
	struct logfile_gz *z = data;

	z->r = logrotate_compress(z->dir, z->name, z->keep, z->owner,
	    &z->why);
}

static void
logfile_gz_done(void *data, int status)
{
	struct logfile_gz *z = data;

	(void)status;
	if (z->r < 0)
		log_warning("log file '%s': %s", z->path, z->why);
	close(z->dir);
	free(z->why);
	free(z->name);
	free(z->path);
	free(z);
}

/* Loop: the write asked for a compression; it goes to the pool. */
static void
logfile_gz_submit(struct logfile *f)
{
	struct logfile_gz *z;

	if (f->gz_dir < 0)
		return;
	z = xcalloc(1, sizeof(*z));
	z->dir = TAKE_FD(f->gz_dir);
	z->name = xstrdup(f->name);
	z->path = xstrdup(f->path);
	z->keep = f->keep;
	z->owner = f->owner.uid;
	executor_submit(f->executor, logfile_gz_work, logfile_gz_done, z);
}

static void
logfile_free(struct logfile *f)
{
	logfile_forget(f);
	if (f->gz_dir >= 0)
		close(f->gz_dir);
	free(f->why);
	free(f->told);
	free(f->dir_path);
	free(f->name);
	free(f->active.data);
	free(f->writing.data);
	free(f->path);
	free(f);
}

static void
logfile_done(void *data, int status)
{
	struct logfile *f = data;

	(void)status;
	f->in_flight = false;
	logfile_gz_submit(f);
	if (f->error) {
		if (!f->why)
			f->why = xstrdup(strerror(f->error));
		/* Each write tries the file again: say it once. */
		if (!f->told || strcmp(f->told, f->why))
			log_warning("log file '%s': %s; its lines are kept only "
			    "in the run's tail", f->path, f->why);
		free(f->told);
		f->told = TAKE_PTR(f->why);
		f->error = 0;
	} else if (f->told && f->fd >= 0) {
		log_notice("log file '%s' is written again", f->path);
		f->told = (free(f->told), NULL);
	}
	if (f->active.len > 0) {
		logfile_kick(f);
		return;
	}
	if (f->closing) {
		logfile_free(f);
		return;
	}
	if (f->was_full && f->drain_cb) {
		f->was_full = false;
		f->drain_cb(f->ctx);
	}
}

static void
logfile_kick(struct logfile *f)
{
	struct logfile_buf tmp = f->writing;

	f->writing = f->active;
	f->active = tmp;
	f->active.len = 0;
	/* Once closing no more lines arrive, so this write is the last. */
	f->close_now = f->closing;
	f->kick_gen = f->gen ? *f->gen : 0;
	f->in_flight = true;
	executor_submit(f->executor, logfile_work, logfile_done, f);
}

struct logfile *
logfile_open(struct executor *e, const struct logfile_opts *o,
    void (*drain_cb)(void *), void *ctx)
{
	struct logfile *f = xcalloc(1, sizeof(*f));
	const char *path = o->path;
	char *slash;

	f->max_size = o->max_size;
	f->keep = o->keep;
	f->max_age = o->max_age;
	f->compress = o->compress;
	f->gz_dir = -1;
	f->gen = o->gen;
	f->seen_gen = f->kick_gen = o->gen ? *o->gen : 0;
	f->executor = e;
	f->path = xstrdup(path);
	f->dir_path = xstrdup(path);
	slash = strrchr(f->dir_path, '/');
	f->name = xstrdup(slash ? slash + 1 : path);
	if (slash)
		slash[slash == f->dir_path] = '\0';	/* "/x.log": "/" */
	else
		f->dir_path = (free(f->dir_path), xstrdup("."));
	f->owner = (struct path_owner){ o->uid, o->gid };
	f->fd = f->dir = -1;
	f->drain_cb = drain_cb;
	f->ctx = ctx;
	return f;
}

void
logfile_write(struct logfile *f, const char *data, size_t len)
{
	struct logfile_buf *b = &f->active;

	if (b->len + len + 1 > b->cap) {
		b->cap = MAX(b->cap * 2, b->len + len + 1);
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, data, len);
	b->data[b->len + len] = '\n';
	b->len += len + 1;
	if (logfile_full(f))
		f->was_full = true;
	if (!f->in_flight)
		logfile_kick(f);
}

bool
logfile_full(const struct logfile *f)
{
	return f->active.len >= LOGFILE_HIGH_WATER;
}

void
logfile_close(struct logfile *f)
{
	if (!f)
		return;
	f->closing = true;
	f->drain_cb = NULL;
	if (!f->in_flight) {
		if (f->active.len > 0 || f->fd >= 0)
			logfile_kick(f);
		else
			logfile_free(f);
	}
}
