/* The jobs' schedule states read back from the ledger (last slot
 * handled, pause, skips pending), at start and at a reload, one job after
 * another on the ledger thread; a job with none on record gets none. */
#include <stdlib.h>

#include "record-internal.h"
#include "strv.h"
#include "xmalloc.h"

struct record_states_task {
	struct record_task task;
	char **names;			/* in */
	struct ledger_job_state *states;	/* out, one per name */
	size_t n;
	void (*cb)(void *, struct ledger_job_state *, size_t);
	void *ctx;
};

/* Worker thread. */
static void
record_states_work(struct record_task *t)
{
	struct record_states_task *s = (struct record_states_task *)t;
	size_t i;

	s->n = strv_length(s->names);
	s->states = xcalloc(s->n + 1, sizeof(*s->states));
	for (i = 0; i < s->n; i++)
		if (ledger_job_state_get(t->record->ledger, s->names[i],
		    &s->states[i], NULL) < 0)
			s->states[i] = (struct ledger_job_state){ 0 };
}

static void
record_states_done(struct record_task *t)
{
	struct record_states_task *s = (struct record_states_task *)t;

	s->cb(s->ctx, s->states, s->n);
}

/* What cb did not take out (it NULLs what it keeps). */
static void
record_states_clear(struct record_task *t)
{
	struct record_states_task *s = (struct record_states_task *)t;
	size_t i;

	for (i = 0; s->states && i < s->n; i++)
		ledger_job_state_free_contents(&s->states[i]);
	free(s->states);
	strv_free(s->names);
}

static const struct record_task_type record_states_type = {
	.work = record_states_work,
	.done = record_states_done,
	.clear = record_states_clear,
};

void
record_load_states(struct record *rec, char **names,
    void (*cb)(void *, struct ledger_job_state *, size_t), void *ctx)
{
	struct record_states_task *s;

	if (!rec->ledger || rec->closing) {
		strv_free(names);
		cb(ctx, NULL, 0);
		return;
	}
	s = record_task_new(sizeof(*s), &record_states_type);
	s->names = names;
	s->cb = cb;
	s->ctx = ctx;
	record_push_task(rec, &s->task);
	record_pump(rec);
}
