/* The loop side of what alerts and events keep in the ledger: a unit's
 * alert state and an event set or cleared go into the write batch like a
 * run's row (so they are bounded and retried with it), and both tables
 * are read back at start, before anything can run. */
#include <errno.h>
#include <stdlib.h>

#include "record-internal.h"
#include "xmalloc.h"

void
record_alert_state(struct record *rec, const struct ledger_alert_state *a)
{
	struct ledger_op op = { .type = LEDGER_OP_ALERT_STATE, .alert = *a };

	if (rec->closing)
		return;
	op.alert.job = xstrdup(a->job);
	record_enqueue(rec, &op);
}

void
record_event(struct record *rec, const char *name, bool set, usec_t at)
{
	struct ledger_op op = {
		.type = set ? LEDGER_OP_EVENT_SET : LEDGER_OP_EVENT_CLEAR,
		.event = { .set = at },
	};

	if (rec->closing)
		return;
	op.event.name = xstrdup(name);
	record_enqueue(rec, &op);
}

/* One task type for both tables: what it read, and for whom. */
struct record_alerts_task {
	struct record_task task;
	bool events;			/* the events, else the alert states */
	struct ledger_alert_state *states;	/* out */
	struct ledger_event *set;	/* out */
	size_t n;
	void (*states_cb)(void *, int, const struct ledger_alert_state *,
	    size_t);
	void (*events_cb)(void *, int, const struct ledger_event *, size_t);
	void *ctx;
};

/* Worker thread. */
static void
record_alerts_work(struct record_task *t)
{
	struct record_alerts_task *a = (struct record_alerts_task *)t;

	if (a->events)
		t->r = ledger_events(t->record->ledger, &a->set, &a->n,
		    &t->cause);
	else
		t->r = ledger_alert_states(t->record->ledger, &a->states,
		    &a->n, &t->cause);
}

static void
record_alerts_done(struct record_task *t)
{
	struct record_alerts_task *a = (struct record_alerts_task *)t;

	if (a->events)
		a->events_cb(a->ctx, t->r, a->set, a->n);
	else
		a->states_cb(a->ctx, t->r, a->states, a->n);
}

static void
record_alerts_clear(struct record_task *t)
{
	struct record_alerts_task *a = (struct record_alerts_task *)t;

	ledger_events_free(a->set, a->events ? a->n : 0);
	ledger_alert_states_free(a->states, a->events ? 0 : a->n);
}

static const struct record_task_type record_alerts_type = {
	.work = record_alerts_work,
	.done = record_alerts_done,
	.clear = record_alerts_clear,
};

/* Queues the read behind every row queued before it: what was written
 * is what is read. */
static void
record_alerts_push(struct record *rec, struct record_alerts_task *a)
{
	if (rec->nqueue > 0)
		record_push_task(rec, record_write_new(rec));
	record_push_task(rec, &a->task);
	record_pump(rec);
}

void
record_load_alert_states(struct record *rec,
    void (*cb)(void *, int, const struct ledger_alert_state *, size_t),
    void *ctx)
{
	struct record_alerts_task *a;

	if (!rec->ledger || rec->closing) {
		cb(ctx, -ENOTCONN, NULL, 0);
		return;
	}
	a = record_task_new(sizeof(*a), &record_alerts_type);
	a->states_cb = cb;
	a->ctx = ctx;
	record_alerts_push(rec, a);
}

void
record_load_events(struct record *rec,
    void (*cb)(void *, int, const struct ledger_event *, size_t),
    void *ctx)
{
	struct record_alerts_task *a;

	if (!rec->ledger || rec->closing) {
		cb(ctx, -ENOTCONN, NULL, 0);
		return;
	}
	a = record_task_new(sizeof(*a), &record_alerts_type);
	a->events = true;
	a->events_cb = cb;
	a->ctx = ctx;
	record_alerts_push(rec, a);
}
