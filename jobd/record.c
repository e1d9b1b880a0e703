/* Run records on their way to the ledger.  Rows are queued on the loop and
 * written by one call at a time on the ledger's own thread, all queued
 * rows in one transaction, so a burst of runs costs one fsync and no job's
 * file work on the thread pool delays it.  When the disk is full or
 * read-only the rows stay queued (bounded, oldest dropped and counted) and
 * the write is retried with a growing delay; jobs keep running. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "run-ctx.h"
#include "log.h"
#include "record-internal.h"
#include "run.h"
#include "strv.h"
#include "xmalloc.h"

#define RECORD_RETRY_MIN USEC_PER_SEC
#define RECORD_RETRY_MAX (30 * USEC_PER_SEC)

struct record_waiter {
	uint64_t seq;			/* rows queued up to here */
	void (*cb)(void *, int);
	void *ctx;
	struct record_waiter *next;
};

static void record_work(void *);
static void record_done(void *, int);

static void
record_op_free(struct ledger_op *op)
{
	if (op->type == LEDGER_OP_JOB_STATE) {
		free(op->state.job);
		return;
	}
	free(op->run.job);
	free(op->run.trigger);
	free(op->run.result);
	free(op->run.reason);
	free(op->run.tail);
}

static void
record_ops_free(struct ledger_op *ops, size_t n)
{
	size_t i;

	for (i = 0; ops && i < n; i++)
		record_op_free(&ops[i]);
	free(ops);
}

void
record_push_task(struct record *rec, struct record_task *t)
{
	t->record = rec;
	if (rec->tasks_tail)
		rec->tasks_tail->next = t;
	else
		rec->tasks = t;
	rec->tasks_tail = t;
}

void
record_push_front(struct record *rec, struct record_task *t)
{
	t->record = rec;
	t->next = rec->tasks;
	rec->tasks = t;
	if (!rec->tasks_tail)
		rec->tasks_tail = t;
}

void
record_submit(struct record *rec, struct record_task *t)
{
	t->record = rec;
	rec->busy = true;
	executor_lane_submit(&rec->lane, record_work, record_done, t);
}

/* The next retry delay: doubling from 1 s up to 30 s. */
usec_t
record_backoff(struct record *rec)
{
	rec->retry_delay = MIN(MAX(rec->retry_delay * 2, RECORD_RETRY_MIN),
	    RECORD_RETRY_MAX);
	return rec->retry_delay;
}

/* Moves every queued row into a write task. */
struct record_task *
record_take_queue(struct record *rec, enum record_task_type type)
{
	struct record_task *t = xcalloc(1, sizeof(*t));

	t->type = type;
	t->ops = rec->queue;
	t->nops = rec->nqueue;
	t->seq = rec->enqueued;
	rec->queue = NULL;
	rec->nqueue = rec->cap = 0;
	return t;
}

/* Worker thread: retention, job by job; a failure stops the pass and
 * is reported, the next pass tries again. */
static void
record_prune_work(struct record_task *t)
{
	size_t i, n;

	for (i = 0; i < t->nrules && t->r == 0; i++) {
		n = 0;
		t->r = ledger_prune(t->record->ledger, &t->rules[i], &n,
		    &t->cause);
		t->pruned += n;
	}
}

/* Worker thread: the schedule state of each named job. */
static void
record_states_work(struct record_task *t)
{
	size_t i, n = strv_length(t->names);

	t->states = xcalloc(n + 1, sizeof(*t->states));
	t->nruns = n;
	for (i = 0; i < n; i++)
		if (ledger_job_state_get(t->record->ledger, t->names[i],
		    &t->states[i], NULL) < 0)
			t->states[i] = (struct ledger_job_state){ 0 };
}

