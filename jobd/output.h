/* A run's stdout and stderr: pipes read through libuv, split into lines,
 * and passed to the sinks (journal, log file, stderr echo, the tail). */
#ifndef JOBD_OUTPUT_H
#define JOBD_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "config.h"

#define OUTPUT_LINE_MAX 8192		/* longer lines are split */

struct executor;
struct logfile;
struct logfile_opts;

/* A pipe read with uv_poll and read() (a uv_poll_t is 104 bytes smaller
 * than a uv_pipe_t: 200 KiB for 1000 services' two pipes). */
struct output_stream {
	uv_poll_t poll;
	int fd;				/* our end, or -1 */
	bool open;			/* initialised and not yet closed */
	bool eof;
	bool cut;			/* the last read ended a full piece */
	size_t partial_len;
	char *partial;			/* OUTPUT_LINE_MAX bytes once used */
};

/* Where a run's output goes, and whom output.c tells of each line and of
 * the end of both pipes (its owner, the run). */
struct output_opts {
	uv_loop_t *loop;
	struct executor *executor;	/* log file writes */
	enum output_mode mode;
	const struct logfile_opts *file;	/* output=file, or NULL */
	bool echo;			/* foreground: lines to stderr too */
	const char *name;		/* the job: journal fields, echo */
	uint64_t run;
	/* A complete line (stream: 0 stdout, 1 stderr; usec: realtime). */
	void (*line_cb)(void *ctx, int stream, usec_t usec, const char *data,
	    size_t len);
	void (*eof_cb)(void *ctx);	/* both pipes reached EOF */
	void *ctx;
};

struct output {
	enum output_mode mode;
	bool echo;			/* foreground: lines to stderr too */
	const char *name;
	uint64_t run;
	void (*line_cb)(void *, int, usec_t, const char *, size_t);
	void (*eof_cb)(void *);
	void *ctx;
	struct output_stream streams[2];
	struct logfile *file;
	char *jfields[3];		/* JOBD_JOB=, JOBD_RUN=, identifier */
	char *msg;			/* "MESSAGE=" + the line */
	size_t msg_cap;
	usec_t now;			/* realtime of the current read, or 0 */
};

/* Prepares the pipes (or inheritance) for the child's fds 0-2: child_fds
 * gets the descriptors the child is given (-1: /dev/null), which the
 * caller closes once the child is spawned.  Returns 0 or -errno. */
int output_init(struct output *, const struct output_opts *,
    int child_fds[3]);
/* Starts reading once the child runs; marks EOF at once for modes that
 * have no pipes. */
void output_start(struct output *);
/* True when every stream reached EOF (or has none). */
bool output_done(const struct output *);
/* The inodes of the pipes still open (0: none), which the run's
 * processes hold the other end of. */
void output_pipe_inodes(const struct output *, ino_t ret[2]);
/* Flushes partial lines and closes the pipes; close_cb gets each handle,
 * whose data is the owner's ctx. */
unsigned output_close(struct output *, uv_close_cb close_cb);

#endif
