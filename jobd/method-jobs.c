/* Methods that read jobs: List and Status, and the JSON shape of a job and
 * a run that every method shares. */
#include <string.h>

#include "config.h"
#include "macro.h"
#include "control.h"
#include "daemon.h"
#include "job.h"
#include "method.h"
#include "run.h"

static void
json_set_int(json_t *o, const char *key, long long v)
{
	json_object_set_new(o, key, json_integer(v));
}

json_t *
method_run_json(const struct run *r)
{
	json_t *o = json_object();
	usec_t end;

	json_set_int(o, "id", (long long)r->id);
	json_object_set_new(o, "job", json_string(r->job->name));
	json_object_set_new(o, "trigger",
	    json_string(run_trigger_name[r->trigger]));
	json_object_set_new(o, "state", json_string(run_state_name[r->state]));
	json_set_int(o, "queued_usec", (long long)r->queued);
	if (r->scheduled)
		json_set_int(o, "scheduled_usec", (long long)r->scheduled);
	if (r->retry_of) {
		json_set_int(o, "retry_of", (long long)r->retry_of);
		json_set_int(o, "attempt", r->attempt + 1);
	}
	if (r->pid > 0)
		json_set_int(o, "pid", r->pid);
	if (r->started) {
		json_set_int(o, "started_usec", (long long)r->started);
		end = r->ended ? r->ended : now_realtime();
		json_set_int(o, "runtime_usec",
		    end > r->started ? (long long)(end - r->started) : 0);
	}
	if (r->ended)
		json_set_int(o, "ended_usec", (long long)r->ended);
	if (r->state == RUN_FINISHED)
		json_object_set_new(o, "result",
		    json_string(run_result_name[r->result]));
	if (r->exited) {
		if (r->signal)
			json_set_int(o, "signal", r->signal);
		else
			json_set_int(o, "exit_code", r->exit_code);
		json_set_int(o, "exit_status", run_exit_status(r));
	}
	if (r->reason)
		json_object_set_new(o, "reason", json_string(r->reason));
	if (r->usage.user || r->usage.system) {
		json_set_int(o, "user_cpu_usec", (long long)r->usage.user);
		json_set_int(o, "system_cpu_usec", (long long)r->usage.system);
	}
	if (r->usage.peak_kb)
		json_set_int(o, "peak_rss_kb", (long long)r->usage.peak_kb);
	if (r->waiting_for && r->state == RUN_PENDING)
		json_object_set_new(o, "waiting_for",
		    json_string(r->waiting_for));
	return o;
}

json_t *
method_job_json(const struct job *j)
{
	const struct job_config *jc = j->config;
	json_t *o = json_object(), *cmd = json_array();
	struct run *last = job_last_finished(j);
	size_t i;

	for (i = 0; jc && jc->command && jc->command[i]; i++)
		json_array_append_new(cmd, json_string(jc->command[i]));
	json_object_set_new(o, "name", json_string(j->name));
	json_object_set_new(o, "description",
	    json_string(jc && jc->description ? jc->description : ""));
	json_object_set_new(o, "state",
	    json_string(j->nactive ? "running" : "idle"));
	json_object_set_new(o, "command", cmd);
	json_set_int(o, "running", j->nactive);
	if (j->sched.heap_index != SIZE_MAX)
		json_set_int(o, "next_usec", (long long)j->sched.fire_at);
	if (j->sched.paused_until)
		json_set_int(o, "paused_until_usec", (long long)MIN(
		    j->sched.paused_until, (usec_t)INT64_MAX));
	if (last)
		json_object_set_new(o, "last", method_run_json(last));
	json_object_set_new(o, "kind", json_string(j->service ? "service" :
	    "job"));
	if (j->service)
		json_object_set_new(o, "service",
		    method_service_json(j->service));
	return o;
}

void
method_list(struct conn *c, json_t *params)
{
	struct daemon *d = ctl_daemon(c);
	json_t *jobs;
	struct job *j;

	if (ctl_params(c, params, NULL, 0, NULL) < 0)
		return;
	jobs = json_array();
	TAILQ_FOREACH(j, &d->jobs, entry)
		if (j->config)
			json_array_append_new(jobs, method_job_json(j));
	ctl_reply(c, json_pack("{s:o}", "jobs", jobs), false);
}

static json_t *
method_job_status(const struct job *j)
{
	json_t *runs = json_array();
	struct run *r;

	TAILQ_FOREACH(r, &j->runs, entry)
		json_array_append_new(runs, method_run_json(r));
	return json_pack("{s:o, s:o}", "job", method_job_json(j), "runs",
	    runs);
}

void
method_status(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "job", CTL_STRING, false, 0 },
	};
	struct daemon *d = ctl_daemon(c);
	const char *name;
	json_t *jobs;
	struct job *j = NULL;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &name) < 0)
		return;
	if (name && !(j = daemon_find_job(d, name))) {
		ctl_error(c, IFACE_ERROR("NoSuchJob"),
		    json_pack("{s:s}", "job", name));
		return;
	}
	jobs = json_array();
	if (name) {
		json_array_append_new(jobs, method_job_status(j));
	} else {
		TAILQ_FOREACH(j, &d->jobs, entry)
			if (j->config || j->nactive)
				json_array_append_new(jobs,
				    method_job_status(j));
	}
	ctl_reply(c, json_pack("{s:o, s:o}", "jobs", jobs, "sync",
	    sync_json(&d->sync)), false);
}
