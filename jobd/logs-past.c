/* A run no longer in memory: its row from the ledger (record.c, on the
 * ledger's thread), then its lines from the journal (on the executor),
 * else the tail the ledger kept, whose lines all say stdout: the stream
 * of each was not kept.  The caller gets the lines in a callback. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "executor.h"
#include "journal-read.h"
#include "logs-past.h"
#include "method.h"
#include "record.h"
#include "run-ctx.h"
#include "tail.h"
#include "xmalloc.h"

struct logs_past {
	struct method_ctx *methods;
	logs_past_fn done;
	void *ctx;
	char *job;
	uint64_t id;
	size_t lines;
	char *tail;			/* from the ledger */
	size_t tail_len;
	int found;			/* lines read from the journal */
	struct tail out;
};

static void
logs_past_end(struct logs_past *q, int r)
{
	q->done(q->ctx, r, q->job, r == -ENOENT ? 0 : q->id, &q->out);
	free(q->job);
	free(q->tail);
	tail_done(&q->out);
	free(q);
}

static void
logs_past_journal_work(void *data)
{
	struct logs_past *q = data;

	q->found = journal_read_run(q->job, q->id, q->lines, &q->out);
}

/* The ledger's tail, newest line first, until q->out is full or has the
 * lines asked for. */
static void
logs_past_ledger_lines(struct logs_past *q)
{
	char *start = q->tail, *end = q->tail + q->tail_len, *nl, *line;

	if (q->tail_len == 0)
		return;
	if (end[-1] == '\n')
		end--;			/* every line ends with one */
	for (;;) {
		nl = memrchr(start, '\n', end - start);
		line = nl ? nl + 1 : start;
		if ((q->lines && q->out.nlines == q->lines) ||
		    !tail_prepend(&q->out, TAIL_STDOUT, 0, line, end - line))
			return;
		if (!nl)
			return;
		end = nl;
	}
}

static void
logs_past_journal_done(void *data, int status)
{
	struct logs_past *q = data;

	(void)status;
	if (q->found <= 0)
		logs_past_ledger_lines(q);
	logs_past_end(q, 0);
}

/* Keeps the end of the ledger's tail, as much as the tail's bound could
 * hold: a line costs more than its bytes.  Rows written before lines were
 * charged their bookkeeping can be far longer. */
static void
logs_past_keep_row(struct logs_past *q, const struct ledger_run *row)
{
	const char *p = row->tail, *nl;
	size_t len = row->tail_len;

	if (len > q->out.max_cost) {
		p += len - q->out.max_cost;
		len = q->out.max_cost;
		/* Whole lines only: skip the one cut. */
		if ((nl = memchr(p, '\n', len)) != NULL) {
			len -= nl + 1 - p;
			p = nl + 1;
		}
	}
	if (len == 0)
		return;
	q->tail = xmalloc(len);
	memcpy(q->tail, p, len);
	q->tail_len = len;
}

static void
logs_past_row_cb(void *ctx, int r, struct ledger_run *runs, size_t n)
{
	struct logs_past *q = ctx;

	if (r < 0 || n == 0 || (q->job && strcmp(runs[0].job, q->job))) {
		logs_past_end(q, -ESRCH);
		return;
	}
	if (!q->job)
		q->job = xstrdup(runs[0].job);
	logs_past_keep_row(q, &runs[0]);
	executor_submit(q->methods->runs->executor, logs_past_journal_work,
	    logs_past_journal_done, q);
}

static void
logs_past_latest_cb(void *ctx, int r, struct ledger_run *runs, size_t n)
{
	struct logs_past *q = ctx;

	if (r < 0 || n == 0) {
		logs_past_end(q, -ENOENT);
		return;
	}
	q->id = runs[0].id;
	record_get_run(q->methods->record, q->id, logs_past_row_cb, q);
}

void
logs_past_fetch(struct method_ctx *m, const char *job, int64_t run,
    size_t lines, logs_past_fn done, void *ctx)
{
	struct logs_past *q = xcalloc(1, sizeof(*q));
	struct ledger_filter f = { .job = job, .limit = 1 };

	q->methods = m;
	q->done = done;
	q->ctx = ctx;
	q->job = job ? xstrdup(job) : NULL;
	q->lines = lines;
	tail_init(&q->out, m->runs->config->tail_size);
	if (run >= 0) {
		q->id = run;
		record_get_run(m->record, q->id, logs_past_row_cb, q);
	} else {
		record_query(m->record, &f, logs_past_latest_cb, q);
	}
}
