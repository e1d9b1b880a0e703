/* The transient jobs' definitions and their place in the registry.  A
 * reload points every job at the new config's definitions and retires
 * those without one: transient_reattach() runs in between, so transient
 * jobs neither look removed nor get retired.  Removing one is what a
 * reload does to a job the files dropped: the definition goes at once
 * (a run copies what it needs when it is made), the job when its last
 * run has closed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config-transient.h"
#include "job.h"
#include "log.h"
#include "run-ctx.h"
#include "scheduler.h"
#include "transient.h"
#include "units.h"
#include "xmalloc.h"

void
transient_init(struct transient *t, struct run_ctx *runs,
    struct units *units, struct sched *sched)
{
	*t = (struct transient){ .runs = runs, .units = units,
	    .sched = sched };
}

static size_t
transient_index(const struct transient *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->jobs[i]->name, name))
			return i;
	return SIZE_MAX;
}

/* Takes the definition out of the list and the job out of service. */
static void
transient_drop(struct transient *t, size_t i)
{
	struct job_config *jc = t->jobs[i];
	struct job *j = units_find_any(t->units, jc->name);

	memmove(&t->jobs[i], &t->jobs[i + 1], (t->n - i - 1) *
	    sizeof(*t->jobs));
	t->n--;
	if (j && j->config == jc) {
		j->config = NULL;
		sched_job_removed(t->sched, j);
		job_maybe_free(j);
	}
	config_transient_free(jc);
}

/* The oldest one-shot job with no run in flight, or SIZE_MAX. */
static size_t
transient_evictable(const struct transient *t)
{
	struct job *j;
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (job_config_is_periodic(t->jobs[i]))
			continue;
		j = units_find(t->units, t->jobs[i]->name);
		if (!j || j->nactive == 0)
			return i;
	}
	return SIZE_MAX;
}

int
transient_add(struct transient *t, struct job_config *jc, struct job **ret)
{
	struct job *j;
	size_t i;

	if (units_find_any(t->units, jc->name) ||
	    config_find_job(t->runs->config, jc->name))
		return -EEXIST;
	if (t->n >= TRANSIENT_MAX) {
		if ((i = transient_evictable(t)) == SIZE_MAX)
			return -ENOSPC;
		transient_drop(t, i);
	}
	t->jobs = xreallocarray(t->jobs, t->n + 1, sizeof(*t->jobs));
	t->jobs[t->n++] = jc;
	j = job_new(t->runs, jc);
	units_add(t->units, j);
	if (job_config_is_periodic(jc))
		sched_job_changed(t->sched, j);
	*ret = j;
	return 0;
}

int
transient_remove(struct transient *t, const char *name)
{
	size_t i = transient_index(t, name);

	if (i == SIZE_MAX)
		return units_find(t->units, name) ? -EPERM : -ENOENT;
	transient_drop(t, i);
	return 0;
}

void
transient_reattach(struct transient *t)
{
	struct job *j;
	size_t i = 0;

	while (i < t->n) {
		j = units_find_any(t->units, t->jobs[i]->name);
		if (j && !j->config) {
			j->config = t->jobs[i++];
			continue;
		}
		/* The files define that name now: theirs wins. */
		log_notice("transient job '%s' gives way to the job of the "
		    "same name the configuration now defines",
		    t->jobs[i]->name);
		config_transient_free(t->jobs[i]);
		memmove(&t->jobs[i], &t->jobs[i + 1], (t->n - i - 1) *
		    sizeof(*t->jobs));
		t->n--;
	}
}

void
transient_free(struct transient *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		config_transient_free(t->jobs[i]);
	free(t->jobs);
	*t = (struct transient){ 0 };
}