/* Worker thread: the ledger call of one task. */
static void
record_work(void *data)
{
	struct record_task *t = data;
	struct ledger *l = t->record->ledger;

	switch (t->type) {
	case TASK_WRITE:
		t->r = ledger_write_batch(l, t->ops, t->nops, &t->cause);
		break;
	case TASK_QUERY:
		t->r = ledger_query(l, &t->filter, &t->runs, &t->nruns,
		    &t->cause);
		break;
	case TASK_GET:
		t->runs = xcalloc(1, sizeof(*t->runs));
		t->r = ledger_get_run(l, t->id, t->runs, &t->cause);
		t->nruns = t->r == 0;
		if (t->r < 0)
			t->runs->id = t->id;	/* for the error reply */
		break;
	case TASK_CLOSE:
		if (t->nops)
			t->r = ledger_write_batch(l, t->ops, t->nops,
			    &t->cause);
		/* Ids above the last one handed out are free again, so that
		 * a clean restart continues without a gap. */
		(void)ledger_reserve_ids(l, t->id, true, NULL);
		ledger_close(l);
		break;
	case TASK_RESERVE:
		t->r = ledger_reserve_ids(l, t->id, false, &t->cause);
		break;
	case TASK_OPEN:
		record_open_work(t);
		break;
	case TASK_PRUNE:
		record_prune_work(t);
		break;
	case TASK_STATES:
		record_states_work(t);
		break;
	}
}

/* Puts rows of a failed write back in front of the queue, in order. */
static void
record_requeue(struct record *rec, struct record_task *t)
{
	size_t n = t->nops + rec->nqueue;
	struct ledger_op *q = xreallocarray(NULL, n, sizeof(*q));

	memcpy(q, t->ops, t->nops * sizeof(*q));
	if (rec->nqueue > 0)
		memcpy(q + t->nops, rec->queue, rec->nqueue * sizeof(*q));
	free(rec->queue);
	free(t->ops);
	t->ops = NULL;
	rec->queue = q;
	rec->nqueue = rec->cap = n;
	while (rec->nqueue > RECORD_QUEUE_MAX) {
		record_op_free(&rec->queue[0]);
		memmove(rec->queue, rec->queue + 1,
		    --rec->nqueue * sizeof(*q));
		rec->dropped++;
	}
}

static void
record_retry_cb(uv_timer_t *timer)
{
	record_pump(timer->data);
}

/* Every queued write task and the queue, in order, as one write task
 * (rows of one job's state must not overtake each other). */
static struct record_task *
record_take_writes(struct record *rec)
{
	struct record_task *w = record_take_queue(rec, TASK_WRITE);
	struct record_task **pp = &rec->tasks, *t, *prev = NULL;
	struct ledger_op *ops = NULL;
	size_t n = 0;

	while ((t = *pp)) {
		if (t->type != TASK_WRITE) {
			prev = t;
			pp = &t->next;
			continue;
		}
		*pp = t->next;
		ops = xreallocarray(ops, n + t->nops + 1, sizeof(*ops));
		memcpy(ops + n, t->ops, t->nops * sizeof(*ops));
		n += t->nops;
		free(t->ops);
		t->ops = NULL;
		t->nops = 0;
		record_task_free(t);
	}
	rec->tasks_tail = prev;
	ops = xreallocarray(ops, n + w->nops + 1, sizeof(*ops));
	if (w->nops)
		memcpy(ops + n, w->ops, w->nops * sizeof(*ops));
	free(w->ops);
	w->ops = ops;
	w->nops += n;
	return w;
}

/* Tells the waiters whose rows were in a write that ended (all: the
 * ledger is gone). */
static void
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

static void
record_write_done(struct record *rec, struct record_task *t)
{
	if (t->r == 0) {
		if (rec->error)
			log_notice("ledger writable again; %zu queued rows "
			    "written", t->nops);
		rec->error = 0;
		free(rec->error_text);
		rec->error_text = NULL;
		rec->retry_delay = 0;
		rec->written += t->nops;
		record_ops_free(t->ops, t->nops);
		t->ops = NULL;
		return;
	}
	if (rec->error != t->r)
		log_error("ledger: %s; %zu rows kept queued, retrying",
		    t->cause ? t->cause : strerror(-t->r), t->nops +
		    rec->nqueue);
	rec->error = t->r;
	free(rec->error_text);
	rec->error_text = t->cause ? xstrdup(t->cause) :
	    xstrdup(strerror(-t->r));
	if (t->r == -EINVAL) {
		/* A malformed row never gets better: drop it. */
		rec->dropped += t->nops;
		record_ops_free(t->ops, t->nops);
		t->ops = NULL;
		return;
	}
	record_requeue(rec, t);
	uv_timer_start(&rec->retry, record_retry_cb,
	    record_backoff(rec) / USEC_PER_MSEC, 0);
}

