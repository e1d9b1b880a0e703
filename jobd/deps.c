/* Unit dependencies.  A unit is up when it is a ready service, or a job
 * whose last run succeeded and that has none running.  deps_changed() runs
 * after every change of any unit, so it guards against re-entry (a change
 * it causes loops once more instead) and skips the scan of all services
 * when none has after= or requires=: a start-up makes thousands of
 * changes. */
#include <stdlib.h>
#include <string.h>

#include "deps.h"
#include "job.h"
#include "log.h"
#include "run-ctx.h"
#include "service.h"
#include "strv.h"
#include "sync.h"
#include "units.h"
#include "xmalloc.h"

static void
deps_finished_cb(struct run_subscriber *sub, struct run *r)
{
	struct deps *d = container_of(sub, struct deps, sub);

	/* Services may wait for this job (after=, requires=). */
	if (!r->is_service && d->started)
		deps_changed(d);
}

void
deps_init(struct deps *d, struct units *u, struct sync *sync,
    const struct run_ctx *runs)
{
	*d = (struct deps){ .units = u, .sync = sync, .runs = runs };
}

void
deps_subscribe(struct deps *d, struct run_hub *hub)
{
	d->sub = (struct run_subscriber){ .finished = deps_finished_cb };
	run_hub_subscribe(hub, &d->sub);
}

void
deps_count(struct deps *d)
{
	const struct job *j;

	d->nservices_deps = 0;
	TAILQ_FOREACH(j, &d->units->jobs, entry)
		if (j->config && j->config->service &&
		    (j->config->after || j->config->requires))
			d->nservices_deps++;
}

bool
deps_unit_up(const struct deps *d, const char *name)
{
	struct job *j = units_find(d->units, name);
	struct run *r;

	if (!j)
		return false;
	if (j->service)
		return service_is_up(j->service);
	r = job_last_finished(j);
	return j->nactive == 0 && r && r->result == RESULT_SUCCESS;
}

const char *
deps_required_down(const struct deps *d, const struct job_config *jc)
{
	char **req = jc->requires;
	struct job *j;
	size_t i;

	for (i = 0; req && req[i]; i++) {
		j = units_find(d->units, req[i]);
		if (!j)
			return req[i];
		if (j->service && service_is_down(j->service))
			return req[i];
		if (!j->service && j->nactive == 0 && job_last_finished(j) &&
		    job_last_finished(j)->result != RESULT_SUCCESS)
			return req[i];
	}
	return NULL;
}

const char *
deps_waiting_for(const struct deps *d, const struct job_config *jc)
{
	char **lists[2] = { jc->after, jc->requires };
	size_t k, i;

	for (k = 0; k < 2; k++)
		for (i = 0; lists[k] && lists[k][i]; i++)
			if (!deps_unit_up(d, lists[k][i]))
				return lists[k][i];
	return NULL;
}

void
deps_pull(struct deps *d, const struct job_config *jc)
{
	char **lists[2] = { jc->wants, jc->requires };
	struct job *j;
	size_t k, i;

	for (k = 0; k < 2; k++) {
		for (i = 0; lists[k] && lists[k][i]; i++) {
			j = units_find(d->units, lists[k][i]);
			if (!j)
				continue;
			if (j->service)
				service_pull(j->service);
			else if (!j->nactive && !deps_unit_up(d, j->name))
				job_trigger(j, TRIGGER_DEPENDENCY);
		}
	}
}

/* Whether a running service still depends on s (after= or requires=):
 * at shutdown s waits for it, so services stop in reverse order. */
static bool
deps_running_dependents(const struct deps *d, const struct service *s)
{
	const struct job_config *c;
	const struct job *j;

	TAILQ_FOREACH(j, &d->units->jobs, entry) {
		if (!j->service || !j->service->run || j == s->job ||
		    !(c = j->config))
			continue;
		if (strv_contains(c->after, s->job->name) ||
		    strv_contains(c->requires, s->job->name))
			return true;
	}
	return false;
}

static void
deps_step(struct deps *d, struct service *s)
{
	if (d->runs->stopping) {
		if (s->run && s->state != SVC_STOPPING &&
		    !deps_running_dependents(d, s))
			service_stop(s, NULL);
		return;
	}
	service_recheck(s);
}

void
deps_changed(struct deps *d)
{
	struct job *j;

	/* State changes inside re-enter here: note it and loop instead. */
	if (d->busy) {
		d->again = true;
		return;
	}
	d->busy = true;
	do {
		d->again = false;
		/* Only services with after= or requires= can have something
		 * to do (until shutdown). */
		if (!d->runs->stopping && d->nservices_deps == 0)
			j = NULL;
		else
			j = TAILQ_FIRST(&d->units->jobs);
		for (; j; j = TAILQ_NEXT(j, entry))
			if (j->service && j->config)
				deps_step(d, j->service);
		/* Job runs waiting for their after= units move on too. */
		sync_retry(d->sync);
	} while (d->again);
	d->busy = false;
}

void
deps_service_changed(struct deps *d, const struct service *s)
{
	/* At shutdown only what went down lets others stop. */
	if (!d->runs->stopping || s->state == SVC_STOPPED ||
	    s->state == SVC_FAILED)
		deps_changed(d);
}
