/* Methods that read jobs: List, Status and Summary, and the JSON shape of
 * a job, a run and a service that every method shares.  The shapes are
 * written straight as text (json-writer.h): List and Status grow with the
 * number of jobs, and a jansson tree of 1000 services took 20 ms. */
#include <string.h>

#include "config.h"
#include "macro.h"
#include "control.h"
#include "config.h"
#include "job.h"
#include "run-ctx.h"
#include "units.h"
#include "job.h"
#include "method.h"
#include "run.h"
#include "service.h"

/* brief: the Summary shape, what jobctl's human views print. */
static void
run_write(struct json_writer *w, const struct run *r, bool brief)
{
	usec_t end;

	jw_open(w, '{');
	jw_kint(w, "id", (long long)r->id);
	if (!brief) {
		jw_kstr(w, "job", r->job->name);
		jw_kstr(w, "trigger", run_trigger_name[r->trigger]);
	}
	jw_kstr(w, "state", run_state_name[r->state]);
	if (!brief || !r->started)
		jw_kint(w, "queued_usec", (long long)r->queued);
	if (r->scheduled && !brief)
		jw_kint(w, "scheduled_usec", (long long)r->scheduled);
	if (r->retry_of && !brief) {
		jw_kint(w, "retry_of", (long long)r->retry_of);
		jw_kint(w, "attempt", r->attempt + 1);
	}
	if (r->chain && !brief) {
		jw_kint(w, "hook_of", (long long)r->chain->hook_of);
		jw_kstr(w, "hook_of_job", r->chain->hook_of_job);
		jw_kint(w, "chain_first", (long long)r->chain->first);
		jw_kstr(w, "chain_first_job", r->chain->first_job);
		jw_kint(w, "chain_depth", r->chain->depth);
	}
	if (r->pid > 0)
		jw_kint(w, "pid", r->pid);
	if (r->started) {
		jw_kint(w, "started_usec", (long long)r->started);
		end = r->ended ? r->ended : now_realtime();
		jw_kint(w, "runtime_usec",
		    end > r->started ? (long long)(end - r->started) : 0);
	}
	if (r->ended)
		jw_kint(w, "ended_usec", (long long)r->ended);
	if (r->state == RUN_FINISHED)
		jw_kstr(w, "result", run_result_name[r->result]);
	if (r->exited && !brief)
		jw_kint(w, r->signal ? "signal" : "exit_code",
		    r->signal ? r->signal : r->exit_code);
	if (r->exited)
		jw_kint(w, "exit_status", run_exit_status(r));
	if (r->reason)
		jw_kstr(w, "reason", r->reason);
	if ((r->usage.user || r->usage.system) && !brief) {
		jw_kint(w, "user_cpu_usec", (long long)r->usage.user);
		jw_kint(w, "system_cpu_usec", (long long)r->usage.system);
	}
	if (r->usage.peak_kb && !brief)
		jw_kint(w, "peak_rss_kb", (long long)r->usage.peak_kb);
	if (r->waiting_for && r->state == RUN_PENDING)
		jw_kstr(w, "waiting_for", r->waiting_for);
	else if (r->spawning)
		jw_kstr(w, "waiting_for", "spawn");
	jw_close(w, '}');
}

void
method_run_write(struct json_writer *w, const struct run *r)
{
	run_write(w, r, false);
}

/* Next firing and pause, shared by the Job and JobSummary shapes. */
static void
job_sched_write(struct json_writer *w, const struct job *j)
{
	if (j->sched.heap_index != SIZE_MAX)
		jw_kint(w, "next_usec", (long long)j->sched.fire_at);
	if (j->sched.paused_until)
		jw_kint(w, "paused_until_usec", (long long)MIN(
		    j->sched.paused_until, (usec_t)INT64_MAX));
}

/* groups: the [group]s naming the unit, when any. */
static void
job_groups_write(struct json_writer *w, const struct job_config *jc)
{
	size_t i;

	if (!jc || !jc->groups)
		return;
	jw_key(w, "groups");
	jw_open(w, '[');
	for (i = 0; jc->groups[i]; i++)
		jw_string(w, jc->groups[i]);
	jw_close(w, ']');
}

/* What alerts know of a unit: failing (only when it is), and a job's
 * dead man's switch: its span, overdue and since when, or the deadline
 * of its next success. */
static void
job_alert_write(struct json_writer *w, const struct job *j)
{
	const struct job_alert *a = &j->alert;
	usec_t within = j->config && !j->config->service ?
	    j->config->policy.expect_success_within : 0;

	if (a->failing) {
		jw_key(w, "failing");
		jw_bool(w, true);
	}
	if (!within)
		return;
	jw_kint(w, "expect_success_within_usec", (long long)within);
	jw_key(w, "overdue");
	jw_bool(w, a->overdue);
	if (a->overdue)
		jw_kint(w, "overdue_since_usec", (long long)a->overdue_since);
	else if (a->deadline)
		jw_kint(w, "expect_success_by_usec", (long long)a->deadline);
}

