/* Jobs at runtime.  A job owns its runs: unfinished ones on job->runs, and
 * up to JOB_HISTORY_MAX finished ones on job->history, so that `wait` and
 * `logs --run` still find a run that just ended.  What follows a run's end
 * (the ledger, admission, hooks, the scheduler) listens to the runs' news
 * (run-events.h); a job only keeps its lists. */
#include <stdint.h>
#include <stdlib.h>

#include "heap.h"
#include "job.h"
#include "units.h"
#include "xmalloc.h"

struct job *
job_new(struct run_ctx *ctx, const struct job_config *jc)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->ctx = ctx;
	j->name = xstrdup(jc->name);
	j->config = jc;
	j->sched.heap_index = SIZE_MAX;
	j->alert.heap_index = SIZE_MAX;
	TAILQ_INIT(&j->runs);
	TAILQ_INIT(&j->history);
	return j;
}

struct run *
job_trigger(struct job *j, enum run_trigger trigger)
{
	return job_trigger_full(j, trigger, &(struct run_opts){ 0 });
}

struct run *
job_trigger_slot(struct job *j, enum run_trigger trigger, usec_t slot)
{
	return job_trigger_full(j, trigger, &(struct run_opts){ .slot = slot });
}

struct run *
job_trigger_observed(struct job *j, enum run_trigger trigger,
    struct run_observer *o)
{
	return job_trigger_full(j, trigger,
	    &(struct run_opts){ .observer = o });
}

/* A new run: on the job's list and in the registry, then queued (the
 * news: the ledger's row, admission, which may start it at once). */
struct run *
job_trigger_full(struct job *j, enum run_trigger trigger,
    const struct run_opts *opts)
{
	struct run_ctx *ctx = j->ctx;
	struct run *r;

	r = run_new(ctx, j, j->name, j->config, trigger,
	    opts->id ? opts->id : ctx->next_id(ctx->owner), opts);
	if (opts->observer)
		run_observe(r, opts->observer);
	j->last_started = r->queued;
	TAILQ_INSERT_TAIL(&j->runs, r, entry);
	j->nactive++;
	units_add_run(ctx->units, r);
	run_hub_publish(&ctx->hub, RUN_NEWS_QUEUED, r);
	ctx->admit(ctx->owner, r);
	return r;
}

static void
job_finished_cb(struct run_subscriber *sub, struct run *r)
{
	struct job *j = r->job;

	(void)sub;
	TAILQ_REMOVE(&j->runs, r, entry);
	TAILQ_INSERT_TAIL(&j->history, r, entry);
	j->nactive--;
	j->nhistory++;
}

/* Drops the oldest finished runs beyond the bound, if their handles are
 * closed; a run still closing is dropped on a later call. */
static void
job_trim_history(struct job *j, unsigned keep)
{
	struct run *r, *tmp;
	unsigned n = 0;

	TAILQ_FOREACH_SAFE(r, &j->history, entry, tmp) {
		if (j->nhistory <= keep)
			break;
		if (!run_is_freeable(r))
			continue;
		TAILQ_REMOVE(&j->history, r, entry);
		j->nhistory--;
		units_remove_run(j->ctx->units, r);
		run_free(r);
		n++;
	}
	if (n)
		heap_churned(j->ctx->heap, n);
}

static void
job_closed_cb(struct run_subscriber *sub, struct run *r)
{
	struct job *j = r->job;

	(void)sub;
	job_trim_history(j, JOB_HISTORY_MAX);
	units_run_closed(j->ctx->units);
	job_maybe_free(j);
}

void
job_subscribe(struct run_ctx *ctx)
{
	ctx->sub = (struct run_subscriber){ .finished = job_finished_cb,
	    .closed = job_closed_cb };
	run_hub_subscribe(&ctx->hub, &ctx->sub);
}

struct run *
job_last_run(const struct job *j)
{
	if (!TAILQ_EMPTY(&j->runs))
		return TAILQ_LAST(&j->runs, run_list);
	return job_last_finished(j);
}

struct run *
job_last_finished(const struct job *j)
{
	/* Runs are appended to the history in the order they finished. */
	return TAILQ_LAST(&j->history, run_list);
}

void
job_maybe_free(struct job *j)
{
	struct run *r;

	if (j->config || j->nactive)
		return;
	TAILQ_FOREACH(r, &j->history, entry)
		if (!run_is_freeable(r))
			return;
	units_remove(j->ctx->units, j);
	job_free(j);
}

void
job_free(struct job *j)
{
	struct run *r, *tmp;

	TAILQ_FOREACH_SAFE(r, &j->history, entry, tmp) {
		units_remove_run(j->ctx->units, r);
		run_free(r);
	}
	free(j->sched.queue);
	run_who_free(&j->sched.skip_by);
	if (j->ctx->freeing)
		j->ctx->freeing(j->ctx->owner, j);
	free(j->name);
	free(j);
}
