/* Closing the record: the last call on the ledger thread writes what is
 * queued (one attempt), frees the run ids above the last one handed out
 * and closes the ledger; then the retry timer and the thread stop, and
 * the record is idle. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "record-internal.h"

struct record_close_task {
	struct record_task task;
	struct record_rows rows;
	uint64_t last_id;		/* handed out: ids above are free */
};

/* Worker thread. */
static void
record_close_work(struct record_task *t)
{
	struct record_close_task *c = (struct record_close_task *)t;
	struct ledger *l = t->record->ledger;

	if (c->rows.n)
		t->r = ledger_write_batch(l, c->rows.ops, c->rows.n,
		    &t->cause);
	/* Ids above the last one handed out are free again, so that a
	 * clean restart continues without a gap. */
	(void)ledger_reserve_ids(l, c->last_id, true, NULL);
	ledger_close(l);
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
record_close_done(struct record_task *t)
{
	struct record_close_task *c = (struct record_close_task *)t;
	struct record *rec = t->record;

	if (t->r < 0)
		log_error("ledger: %s; %zu rows not written at exit",
		    t->cause ? t->cause : strerror(-t->r), c->rows.n);
	rec->ledger = NULL;
	record_wake(rec, c->rows.seq, t->r, true);
	record_end(rec);
}

static void
record_close_clear(struct record_task *t)
{
	struct record_close_task *c = (struct record_close_task *)t;

	record_ops_free(c->rows.ops, c->rows.n);
}

static const struct record_task_type record_close_type = {
	.work = record_close_work,
	.done = record_close_done,
	.clear = record_close_clear,
};

/* The last call: what is queued, then the ledger closes. */
void
record_push_close(struct record *rec)
{
	struct record_close_task *c = record_task_new(sizeof(*c),
	    &record_close_type);

	record_rows_take(rec, &c->rows);
	c->last_id = rec->last_id;
	record_push_task(rec, &c->task);
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
