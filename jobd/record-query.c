/* Questions to the ledger, answered on the loop: the runs that match a
 * filter (history) and one run with its output tail (show, logs).  The
 * rows queued before a question are written first, so that they are part
 * of its answer. */
#include <errno.h>
#include <stdlib.h>

#include "record-internal.h"
#include "xmalloc.h"

struct record_query_task {
	struct record_task task;
	struct ledger_filter filter;
	char *job;			/* filter.job's copy */
	char *result;			/* filter.result's copy */
	struct ledger_run *runs;	/* the answer, freed after cb */
	size_t nruns;
	record_query_cb cb;
	void *ctx;
};

struct record_get_task {
	struct record_task task;
	uint64_t id;
	struct ledger_run *run;		/* the answer, freed after cb */
	record_query_cb cb;
	void *ctx;
};

/* Worker thread. */
static void
record_query_work(struct record_task *t)
{
	struct record_query_task *q = (struct record_query_task *)t;

	t->r = ledger_query(t->record->ledger, &q->filter, &q->runs,
	    &q->nruns, &t->cause);
}

static void
record_query_done(struct record_task *t)
{
	struct record_query_task *q = (struct record_query_task *)t;

	q->cb(q->ctx, t->r, q->runs, q->nruns);
}

static void
record_query_clear(struct record_task *t)
{
	struct record_query_task *q = (struct record_query_task *)t;

	if (q->runs)
		ledger_runs_free(q->runs, q->nruns);
	free(q->job);
	free(q->result);
}

static const struct record_task_type record_query_type = {
	.work = record_query_work,
	.done = record_query_done,
	.clear = record_query_clear,
};

/* Worker thread. */
static void
record_get_work(struct record_task *t)
{
	struct record_get_task *g = (struct record_get_task *)t;

	g->run = xcalloc(1, sizeof(*g->run));
	t->r = ledger_get_run(t->record->ledger, g->id, g->run, &t->cause);
	if (t->r < 0)
		g->run->id = g->id;	/* for the error reply */
}

static void
record_get_done(struct record_task *t)
{
	struct record_get_task *g = (struct record_get_task *)t;

	g->cb(g->ctx, t->r, g->run, t->r == 0);
}

static void
record_get_clear(struct record_task *t)
{
	struct record_get_task *g = (struct record_get_task *)t;

	if (g->run)
		ledger_runs_free(g->run, t->r == 0);
}

static const struct record_task_type record_get_type = {
	.work = record_get_work,
	.done = record_get_done,
	.clear = record_get_clear,
};

static void
record_ask(struct record *rec, struct record_task *t, record_query_cb cb,
    void *ctx)
{
	if (!rec->ledger || rec->closing) {
		cb(ctx, -ENOTCONN, NULL, 0);
		record_task_free(t);
		return;
	}
	/* Rows queued before the question are part of the answer. */
	if (rec->nqueue > 0)
		record_push_task(rec, record_write_new(rec));
	record_push_task(rec, t);
	record_pump(rec);
}

void
record_query(struct record *rec, const struct ledger_filter *f,
    record_query_cb cb, void *ctx)
{
	struct record_query_task *q = record_task_new(sizeof(*q),
	    &record_query_type);

	q->filter = *f;
	if (f->job)
		q->filter.job = q->job = xstrdup(f->job);
	if (f->result)
		q->filter.result = q->result = xstrdup(f->result);
	q->cb = cb;
	q->ctx = ctx;
	record_ask(rec, &q->task, cb, ctx);
}

void
record_get_run(struct record *rec, uint64_t id, record_query_cb cb,
    void *ctx)
{
	struct record_get_task *g = record_task_new(sizeof(*g),
	    &record_get_type);

	g->id = id;
	g->cb = cb;
	g->ctx = ctx;
	record_ask(rec, &g->task, cb, ctx);
}
