/* The rows waiting for the ledger, queued on the loop: a run's row when the
 * run hub says it is queued, starts and finishes, a skipped slot, a job's
 * schedule state (and alert attempts, alert states and events:
 * record-alert-log.c, record-alert-state.c).  The queue is bounded
 * (RECORD_QUEUE_MAX): past it the oldest row is dropped and counted, so
 * that a ledger that cannot write for long never costs more than that
 * much memory; jobs keep running. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "record-internal.h"
#include "run.h"
#include "xmalloc.h"

void
record_op_free(struct ledger_op *op)
{
	switch (op->type) {
	case LEDGER_OP_JOB_STATE:
		free(op->state.job);
		return;
	case LEDGER_OP_ALERT_STATE:
		free(op->alert.job);
		return;
	case LEDGER_OP_EVENT_SET:
	case LEDGER_OP_EVENT_CLEAR:
		free(op->event.name);
		return;
	case LEDGER_OP_ALERT_LOG:
		free(op->alert_log.alert);
		free(op->alert_log.sink);
		free(op->alert_log.event);
		free(op->alert_log.job);
		free(op->alert_log.status);
		free(op->alert_log.detail);
		return;
	case LEDGER_OP_START:
	case LEDGER_OP_COMPLETE:
		break;
	default:
		return;
	}
	free(op->run.job);
	free(op->run.trigger);
	free(op->run.result);
	free(op->run.reason);
	free(op->run.tail);
	free(op->run.hook_of_job);
	free(op->run.chain_first_job);
}

void
record_ops_free(struct ledger_op *ops, size_t n)
{
	size_t i;

	for (i = 0; ops && i < n; i++)
		record_op_free(&ops[i]);
	free(ops);
}

void
record_drop_oldest(struct record *rec)
{
	record_op_free(&rec->queue[0]);
	memmove(rec->queue, rec->queue + 1,
	    --rec->nqueue * sizeof(*rec->queue));
	rec->dropped++;
}

void
record_enqueue(struct record *rec, struct ledger_op *op)
{
	if (rec->nqueue >= RECORD_QUEUE_MAX) {
		if (rec->dropped % 1000 == 0)
			log_warning("ledger: %d rows queued, the limit; "
			    "dropping the oldest (%zu dropped so far)",
			    RECORD_QUEUE_MAX, rec->dropped + 1);
		record_drop_oldest(rec);
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

/* The output tail, one line after another, each ended by a newline. */
static void
record_fill_tail(struct ledger_run *row, const struct run *r)
{
	const struct tail_line *l;
	size_t len = 0;
	char *p;

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

/* A hook's chain in its row; strings copied. */
static void
record_fill_chain(struct ledger_run *row, const struct run_chain *c)
{
	if (!c)
		return;
	row->hook_of = c->hook_of;
	row->hook_of_job = xstrdup(c->hook_of_job);
	row->chain_first = c->first;
	row->chain_first_job = xstrdup(c->first_job);
	row->chain_depth = c->depth;
}

/* The row of a run as it is now; strings copied. */
static void
record_fill(struct ledger_run *row, const struct run *r)
{
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
	record_fill_chain(row, r->chain);
	if (r->state != RUN_FINISHED)
		return;
	row->result = xstrdup(run_result_name[r->result]);
	row->user_cpu = r->usage.user;
	row->system_cpu = r->usage.system;
	row->peak_rss_kb = r->usage.peak_kb;
	row->duration = r->started && r->ended > r->started ?
	    r->ended - r->started : 0;
	record_fill_tail(row, r);
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
record_run_finished(struct record *rec, const struct run *r)
{
	struct ledger_op op = { .type = LEDGER_OP_COMPLETE };

	if (rec->closing)
		return;
	record_fill(&op.run, r);
	record_enqueue(rec, &op);
}

/* A run that was never started: skipped now, with its reason. */
static struct ledger_op
record_skipped_op(uint64_t id, const char *job, const char *trigger,
    const char *reason)
{
	usec_t now = now_realtime();

	return (struct ledger_op){
		.type = LEDGER_OP_COMPLETE,
		.run = {
			.id = id,
			.job = xstrdup(job),
			.trigger = xstrdup(trigger),
			.queued = now,
			.ended = now,
			.result = xstrdup("skipped"),
			.reason = xstrdup(reason),
		},
	};
}

void
record_run_skipped(struct record *rec, uint64_t id, const char *job,
    const char *trigger, usec_t slot, const char *reason)
{
	struct ledger_op op = record_skipped_op(id, job, trigger, reason);

	op.run.scheduled = slot;
	if (!rec->closing)
		record_enqueue(rec, &op);
	else
		record_op_free(&op);
}

void
record_hook_skipped(struct record *rec, uint64_t id, const char *job,
    const struct run_chain *c, const char *reason)
{
	struct ledger_op op = record_skipped_op(id, job,
	    run_trigger_name[TRIGGER_DEPENDENCY], reason);

	record_fill_chain(&op.run, c);
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

int
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
		if (ledger_op_is_run(&rec->queue[i]))
			ids[n++] = rec->queue[i].run.id;
	qsort(ids, n, sizeof(*ids), record_id_cmp);
	for (i = 0; i < n; i++)
		distinct += i == 0 || ids[i] != ids[i - 1];
	return distinct;
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