void
record_task_free(struct record_task *t)
{
	if (t->runs)
		ledger_runs_free(t->runs, t->nruns ? t->nruns : 0);
	record_ops_free(t->ops, t->nops);
	free(t->filter_job);
	free(t->cause);
	while (t->nrules > 0)
		free((char *)t->rules[--t->nrules].job);
	free(t->rules);
	if (t->states) {
		size_t i;

		for (i = 0; t->names && t->names[i]; i++)
			ledger_job_state_free_contents(&t->states[i]);
		free(t->states);
	}
	strv_free(t->names);
	while (t->nusers > 0) {
		t->nusers--;
		free(t->users[t->nusers].job);
		free(t->users[t->nusers].user);
	}
	free(t->users);
	strv_free(t->notes);
	free(t);
}

void
record_end(struct record *rec)
{
	record_wake(rec, rec->enqueued, -ENOTCONN, true);
	if (!uv_is_closing((uv_handle_t *)&rec->retry))
		uv_close((uv_handle_t *)&rec->retry, NULL);
	executor_lane_stop(&rec->lane);
}

static void
record_done(void *data, int status)
{
	struct record_task *t = data;
	struct record *rec = t->record;

	(void)status;
	rec->busy = false;
	switch (t->type) {
	case TASK_WRITE:
		record_write_done(rec, t);
		record_wake(rec, t->seq, t->r, false);
		break;
	case TASK_QUERY:
	case TASK_GET:
		t->cb(t->ctx, t->r, t->runs, t->nruns);
		break;
	case TASK_CLOSE:
		if (t->r < 0)
			log_error("ledger: %s; %zu rows not written at exit",
			    t->cause ? t->cause : strerror(-t->r), t->nops);
		rec->ledger = NULL;
		record_wake(rec, t->seq, t->r, true);
		record_end(rec);
		break;
	case TASK_OPEN:
		record_open_done(rec, t);
		break;
	case TASK_RESERVE:
		record_reserve_done(rec, t);
		break;
	case TASK_STATES:
		t->states_cb(t->ctx, t->states, t->nruns);
		t->nruns = 0;
		break;
	case TASK_PRUNE:
		if (t->r < 0)
			log_warning("ledger: pruning old runs: %s",
			    t->cause ? t->cause : strerror(-t->r));
		else if (t->pruned)
			log_info("ledger: pruned %zu old runs", t->pruned);
		break;
	}
	record_task_free(t);
	record_pump(rec);
	if (rec->closing && !rec->busy && !rec->ledger)
		rec->idle_cb(rec->owner);
}

void
record_pump(struct record *rec)
{
	struct record_task *t;

	if (rec->busy || !rec->ledger)
		return;
	if (!rec->tasks && rec->nqueue > 0 && !uv_is_active((uv_handle_t *)
	    &rec->retry))
		record_push_task(rec, record_take_queue(rec, TASK_WRITE));
	if (!(t = rec->tasks))
		return;
	rec->tasks = t->next;
	if (!rec->tasks)
		rec->tasks_tail = NULL;
	t->next = NULL;
	record_submit(rec, t);
}

void
record_enqueue(struct record *rec, struct ledger_op *op)
{
	if (rec->nqueue >= RECORD_QUEUE_MAX) {
		if (rec->dropped % 1000 == 0)
			log_warning("ledger: %d rows queued, the limit; "
			    "dropping the oldest (%zu dropped so far)",
			    RECORD_QUEUE_MAX, rec->dropped + 1);
		record_op_free(&rec->queue[0]);
		memmove(rec->queue, rec->queue + 1,
		    --rec->nqueue * sizeof(*op));
		rec->dropped++;
	}
	if (rec->nqueue == rec->cap) {
		rec->cap = rec->cap ? rec->cap * 2 : 64;
		rec->queue = xreallocarray(rec->queue, rec->cap,
		    sizeof(*op));
	}
	rec->queue[rec->nqueue++] = *op;
	rec->enqueued++;
	record_pump(rec);
}

