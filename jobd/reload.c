/* A reload reads and checks the files on the executor (they may block),
 * with the names in them resolved there too; the loop only plans and
 * swaps.  Reloads may overlap: each has a generation.  The first config
 * goes in force through reload_apply() too. */
#include <errno.h>
#include <stdlib.h>

#include "access.h"
#include "alert-policy.h"
#include "cgroup-limits.h"
#include "config.h"
#include "deps.h"
#include "executor.h"
#include "heap.h"
#include "job.h"
#include "log.h"
#include "manager.h"
#include "method.h"
#include "cluster.h"
#include "reload.h"
#include "run-ctx.h"
#include "scheduler.h"
#include "service.h"
#include "strv.h"
#include "units.h"
#include "watch.h"
#include "xmalloc.h"

struct reload_req {
	struct reload *reload;
	char *path;
	bool dry_run;
	unsigned gen;
	int r;
	struct config *config;
	char **errors;
	void (*cb)(void *ctx, int r, char **errors,
	    const struct reload_plan *plan);
	void *ctx;
};

void
reload_apply(struct reload *rl, struct config *c, char **restart)
{
	struct job_config *jc;
	struct job *j, *tmp;

	TAILQ_FOREACH(j, &rl->units->jobs, entry)
		j->config = NULL;
	TAILQ_FOREACH(jc, &c->jobs, entry) {
		j = units_find_any(rl->units, jc->name);
		if (j)
			j->config = jc;
		else
			units_add(rl->units, job_new(rl->runs, jc));
	}
	config_free(rl->config);
	rl->config = c;
	rl->runs->config = c;
	if (rl->cluster)
		cluster_definitions(rl->cluster, c->units_hash);
	services_apply_config(rl->units, rl->services, rl->deps->started,
	    restart);
	deps_count(rl->deps);
	deps_changed(rl->deps);
	if (rl->deps->started)
		watch_apply(rl->watches);
	TAILQ_FOREACH_SAFE(j, &rl->units->jobs, entry, tmp) {
		if (j->config) {
			sched_job_changed(rl->sched, j);
			alert_policy_job_changed(rl->alerts, j);
		} else {
			sched_job_removed(rl->sched, j);
			alert_policy_job_removed(rl->alerts, j);
		}
		job_maybe_free(j);
	}
}

/* Worker thread: reading and parsing files may block. */
static void
reload_work(void *data)
{
	struct reload_req *q = data;

	q->r = config_load(q->path, &q->config, &q->errors);
	/* jobd's cgroup is known since the start and never changes. */
	if (q->r == 0 && cgroup_limits_refuse(q->config,
	    q->reload->runs->cgroup, &q->errors) > 0) {
		q->config = config_free(q->config);
		q->r = -EINVAL;
	}
	if (q->r == 0)
		access_resolve(q->config);
}

static void
reload_make_plan(const struct reload *rl, const struct config *c,
    struct reload_plan *p)
{
	const struct job_config *jc;
	struct job *j;

	TAILQ_FOREACH(jc, &c->jobs, entry) {
		j = units_find(rl->units, jc->name);
		if (!j) {
			p->added = strv_append(p->added, jc->name);
		} else if (job_config_equal(j->config, jc)) {
			p->unchanged = strv_append(p->unchanged, jc->name);
		} else {
			p->changed = strv_append(p->changed, jc->name);
			/* A service restarts only for a new exec context, and
			 * only when it is up or coming up (a reload neither
			 * starts a stopped service nor revives a failed one);
			 * a job's runs keep theirs, so jobs only update. */
			if (jc->service && j->config->service && j->service &&
			    service_is_active(j->service) &&
			    !job_config_exec_equal(j->config, jc))
				p->restarted = strv_append(p->restarted,
				    jc->name);
			else
				p->updated = strv_append(p->updated, jc->name);
		}
	}
	TAILQ_FOREACH(j, &rl->units->jobs, entry)
		if (j->config && !config_find_job(c, j->name))
			p->removed = strv_append(p->removed, j->name);
}

static void
reload_plan_free(struct reload_plan *plan)
{
	strv_free(plan->added);
	strv_free(plan->removed);
	strv_free(plan->changed);
	strv_free(plan->unchanged);
	strv_free(plan->restarted);
	strv_free(plan->updated);
}

static void
reload_done(void *data, int status)
{
	struct reload_req *q = data;
	struct reload *rl = q->reload;
	struct reload_plan plan = { 0 };
	size_t i;

	(void)status;
	if (q->r < 0 || rl->runs->stopping) {
		for (i = 0; q->errors && q->errors[i]; i++)
			log_error("%s", q->errors[i]);
		if (q->r < 0)
			log_error("reload failed: the configuration has %zu "
			    "errors; keeping the running one",
			    strv_length(q->errors));
		if (q->cb)
			q->cb(q->ctx, q->r < 0 ? q->r : -ESHUTDOWN, q->errors,
			    NULL);
		config_free(q->config);
		goto out;
	}
	reload_make_plan(rl, q->config, &plan);
	if (!q->dry_run && q->gen > rl->applied) {
		/* A reload that finished after a newer one is not applied:
		 * the newer one read the files later. */
		rl->applied = q->gen;
		log_info("configuration reloaded: %zu added, %zu removed, "
		    "%zu changed", strv_length(plan.added),
		    strv_length(plan.removed), strv_length(plan.changed));
		reload_apply(rl, TAKE_PTR(q->config), plan.restarted);
	}
	config_free(q->config);
	if (q->cb)
		q->cb(q->ctx, 0, NULL, &plan);
	reload_plan_free(&plan);
out:
	/* The old config (or the refused new one) is freed: a burst. */
	heap_trim_soon(rl->heap);
	/* Applied or refused, the daemon is ready again. */
	if (!q->dry_run && !rl->runs->stopping && rl->manager->notify)
		manager_ready(rl->manager);
	strv_free(q->errors);
	free(q->path);
	free(q);
}

void
reload_request(struct reload *rl, bool dry_run,
    void (*cb)(void *, int, char **, const struct reload_plan *), void *ctx)
{
	struct reload_req *q = xcalloc(1, sizeof(*q));

	q->reload = rl;
	q->path = xstrdup(rl->config_path);
	q->dry_run = dry_run;
	q->gen = ++rl->gen;
	q->cb = cb;
	q->ctx = ctx;
	if (!dry_run)
		manager_reloading(rl->manager);
	executor_submit(rl->executor, reload_work, reload_done, q);
}

void
reload_free(struct reload *rl)
{
	rl->config = config_free(rl->config);
}
