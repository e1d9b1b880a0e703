/* A run's output tail: the last lines it wrote, bounded in memory. */
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

/* What a line of len bytes counts against the bound: its bytes and its
 * bookkeeping (40 bytes on 64-bit Linux), which is what it costs in
 * memory.  Counting the bytes alone let a flood of empty lines, each
 * costing nothing, grow the tail without end. */
#define TAIL_LINE_COST(len) (sizeof(struct tail_line) + (len))
/* However small its lines, a tail keeps at most this many: each one is an
 * object in a Logs reply and a journal or ledger line to parse. */
#define TAIL_MAX_LINES 10000

struct tail {
	struct tail_lines lines;	/* oldest first */
	size_t cost, max_cost;		/* TAIL_LINE_COST of every line */
	size_t nlines;
	size_t dropped;			/* lines pushed out by the bound */
};

/* max_cost: the memory the lines may take, tail_size= of the config. */
void tail_init(struct tail *, size_t max_cost);
/* Keeps a copy of the line, dropping the oldest lines over the bound; a
 * line costing more than the bound itself is kept cut to fit it. */
const struct tail_line *tail_append(struct tail *, enum tail_stream,
    usec_t usec, const char *data, size_t len);
/* For a reader going backwards (newest line first): keeps a copy of the
 * line before the others if it fits whole in what is left of the bound;
 * false, keeping nothing, when it does not (the tail is full). */
bool tail_prepend(struct tail *, enum tail_stream, usec_t usec,
    const char *data, size_t len);
/* The first of the last n lines (n == 0: all), or NULL when empty. */
const struct tail_line *tail_last(const struct tail *, size_t n);
/* The first of the last lines, at most max_lines of them and max_bytes
 * together (whole lines: a line over what is left ends them), or NULL
 * when not even the newest fits. */
const struct tail_line *tail_last_fit(const struct tail *, size_t max_lines,
    size_t max_bytes);
void tail_done(struct tail *);

#endif
