/* The alert log through the ledger's lane: each delivery attempt queued as
 * a row like a run's (written in the same batches), the newest attempts
 * read back, and the counts of all attempts read at start so that the
 * alerts' counters continue across restarts. */
#include <errno.h>
#include <stdlib.h>

#include "record-internal.h"
#include "xmalloc.h"

struct record_alerts_task {
	struct record_task task;
	bool failed_only;
	size_t limit;
	struct ledger_alert *rows;	/* the answer, freed after cb */
	size_t n;
	record_alerts_cb cb;
	void *ctx;
};

struct record_counts_task {
	struct record_task task;
	struct ledger_alert_count *counts;
	size_t n;
	record_alert_counts_cb cb;
	void *ctx;
};

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
record_alert_attempt(struct record *rec, const struct ledger_alert *a)
{
	struct ledger_op op = { .type = LEDGER_OP_ALERT_LOG };

	if (rec->closing)
		return;
	op.alert_log = *a;
	op.alert_log.alert = dup_or_null(a->alert);
	op.alert_log.sink = dup_or_null(a->sink);
	op.alert_log.event = dup_or_null(a->event);
	op.alert_log.job = dup_or_null(a->job);
	op.alert_log.status = dup_or_null(a->status);
	op.alert_log.detail = dup_or_null(a->detail);
	record_enqueue(rec, &op);
}

/* Worker thread. */
static void
record_alerts_work(struct record_task *t)
{
	struct record_alerts_task *q = (struct record_alerts_task *)t;

	t->r = ledger_alert_log(t->record->ledger, q->failed_only, q->limit,
	    &q->rows, &q->n, &t->cause);
}

static void
record_alerts_done(struct record_task *t)
{
	struct record_alerts_task *q = (struct record_alerts_task *)t;

	q->cb(q->ctx, t->r, q->rows, q->n);
}

static void
record_alerts_clear(struct record_task *t)
{
	struct record_alerts_task *q = (struct record_alerts_task *)t;

	ledger_alerts_free(q->rows, q->n);
}

static const struct record_task_type record_alerts_type = {
	.work = record_alerts_work,
	.done = record_alerts_done,
	.clear = record_alerts_clear,
};

/* Worker thread. */
static void
record_counts_work(struct record_task *t)
{
	struct record_counts_task *q = (struct record_counts_task *)t;

	t->r = ledger_alert_counts(t->record->ledger, &q->counts, &q->n,
	    &t->cause);
}

static void
record_counts_done(struct record_task *t)
{
	struct record_counts_task *q = (struct record_counts_task *)t;

	q->cb(q->ctx, t->r, q->counts, q->n);
}

static void
record_counts_clear(struct record_task *t)
{
	struct record_counts_task *q = (struct record_counts_task *)t;

	ledger_alert_counts_free(q->counts, q->n);
}

static const struct record_task_type record_counts_type = {
	.work = record_counts_work,
	.done = record_counts_done,
	.clear = record_counts_clear,
};

/* Queues t behind the rows queued so far, which are part of its answer;
 * false (t freed) without a ledger. */
static bool
record_alerts_ask(struct record *rec, struct record_task *t)
{
	if (!rec->ledger || rec->closing) {
		record_task_free(t);
		return false;
	}
	if (rec->nqueue > 0)
		record_push_task(rec, record_write_new(rec));
	record_push_task(rec, t);
	record_pump(rec);
	return true;
}

void
record_query_alerts(struct record *rec, bool failed_only, size_t limit,
    record_alerts_cb cb, void *ctx)
{
	struct record_alerts_task *q = record_task_new(sizeof(*q),
	    &record_alerts_type);

	q->failed_only = failed_only;
	q->limit = limit;
	q->cb = cb;
	q->ctx = ctx;
	if (!record_alerts_ask(rec, &q->task))
		cb(ctx, -ENOTCONN, NULL, 0);
}

void
record_load_alert_counts(struct record *rec, record_alert_counts_cb cb,
    void *ctx)
{
	struct record_counts_task *q = record_task_new(sizeof(*q),
	    &record_counts_type);

	q->cb = cb;
	q->ctx = ctx;
	if (!record_alerts_ask(rec, &q->task))
		cb(ctx, -ENOTCONN, NULL, 0);
}
