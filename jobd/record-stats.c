/* The jobs' lasting figures read back from the ledger at start (last
 * verdict, last success, how many runs ended with each result), for the
 * alerts and the metrics to continue where the last daemon left off. */
#include <errno.h>
#include <stdlib.h>

#include "record-internal.h"

struct record_stats_task {
	struct record_task task;
	struct ledger_job_stats *stats;	/* out */
	size_t n;
	void (*cb)(void *, int, const struct ledger_job_stats *, size_t);
	void *ctx;
};

/* Worker thread. */
static void
record_stats_work(struct record_task *t)
{
	struct record_stats_task *s = (struct record_stats_task *)t;

	t->r = ledger_job_stats(t->record->ledger, &s->stats, &s->n,
	    &t->cause);
}

static void
record_stats_done(struct record_task *t)
{
	struct record_stats_task *s = (struct record_stats_task *)t;

	s->cb(s->ctx, t->r, s->stats, s->n);
}

static void
record_stats_clear(struct record_task *t)
{
	struct record_stats_task *s = (struct record_stats_task *)t;

	ledger_job_stats_free(s->stats, s->n);
}

static const struct record_task_type record_stats_type = {
	.work = record_stats_work,
	.done = record_stats_done,
	.clear = record_stats_clear,
};

void
record_load_stats(struct record *rec,
    void (*cb)(void *, int, const struct ledger_job_stats *, size_t),
    void *ctx)
{
	struct record_stats_task *s;

	if (!rec->ledger || rec->closing) {
		cb(ctx, -ENOTCONN, NULL, 0);
		return;
	}
	/* The figures include every row queued before the question. */
	if (rec->nqueue > 0)
		record_push_task(rec, record_write_new(rec));
	s = record_task_new(sizeof(*s), &record_stats_type);
	s->cb = cb;
	s->ctx = ctx;
	record_push_task(rec, &s->task);
	record_pump(rec);
}
