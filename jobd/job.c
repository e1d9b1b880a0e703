/* Jobs at runtime.  A job owns its runs: unfinished ones on job->runs, and
 * up to JOB_HISTORY_MAX finished ones on job->history, so that `wait` and
 * `logs --run` still find a run that just ended. */
#include <stdint.h>
#include <stdlib.h>

#include "daemon.h"
#include "hooks.h"
#include "job.h"
#include "log.h"
#include "sync.h"
#include "watch.h"
#include "xmalloc.h"

struct job *
job_new(struct daemon *d, const struct job_config *jc)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->daemon = d;
	j->name = xstrdup(jc->name);
	j->config = jc;
	j->sched.heap_index = SIZE_MAX;
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

struct run *
job_trigger_full(struct job *j, enum run_trigger trigger,
    const struct run_opts *opts)
{
	struct run *r;

	r = run_new(j, trigger, daemon_next_run_id(j->daemon), opts);
	if (opts->observer)
		run_observe(r, opts->observer);
	j->last_started = r->queued;
	TAILQ_INSERT_TAIL(&j->runs, r, entry);
	j->nactive++;
	j->daemon->nruns_open++;
	record_run_queued(&j->daemon->record, r);
	bus_emit_run(j->daemon, "run-queued", r);
	run_begin(r);
	return r;
}

void
job_run_finished(struct job *j, struct run *r)
{
	TAILQ_REMOVE(&j->runs, r, entry);
	TAILQ_INSERT_TAIL(&j->history, r, entry);
	j->nactive--;
	j->nhistory++;
	sync_release(&j->daemon->sync, r);
	hooks_run_finished(j, r);
	if (j->config)
		sched_run_finished(&j->daemon->sched, j);
	if (j->daemon->watches)
		watch_job_idle(j->daemon, j);
	/* Services may wait for this job (after=, requires=). */
	if (!j->service && j->daemon->services_started)
		service_deps_changed(j->daemon);
}

void
job_skip_slot(struct job *j, enum run_trigger trigger, usec_t slot,
    const char *reason)
{
	struct daemon *d = j->daemon;
	uint64_t id = daemon_next_run_id(d);

	log_full(LOG_NOTICE, j->name, id, "job '%s': slot %s skipped: %s",
	    j->name, timestamp_format((char[TIMESTAMP_MAX]){ 0 },
	    TIMESTAMP_MAX, slot), reason);
	record_run_skipped(&d->record, id, j->name, run_trigger_name[trigger],
	    slot, reason);
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
		run_free(r);
		n++;
	}
	if (n)
		heap_churned(&j->daemon->heap, n);
}

void
job_run_closed(struct job *j, struct run *r)
{
	struct daemon *d = j->daemon;

	(void)r;
	job_trim_history(j, JOB_HISTORY_MAX);
	d->nruns_open--;
	job_maybe_free(j);
	daemon_run_closed(d);
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
	struct run *r;

	/* The newest finished run that has a result; runs are appended to
	 * the history in the order they finished. */
	r = TAILQ_LAST(&j->history, run_list);
	return r;
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
	TAILQ_REMOVE(&j->daemon->jobs, j, entry);
	job_free(j);
}

void
job_free(struct job *j)
{
	struct run *r, *tmp;

	TAILQ_FOREACH_SAFE(r, &j->history, entry, tmp)
		run_free(r);
	free(j->sched.queue);
	service_free(j->service);
	free(j->name);
	free(j);
}