/* The row of a run as it is now; strings copied. */
static void
record_fill(struct ledger_run *row, const struct run *r)
{
	const struct tail_line *l;
	size_t len = 0;
	char *p;

	*row = (struct ledger_run){
		.id = r->id,
		.scheduled = r->scheduled,
		.retry_of = r->retry_of,
		.job = xstrdup(r->name),
		.trigger = xstrdup(run_trigger_name[r->trigger]),
		.queued = r->queued,
		.started = r->started,
		.ended = r->ended,
		.pid = r->pid,
		.has_exit = r->exited && !r->signal,
		.exit_code = r->exit_code,
		.signal = r->signal,
		.reason = r->reason ? xstrdup(r->reason) : NULL,
	};
	if (r->state != RUN_FINISHED)
		return;
	row->result = xstrdup(run_result_name[r->result]);
	row->user_cpu = r->usage.user;
	row->system_cpu = r->usage.system;
	row->peak_rss_kb = r->usage.peak_kb;
	row->duration = r->started && r->ended > r->started ?
	    r->ended - r->started : 0;
	TAILQ_FOREACH(l, &r->tail.lines, entry)
		len += l->len + 1;
	if (len == 0)
		return;
	row->tail = p = xmalloc(len);
	row->tail_len = len;
	TAILQ_FOREACH(l, &r->tail.lines, entry) {
		memcpy(p, l->data, l->len);
		p[l->len] = '\n';
		p += l->len + 1;
	}
}

void
record_run_queued(struct record *rec, const struct run *r)
{
	record_run_started(rec, r);
}

void
record_run_started(struct record *rec, const struct run *r)
{
	struct ledger_op op = { .type = LEDGER_OP_START };

	if (rec->closing)
		return;
	record_fill(&op.run, r);
	record_enqueue(rec, &op);
}

void
record_run_skipped(struct record *rec, uint64_t id, const char *job,
    const char *trigger, usec_t slot, const char *reason)
{
	usec_t now = now_realtime();
	struct ledger_op op = {
		.type = LEDGER_OP_COMPLETE,
		.run = {
			.id = id,
			.job = xstrdup(job),
			.trigger = xstrdup(trigger),
			.scheduled = slot,
			.queued = now,
			.ended = now,
			.result = xstrdup("skipped"),
			.reason = xstrdup(reason),
		},
	};

	if (!rec->closing)
		record_enqueue(rec, &op);
	else
		record_op_free(&op);
}

void
record_job_state(struct record *rec, const char *job, usec_t last_slot,
    usec_t paused_until, unsigned skips)
{
	struct ledger_op op = {
		.type = LEDGER_OP_JOB_STATE,
		.state = {
			.job = xstrdup(job),
			.last_slot = last_slot,
			.paused_until = paused_until,
			.skips_pending = skips,
		},
	};

	if (!rec->closing)
		record_enqueue(rec, &op);
	else
		record_op_free(&op);
}

void
record_run_finished(struct record *rec, const struct run *r)
{
	struct ledger_op op = { .type = LEDGER_OP_COMPLETE };

	if (rec->closing)
		return;
	record_fill(&op.run, r);
	record_enqueue(rec, &op);
}

static void
record_ask(struct record *rec, struct record_task *t)
{
	if (!rec->ledger || rec->closing) {
		t->cb(t->ctx, -ENOTCONN, NULL, 0);
		record_task_free(t);
		return;
	}
	/* Rows queued before the question are part of the answer. */
	if (rec->nqueue > 0)
		record_push_task(rec, record_take_queue(rec, TASK_WRITE));
	record_push_task(rec, t);
	record_pump(rec);
}

