/* The bounded tail of a run's output.  Lines are kept whole and evicted
 * oldest first, so `jobctl logs` never shows half a line at the start.
 * The bound is on memory: each line is charged its bookkeeping as well
 * as its bytes, and the number of lines is capped.  Pure: no loop, no
 * I/O. */
#include <string.h>

#include "tail.h"
#include "xmalloc.h"

void
tail_init(struct tail *t, size_t max_cost)
{
	/* Room for one empty line at least, whatever the caller asks. */
	*t = (struct tail){ .max_cost = MAX(max_cost, TAIL_LINE_COST(0)) };
	TAILQ_INIT(&t->lines);
}

static void
tail_drop_oldest(struct tail *t)
{
	struct tail_line *l = TAILQ_FIRST(&t->lines);

	TAILQ_REMOVE(&t->lines, l, entry);
	t->cost -= TAIL_LINE_COST(l->len);
	t->nlines--;
	t->dropped++;
	free(l);
}

static struct tail_line *
tail_line_new(struct tail *t, enum tail_stream stream, usec_t usec,
    const char *data, size_t len)
{
	struct tail_line *l = xmalloc(TAIL_LINE_COST(len));

	l->usec = usec;
	l->stream = stream;
	l->len = len;
	memcpy(l->data, data, len);
	t->cost += TAIL_LINE_COST(len);
	t->nlines++;
	return l;
}

const struct tail_line *
tail_append(struct tail *t, enum tail_stream stream, usec_t usec,
    const char *data, size_t len)
{
	struct tail_line *l;

	if (TAIL_LINE_COST(len) > t->max_cost)
		len = t->max_cost - TAIL_LINE_COST(0);
	while (t->nlines && (t->cost + TAIL_LINE_COST(len) > t->max_cost ||
	    t->nlines >= TAIL_MAX_LINES))
		tail_drop_oldest(t);
	l = tail_line_new(t, stream, usec, data, len);
	TAILQ_INSERT_TAIL(&t->lines, l, entry);
	return l;
}

bool
tail_prepend(struct tail *t, enum tail_stream stream, usec_t usec,
    const char *data, size_t len)
{
	struct tail_line *l;

	if (t->nlines == 0) {
		tail_append(t, stream, usec, data, len);
		return true;
	}
	if (t->nlines >= TAIL_MAX_LINES ||
	    t->cost + TAIL_LINE_COST(len) > t->max_cost)
		return false;
	l = tail_line_new(t, stream, usec, data, len);
	TAILQ_INSERT_HEAD(&t->lines, l, entry);
	return true;
}

const struct tail_line *
tail_last(const struct tail *t, size_t n)
{
	const struct tail_line *l;

	if (n == 0 || n >= t->nlines)
		return TAILQ_FIRST(&t->lines);
	/* From the newest end: asking for a few lines costs a few steps. */
	l = TAILQ_LAST(&t->lines, tail_lines);
	while (--n > 0)
		l = TAILQ_PREV(l, tail_lines, entry);
	return l;
}

const struct tail_line *
tail_last_fit(const struct tail *t, size_t max_lines, size_t max_bytes)
{
	const struct tail_line *l, *first = NULL;
	size_t n = 0, bytes = 0;

	for (l = TAILQ_LAST(&t->lines, tail_lines); l && n < max_lines;
	    l = TAILQ_PREV(l, tail_lines, entry), n++) {
		if (l->len > max_bytes - bytes)
			break;
		bytes += l->len;
		first = l;
	}
	return first;
}

void
tail_done(struct tail *t)
{
	while (t->nlines)
		tail_drop_oldest(t);
}
