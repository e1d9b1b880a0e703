/* The bounded tail of a run's output.  Lines are kept whole and evicted
 * oldest first, so `jobctl logs` never shows half a line at the start.
 * Pure: no loop, no I/O. */
#include <string.h>

#include "tail.h"
#include "xmalloc.h"

void
tail_init(struct tail *t, size_t max_bytes)
{
	*t = (struct tail){ .max_bytes = max_bytes };
	TAILQ_INIT(&t->lines);
}

static void
tail_drop_oldest(struct tail *t)
{
	struct tail_line *l = TAILQ_FIRST(&t->lines);

	TAILQ_REMOVE(&t->lines, l, entry);
	t->bytes -= l->len;
	t->nlines--;
	t->dropped++;
	free(l);
}

const struct tail_line *
tail_append(struct tail *t, enum tail_stream stream, usec_t usec,
    const char *data, size_t len)
{
	struct tail_line *l;

	if (len > t->max_bytes)
		len = t->max_bytes;
	while (t->nlines && t->bytes + len > t->max_bytes)
		tail_drop_oldest(t);
	l = xmalloc(sizeof(*l) + len);
	l->usec = usec;
	l->stream = stream;
	l->len = len;
	memcpy(l->data, data, len);
	TAILQ_INSERT_TAIL(&t->lines, l, entry);
	t->bytes += len;
	t->nlines++;
	return l;
}

const struct tail_line *
tail_last(const struct tail *t, size_t n)
{
	const struct tail_line *l;
	size_t skip;

	if (n == 0 || n >= t->nlines)
		return TAILQ_FIRST(&t->lines);
	skip = t->nlines - n;
	TAILQ_FOREACH(l, &t->lines, entry)
		if (skip-- == 0)
			return l;
	return NULL;
}

void
tail_done(struct tail *t)
{
	while (t->nlines)
		tail_drop_oldest(t);
}
