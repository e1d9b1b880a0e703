/* output=file: appending a run's lines to a log file through the executor,
 * with a bounded buffer that tells the reader to pause when it is full;
 * rotation past a size, with old rotated files deleted and the rest
 * gzip'd off the writes' way (logfile-rotate.c). */
#ifndef JOBD_LOGFILE_H
#define JOBD_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct executor;
struct logfile;

#define LOGFILE_HIGH_WATER (1024 * 1024)

struct logfile_opts {
	const char *path;
	uint64_t max_size;		/* rotate past this size; 0: never */
	unsigned keep;			/* rotated files kept (FILE.1 ..),
					 * plain or .gz */
	uint64_t max_age;		/* usec: older rotated files go; 0 */
	bool compress;			/* gzip rotated files */
	const unsigned *gen;		/* reopen when it changes (SIGUSR1) */
	uid_t uid;			/* the job's user: besides root, the */
	gid_t gid;			/* only owner its directories may have */
};

/* drain_cb is called on the loop when the buffer went from full to
 * writable again (so a paused reader can resume). */
struct logfile *logfile_open(struct executor *, const struct logfile_opts *,
    void (*drain_cb)(void *), void *ctx);
void logfile_write(struct logfile *, const char *data, size_t len);
bool logfile_full(const struct logfile *);
/* Flushes what is buffered, closes, and frees itself when done; the
 * drain callback is not called again. */
void logfile_close(struct logfile *);

#endif