void
record_query(struct record *rec, const struct ledger_filter *f,
    record_query_cb cb, void *ctx)
{
	struct record_task *t = xcalloc(1, sizeof(*t));

	t->type = TASK_QUERY;
	t->filter = *f;
	if (f->job)
		t->filter.job = t->filter_job = xstrdup(f->job);
	t->cb = cb;
	t->ctx = ctx;
	record_ask(rec, t);
}

void
record_get_run(struct record *rec, uint64_t id, record_query_cb cb,
    void *ctx)
{
	struct record_task *t = xcalloc(1, sizeof(*t));

	t->type = TASK_GET;
	t->id = id;
	t->cb = cb;
	t->ctx = ctx;
	record_ask(rec, t);
}

void
record_load_states(struct record *rec, char **names,
    void (*cb)(void *, struct ledger_job_state *, size_t), void *ctx)
{
	struct record_task *t;

	if (!rec->ledger || rec->closing) {
		strv_free(names);
		cb(ctx, NULL, 0);
		return;
	}
	t = xcalloc(1, sizeof(*t));
	t->type = TASK_STATES;
	t->names = names;
	t->states_cb = cb;
	t->ctx = ctx;
	record_push_task(rec, t);
	record_pump(rec);
}

void
record_prune(struct record *rec, struct ledger_prune *rules, size_t n)
{
	struct record_task *t;

	if (!rec->ledger || rec->closing) {
		while (n > 0)
			free((char *)rules[--n].job);
		free(rules);
		return;
	}
	t = xcalloc(1, sizeof(*t));
	t->type = TASK_PRUNE;
	t->rules = rules;
	t->nrules = n;
	record_push_task(rec, t);
	record_pump(rec);
}

/* The last call: what is queued, then the ledger closes. */
void
record_push_close(struct record *rec)
{
	struct record_task *t = record_take_queue(rec, TASK_CLOSE);

	t->id = rec->last_id;
	record_push_task(rec, t);
}

void
record_close(struct record *rec)
{
	if (rec->closing)
		return;
	rec->closing = true;
	if (!rec->runs)
		return;		/* never opened */
	uv_timer_stop(&rec->retry);
	if (rec->ledger) {
		record_push_close(rec);
		record_pump(rec);
	} else if (!rec->busy) {
		record_end(rec);
	}
	/* Otherwise the open is in flight, and its completion closes. */
}

static int
record_id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

size_t
record_pending_runs(const struct record *rec)
{
	_cleanup_free_ uint64_t *ids = NULL;
	size_t i, n = 0, distinct = 0;

	if (rec->nqueue == 0)
		return 0;
	ids = xreallocarray(NULL, rec->nqueue, sizeof(*ids));
	for (i = 0; i < rec->nqueue; i++)
		if (rec->queue[i].type != LEDGER_OP_JOB_STATE)
			ids[n++] = rec->queue[i].run.id;
	qsort(ids, n, sizeof(*ids), record_id_cmp);
	for (i = 0; i < n; i++)
		distinct += i == 0 || ids[i] != ids[i - 1];
	return distinct;
}

bool
record_idle(const struct record *rec)
{
	return rec->closing && !rec->busy && !rec->ledger;
}

void
record_free(struct record *rec)
{
	record_ops_free(rec->queue, rec->nqueue);
	rec->queue = NULL;
	rec->nqueue = 0;
	free(rec->error_text);
	rec->error_text = NULL;
	free(rec->state_dir);
	rec->state_dir = NULL;
}

static void
record_queued_cb(struct run_subscriber *sub, struct run *r)
{
	record_run_queued(container_of(sub, struct record, sub), r);
}

static void
record_started_cb(struct run_subscriber *sub, struct run *r)
{
	record_run_started(container_of(sub, struct record, sub), r);
}

static void
record_finished_cb(struct run_subscriber *sub, struct run *r)
{
	record_run_finished(container_of(sub, struct record, sub), r);
}

void
record_subscribe(struct record *rec, struct run_hub *hub)
{
	rec->sub = (struct run_subscriber){ .queued = record_queued_cb,
	    .started = record_started_cb, .finished = record_finished_cb };
	run_hub_subscribe(hub, &rec->sub);
}
