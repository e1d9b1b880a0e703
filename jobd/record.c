/* The record's queue of ledger calls.  Every call on the ledger is a task
 * (record-internal.h) run on the ledger's own executor lane, one at a time
 * and in order, so that no job's file work on the thread pool delays it;
 * when no task waits, the rows queued meanwhile are written. */
#include <stdlib.h>

#include "macro.h"
#include "record-internal.h"
#include "xmalloc.h"

#define RECORD_RETRY_MIN USEC_PER_SEC
#define RECORD_RETRY_MAX (30 * USEC_PER_SEC)

void *
record_task_new(size_t size, const struct record_task_type *type)
{
	struct record_task *t = xcalloc(1, size);

	t->type = type;
	return t;
}

void
record_task_free(struct record_task *t)
{
	if (t->type->clear)
		t->type->clear(t);
	free(t->cause);
	free(t);
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

/* Worker thread. */
static void
record_work(void *data)
{
	struct record_task *t = data;

	t->type->work(t);
}

static void
record_done(void *data, int status)
{
	struct record_task *t = data;
	struct record *rec = t->record;

	(void)status;
	rec->busy = false;
	t->type->done(t);
	record_task_free(t);
	record_pump(rec);
	if (rec->closing && !rec->busy && !rec->ledger)
		rec->idle_cb(rec->owner);
}

void
record_submit(struct record *rec, struct record_task *t)
{
	t->record = rec;
	rec->busy = true;
	executor_lane_submit(&rec->lane, record_work, record_done, t);
}

/* The next task, unless one is in flight; with none queued, the rows
 * queued meanwhile (unless a failed write waits for its retry). */
void
record_pump(struct record *rec)
{
	struct record_task *t;

	if (rec->busy || !rec->ledger)
		return;
	if (!rec->tasks && rec->nqueue > 0 && !uv_is_active((uv_handle_t *)
	    &rec->retry))
		record_push_task(rec, record_write_new(rec));
	if (!(t = rec->tasks))
		return;
	rec->tasks = t->next;
	if (!rec->tasks)
		rec->tasks_tail = NULL;
	t->next = NULL;
	record_submit(rec, t);
}

/* The next retry delay: doubling from 1 s up to 30 s. */
usec_t
record_backoff(struct record *rec)
{
	rec->retry_delay = MIN(MAX(rec->retry_delay * 2, RECORD_RETRY_MIN),
	    RECORD_RETRY_MAX);
	return rec->retry_delay;
}
