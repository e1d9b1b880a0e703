/* A run's output tail: the last lines it wrote, bounded in bytes. */
#ifndef JOBD_TAIL_H
#define JOBD_TAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/queue.h>

#include "timeutil.h"

enum tail_stream {
	TAIL_STDOUT,
	TAIL_STDERR,
};

struct tail_line {
	TAILQ_ENTRY(tail_line) entry;
	usec_t usec;
	enum tail_stream stream;
	size_t len;
	char data[];			/* len bytes, not NUL-terminated */
};

TAILQ_HEAD(tail_lines, tail_line);

struct tail {
	struct tail_lines lines;	/* oldest first */
	size_t bytes, max_bytes;
	size_t nlines;
	size_t dropped;			/* lines pushed out by the bound */
};

void tail_init(struct tail *, size_t max_bytes);
/* Keeps a copy of the line, dropping the oldest lines over the bound; a
 * line longer than the bound itself is kept truncated to it. */
const struct tail_line *tail_append(struct tail *, enum tail_stream,
    usec_t usec, const char *data, size_t len);
/* The first of the last n lines (n == 0: all), or NULL when empty. */
const struct tail_line *tail_last(const struct tail *, size_t n);
void tail_done(struct tail *);

#endif