void
method_job_write(struct json_writer *w, const struct job *j)
{
	const struct job_config *jc = j->config;
	struct run *last = job_last_finished(j);
	size_t i;

	jw_open(w, '{');
	jw_kstr(w, "name", j->name);
	jw_kstr(w, "description",
	    jc && jc->description ? jc->description : "");
	jw_kstr(w, "state", j->nactive ? "running" : "idle");
	jw_key(w, "command");
	jw_open(w, '[');
	for (i = 0; jc && jc->command && jc->command[i]; i++)
		jw_string(w, jc->command[i]);
	jw_close(w, ']');
	jw_kint(w, "running", j->nactive);
	job_sched_write(w, j);
	job_alert_write(w, j);
	if (last) {
		jw_key(w, "last");
		run_write(w, last, false);
	}
	jw_kstr(w, "kind", j->service ? "service" : "job");
	job_groups_write(w, jc);
	if (j->service) {
		jw_key(w, "service");
		method_service_write(w, j->service);
	}
	jw_close(w, '}');
}

/* A job as jobctl list and status print it: one flat object; a service's
 * fields beside the job's, and its running process left out of runs (its
 * pid and uptime are already there).  About a quarter of Status's bytes,
 * which is what makes `jobctl status` of 1000 services fast: jobctl's
 * parsing grows with the bytes. */
static void
job_summary_write(struct json_writer *w, const struct job *j)
{
	const struct job_config *jc = j->config;
	const struct service *s = j->service;
	struct run *last = job_last_finished(j), *r;
	bool any = false;

	jw_open(w, '{');
	jw_kstr(w, "name", j->name);
	if (jc && jc->description && *jc->description)
		jw_kstr(w, "description", jc->description);
	jw_kstr(w, "kind", s ? "service" : "job");
	job_groups_write(w, jc);
	if (s)
		method_service_fields(w, s);
	else
		jw_kstr(w, "state", j->nactive ? "running" : "idle");
	job_sched_write(w, j);
	job_alert_write(w, j);
	if (last) {
		jw_key(w, "last");
		run_write(w, last, true);
	}
	TAILQ_FOREACH(r, &j->runs, entry) {
		if (s && r == s->run && r->state == RUN_RUNNING)
			continue;
		if (!any) {
			jw_key(w, "runs");
			jw_open(w, '[');
			any = true;
		}
		run_write(w, r, true);
	}
	if (any)
		jw_close(w, ']');
	jw_close(w, '}');
}

void
method_list(struct conn *c, json_t *params)
{
	struct method_ctx *m = ctl_ctx(c);
	struct json_writer w;
	struct job *j;

	if (ctl_params(c, params, NULL, 0, NULL) < 0)
		return;
	jw_init(&w);
	jw_open(&w, '{');
	jw_key(&w, "jobs");
	jw_open(&w, '[');
	TAILQ_FOREACH(j, &m->units->jobs, entry)
		if (j->config)
			method_job_write(&w, j);
	jw_close(&w, ']');
	jw_close(&w, '}');
	ctl_reply_text(c, &w, false);
}

/* One entry of Status's or Summary's jobs. */
static void
job_status_write(struct json_writer *w, const struct job *j, bool summary)
{
	struct run *r;

	if (summary) {
		job_summary_write(w, j);
		return;
	}
	jw_open(w, '{');
	jw_key(w, "job");
	method_job_write(w, j);
	jw_key(w, "runs");
	jw_open(w, '[');
	TAILQ_FOREACH(r, &j->runs, entry)
		method_run_write(w, r);
	jw_close(w, ']');
	jw_close(w, '}');
}

/* Status and Summary: one job or every job that is configured or still
 * has runs, then the locks, semaphores and events. */
static void
jobs_reply(struct conn *c, json_t *params, bool summary)
{
	static const struct ctl_param spec[] = {
		{ "job", CTL_STRING, false, 0 },
	};
	struct method_ctx *m = ctl_ctx(c);
	struct json_writer w;
	const char *name;
	struct job *j;
	json_t *sync;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &name) < 0)
		return;
	j = name ? units_find(m->units, name) : NULL;
	if (name && !j) {
		ctl_error(c, IFACE_ERROR("NoSuchJob"),
		    json_pack("{s:s}", "job", name));
		return;
	}
	jw_init(&w);
	jw_open(&w, '{');
	jw_key(&w, "jobs");
	jw_open(&w, '[');
	if (j)
		job_status_write(&w, j, summary);
	else
		TAILQ_FOREACH(j, &m->units->jobs, entry)
			if (j->config || j->nactive)
				job_status_write(&w, j, summary);
	jw_close(&w, ']');
	jw_key(&w, "sync");
	sync = method_sync_json(m);
	jw_json(&w, sync);
	json_decref(sync);
	jw_close(&w, '}');
	ctl_reply_text(c, &w, false);
}

void
method_status(struct conn *c, json_t *params)
{
	jobs_reply(c, params, false);
}

void
method_summary(struct conn *c, json_t *params)
{
	jobs_reply(c, params, true);
}
