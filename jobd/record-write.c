/* Writing the queued rows: all of them in one transaction on the ledger
 * thread, so a burst of runs costs one fsync.  When the disk is full or
 * read-only the rows go back to the front of the queue and the write is
 * retried with a growing delay; record_flush waits until the rows queued
 * so far are written (a Start reply waits for its run's row). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "record-internal.h"
#include "xmalloc.h"

struct record_write_task {
	struct record_task task;
	struct record_rows rows;
};

struct record_waiter {
	uint64_t seq;			/* rows queued up to here */
	void (*cb)(void *, int);
	void *ctx;
	struct record_waiter *next;
};

static const struct record_task_type record_write_type;
static struct record_task *record_take_writes(struct record *);

/* Moves every queued row into rows. */
void
record_rows_take(struct record *rec, struct record_rows *rows)
{
	rows->ops = rec->queue;
	rows->n = rec->nqueue;
	rows->seq = rec->enqueued;
	rec->queue = NULL;
	rec->nqueue = rec->cap = 0;
}

struct record_task *
record_write_new(struct record *rec)
{
	struct record_write_task *w = record_task_new(sizeof(*w),
	    &record_write_type);

	record_rows_take(rec, &w->rows);
	return &w->task;
}

/* Worker thread. */
static void
record_write_work(struct record_task *t)
{
	struct record_write_task *w = (struct record_write_task *)t;

	t->r = ledger_write_batch(t->record->ledger, w->rows.ops, w->rows.n,
	    &t->cause);
}

/* Puts rows of a failed write back in front of the queue, in order. */
static void
record_requeue(struct record *rec, struct record_rows *rows)
{
	size_t n = rows->n + rec->nqueue;
	struct ledger_op *q = xreallocarray(NULL, n, sizeof(*q));

	memcpy(q, rows->ops, rows->n * sizeof(*q));
	if (rec->nqueue > 0)
		memcpy(q + rows->n, rec->queue, rec->nqueue * sizeof(*q));
	free(rec->queue);
	free(rows->ops);
	rows->ops = NULL;
	rec->queue = q;
	rec->nqueue = rec->cap = n;
	while (rec->nqueue > RECORD_QUEUE_MAX)
		record_drop_oldest(rec);
}

/* A write failed: the writes a flush queued behind it would fail as well
 * and then be put back ahead of its rows.  Their rows go back into the
 * queue now, behind the failed ones, to wait for the retry in order. */
static void
record_unqueue_writes(struct record *rec)
{
	struct record_task *t;
	struct record_write_task *later;

	for (t = rec->tasks; t && t->type != &record_write_type; t = t->next)
		;
	if (!t)
		return;
	later = (struct record_write_task *)record_take_writes(rec);
	rec->queue = later->rows.ops;
	rec->nqueue = rec->cap = later->rows.n;
	later->rows.ops = NULL;
	later->rows.n = 0;
	record_task_free(&later->task);
}

static void
record_retry_cb(uv_timer_t *timer)
{
	record_pump(timer->data);
}

static void
record_write_failed(struct record *rec, struct record_write_task *w)
{
	struct record_task *t = &w->task;

	if (rec->error != t->r)
		log_error("ledger: %s; %zu rows kept queued, retrying",
		    t->cause ? t->cause : strerror(-t->r), w->rows.n +
		    rec->nqueue);
	rec->error = t->r;
	free(rec->error_text);
	rec->error_text = t->cause ? xstrdup(t->cause) :
	    xstrdup(strerror(-t->r));
	if (t->r == -EINVAL) {
		/* A malformed row never gets better: drop it. */
		rec->dropped += w->rows.n;
		return;
	}
	record_unqueue_writes(rec);
	record_requeue(rec, &w->rows);
	uv_timer_start(&rec->retry, record_retry_cb,
	    record_backoff(rec) / USEC_PER_MSEC, 0);
}

static void
record_write_done(struct record_task *t)
{
	struct record_write_task *w = (struct record_write_task *)t;
	struct record *rec = t->record;

	if (t->r == 0) {
		if (rec->error)
			log_notice("ledger writable again; %zu queued rows "
			    "written", w->rows.n);
		rec->error = 0;
		free(rec->error_text);
		rec->error_text = NULL;
		rec->retry_delay = 0;
		rec->written += w->rows.n;
		record_wake(rec, w->rows.seq, 0, false);
		return;
	}
	record_write_failed(rec, w);
	/* Unless only a malformed row was dropped, every waiter hears of it
	 * now, as a flush in this state would: its rows wait for the retry. */
	record_wake(rec, w->rows.seq, t->r, t->r != -EINVAL);
}

static void
record_write_clear(struct record_task *t)
{
	struct record_write_task *w = (struct record_write_task *)t;

	record_ops_free(w->rows.ops, w->rows.n);
}

static const struct record_task_type record_write_type = {
	.work = record_write_work,
	.done = record_write_done,
	.clear = record_write_clear,
};

/* Every queued write task and the queue, in order, as one write task
 * (rows of one job's state must not overtake each other). */
static struct record_task *
record_take_writes(struct record *rec)
{
	struct record_write_task *w, *t;
	struct record_task **pp = &rec->tasks, *prev = NULL;
	struct ledger_op *ops = NULL;
	size_t n = 0;

	w = (struct record_write_task *)record_write_new(rec);
	while (*pp) {
		if ((*pp)->type != &record_write_type) {
			prev = *pp;
			pp = &prev->next;
			continue;
		}
		t = (struct record_write_task *)*pp;
		*pp = t->task.next;
		ops = xreallocarray(ops, n + t->rows.n + 1, sizeof(*ops));
		memcpy(ops + n, t->rows.ops, t->rows.n * sizeof(*ops));
		n += t->rows.n;
		free(t->rows.ops);
		t->rows.ops = NULL;
		t->rows.n = 0;
		record_task_free(&t->task);
	}
	rec->tasks_tail = prev;
	ops = xreallocarray(ops, n + w->rows.n + 1, sizeof(*ops));
	if (w->rows.n)
		memcpy(ops + n, w->rows.ops, w->rows.n * sizeof(*ops));
	free(w->rows.ops);
	w->rows.ops = ops;
	w->rows.n += n;
	return &w->task;
}

/* Tells the waiters whose rows were in a write that ended (all: the
 * ledger is gone). */
void
record_wake(struct record *rec, uint64_t settled, int r, bool all)
{
	struct record_waiter *w;

	rec->settled = MAX(rec->settled, settled);
	while ((w = rec->waiters) && (all || w->seq <= rec->settled)) {
		rec->waiters = w->next;
		if (!rec->waiters)
			rec->waiters_tail = NULL;
		w->cb(w->ctx, r);
		free(w);
	}
}

void
record_flush(struct record *rec, void (*cb)(void *, int), void *ctx)
{
	struct record_waiter *w;

	if (!rec->ledger || rec->closing || rec->error ||
	    rec->settled >= rec->enqueued) {
		cb(ctx, rec->ledger && !rec->closing ? rec->error :
		    -ENOTCONN);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->seq = rec->enqueued;
	w->cb = cb;
	w->ctx = ctx;
	if (rec->waiters_tail)
		rec->waiters_tail->next = w;
	else
		rec->waiters = w;
	rec->waiters_tail = w;
	/* A client waits: the rows go ahead of queued queries and pruning
	 * (a call in flight still finishes first). */
	if (rec->nqueue > 0)
		record_push_front(rec, record_take_writes(rec));
	record_pump(rec);
}
