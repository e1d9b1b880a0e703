/* Methods that read the run ledger: History, Recent and Show.  The ledger is on
 * disk, so the answer comes back from the executor, after every row queued
 * before the question has been written. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "control.h"
#include "config.h"
#include "job.h"
#include "run-ctx.h"
#include "units.h"
#include "macro.h"
#include "method.h"
#include "record.h"
#include "run.h"
#include "xmalloc.h"

/* Recent's count: the dashboard's strip of results. */
#define RECENT_MAX 100

static void
json_set_nonzero(json_t *o, const char *key, long long v)
{
	if (v)
		json_object_set_new(o, key, json_integer(v));
}

/* A hook's run: the run that started it and its chain's first. */
static void
history_chain_json(json_t *o, const struct ledger_run *r)
{
	if (!r->hook_of)
		return;
	json_set_nonzero(o, "hook_of", (long long)r->hook_of);
	if (r->hook_of_job)
		json_object_set_new(o, "hook_of_job",
		    json_string(r->hook_of_job));
	json_set_nonzero(o, "chain_first", (long long)r->chain_first);
	if (r->chain_first_job)
		json_object_set_new(o, "chain_first_job",
		    json_string(r->chain_first_job));
	json_set_nonzero(o, "chain_depth", r->chain_depth);
}

/* A ledger row in the shape of the interface's Run. */
static json_t *
history_run_json(const struct ledger_run *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer((json_int_t)r->id));
	json_object_set_new(o, "job", json_string(r->job ? r->job : ""));
	json_object_set_new(o, "trigger",
	    json_string(r->trigger ? r->trigger : ""));
	json_object_set_new(o, "state", json_string(r->result ? "finished" :
	    r->started ? "running" : "pending"));
	json_object_set_new(o, "queued_usec",
	    json_integer((json_int_t)r->queued));
	json_set_nonzero(o, "pid", r->pid);
	json_set_nonzero(o, "scheduled_usec", (long long)r->scheduled);
	json_set_nonzero(o, "retry_of", (long long)r->retry_of);
	history_chain_json(o, r);
	json_set_nonzero(o, "user_cpu_usec", (long long)r->user_cpu);
	json_set_nonzero(o, "system_cpu_usec", (long long)r->system_cpu);
	json_set_nonzero(o, "peak_rss_kb", (long long)r->peak_rss_kb);
	json_set_nonzero(o, "started_usec", (long long)r->started);
	json_set_nonzero(o, "ended_usec", (long long)r->ended);
	if (r->result)
		json_object_set_new(o, "result", json_string(r->result));
	/* A lost run's end is not known, and so is not its duration. */
	if (r->result && r->ended)
		json_object_set_new(o, "runtime_usec",
		    json_integer((json_int_t)r->duration));
	if (r->signal) {
		json_object_set_new(o, "signal", json_integer(r->signal));
		json_object_set_new(o, "exit_status",
		    json_integer(128 + r->signal));
	} else if (r->has_exit) {
		json_object_set_new(o, "exit_code", json_integer(r->exit_code));
		json_object_set_new(o, "exit_status",
		    json_integer(r->exit_code));
	}
	if (r->reason)
		json_object_set_new(o, "reason", json_string(r->reason));
	return o;
}

/* Rows still queued (the disk is full or read-only): the ledger's
 * answer may lack them, and the client should say so. */
static void
history_pending(struct conn *c, json_t *reply)
{
	const struct record *rec = ctl_ctx(c)->record;
	size_t n = record_pending_runs(rec);

	if (n == 0)
		return;
	json_object_set_new(reply, "pending_writes",
	    json_integer((json_int_t)n));
	if (rec->error_text)
		json_object_set_new(reply, "ledger_error",
		    json_string(rec->error_text));
}

static void
history_error(struct conn *c, int r)
{
	ctl_error(c, IFACE_ERROR("LedgerUnavailable"),
	    json_pack("{s:s}", "reason", strerror(-r)));
}

/* A local History: the call, and why the cluster's table was not read
 * (NULL: not asked). */
struct history_local {
	struct ctl_deferred *d;
	char *cluster_error;
};

static void
history_done(void *ctx, int r, struct ledger_run *runs, size_t n)
{
	struct history_local *h = ctx;
	struct conn *c = ctl_resume(h->d);
	_cleanup_free_ char *cluster_error = h->cluster_error;
	json_t *a, *o;
	size_t i;

	free(h);
	if (!c)
		return;
	if (r < 0) {
		history_error(c, r);
		return;
	}
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, history_run_json(&runs[i]));
	o = json_pack("{s:o}", "runs", a);
	history_pending(c, o);
	if (cluster_error)
		json_object_set_new(o, "cluster_error",
		    json_string(cluster_error));
	ctl_reply(c, o, false);
}

struct history_params {
	const char *job, *result;
	bool failed, local;
	int64_t since, limit;
};

struct history_call {
	struct ledger_filter f;
	char *job, *result;
};

static void
history_local(struct conn *c, struct history_call *call, const char *why)
{
	struct history_local *h = xmalloc(sizeof(*h));

	h->cluster_error = why ? xstrfmt("the cluster's database did not "
	    "answer (%s): the runs of this node only", why) : NULL;
	if (h->cluster_error)
		h->cluster_error[strcspn(h->cluster_error, "\n")] = '\0';
	h->d = ctl_defer(c);
	record_query(ctl_ctx(c)->record, &call->f, history_done, h);
}

static void
history_call_free(struct history_call *call)
{
	free(call->job);
	free(call->result);
	free(call);
}

static void
history_fallback(struct conn *c, const char *why, void *ctx)
{
	struct history_call *call = ctx;

	if (c)
		history_local(c, call, why ? why : "no answer");
	history_call_free(call);
}

/* A result name a finished run can have, or NULL. */
static const char *
history_result(const char *s)
{
	int i;

	for (i = RESULT_NONE + 1; i < RESULT_NRESULTS; i++)
		if (run_result_name[i] && !strcmp(s, run_result_name[i]))
			return run_result_name[i];
	return NULL;
}

void
method_history(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "job", CTL_STRING, false, offsetof(struct history_params,
		    job) },
		{ "failed", CTL_BOOL, false, offsetof(struct history_params,
		    failed) },
		{ "since_usec", CTL_INT, false,
		    offsetof(struct history_params, since) },
		{ "limit", CTL_INT, false, offsetof(struct history_params,
		    limit) },
		{ "result", CTL_STRING, false,
		    offsetof(struct history_params, result) },
		{ "local", CTL_BOOL, false, offsetof(struct history_params,
		    local) },
	};
	struct history_params p;
	struct history_call *call;
	struct cluster_history_query q;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0)
		return;
	if (p.result && !history_result(p.result)) {
		ctl_error_invalid_parameter(c, "result");
		return;
	}
	call = xcalloc(1, sizeof(*call));
	call->job = p.job ? xstrdup(p.job) : NULL;
	call->result = p.result ? xstrdup(history_result(p.result)) : NULL;
	call->f = (struct ledger_filter){
		.job = call->job,
		.result = call->result,
		.failed_only = p.failed,
		.since = p.since > 0 ? (usec_t)p.since : 0,
		.limit = p.limit >= 0 ? (size_t)p.limit : 20,
	};
	/* In a cluster, one history: every node's runs. */
	q = (struct cluster_history_query){
		.job = call->job, .result = call->result, .failed = p.failed,
		.since = call->f.since, .limit = (int64_t)call->f.limit,
	};
	if (ctl_ctx(c)->cluster && !p.local) {
		if (method_cluster_history(c, &q, history_fallback, call) == 0)
			return;
		history_local(c, call, "it is not reachable now");
	} else
		history_local(c, call, NULL);
	history_call_free(call);
}

/* Rows come in job order, oldest first: one entry per job. */
static void
recent_done(void *ctx, int r, struct ledger_run *runs, size_t n)
{
	struct conn *c = ctl_resume(ctx);
	json_t *jobs, *list = NULL, *x;
	const char *job = NULL;
	size_t i;

	if (!c)
		return;
	if (r < 0) {
		history_error(c, r);
		return;
	}
	jobs = json_array();
	for (i = 0; i < n; i++) {
		if (!job || strcmp(job, runs[i].job)) {
			job = runs[i].job;
			list = json_array();
			json_array_append_new(jobs, json_pack("{s:s,s:o}",
			    "job", job, "runs", list));
		}
		x = json_pack("{s:I,s:s}", "id", (json_int_t)runs[i].id,
		    "result", runs[i].result ? runs[i].result : "");
		json_set_nonzero(x, "ended_usec", (long long)runs[i].ended);
		if (runs[i].ended)
			json_object_set_new(x, "runtime_usec",
			    json_integer((json_int_t)runs[i].duration));
		json_array_append_new(list, x);
	}
	x = json_pack("{s:o}", "jobs", jobs);
	history_pending(c, x);
	ctl_reply(c, x, false);
}

struct recent_params {
	const char *job;
	int64_t count;
};

void
method_recent(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "job", CTL_STRING, false, offsetof(struct recent_params,
		    job) },
		{ "count", CTL_INT, false, offsetof(struct recent_params,
		    count) },
	};
	struct recent_params p;
	struct ledger_filter f;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0)
		return;
	if (p.count == -1)
		p.count = 30;
	if (p.count < 1 || p.count > RECENT_MAX) {
		ctl_error_invalid_parameter(c, "count");
		return;
	}
	f = (struct ledger_filter){ .job = p.job,
	    .per_job = (unsigned)p.count };
	record_query(ctl_ctx(c)->record, &f, recent_done, ctl_defer(c));
}

static void
show_done(void *ctx, int r, struct ledger_run *runs, size_t n)
{
	struct conn *c = ctl_resume(ctx);
	json_t *o;

	if (!c)
		return;
	if (r == -ENOENT || (r == 0 && n == 0)) {
		ctl_error(c, IFACE_ERROR("NoSuchRun"), json_pack("{s:I}", "run",
		    (json_int_t)(runs ? runs[0].id : 0)));
		return;
	}
	if (r < 0) {
		history_error(c, r);
		return;
	}
	o = json_pack("{s:o}", "run", history_run_json(&runs[0]));
	if (runs[0].tail_len) {
		json_t *t = json_stringn(runs[0].tail, runs[0].tail_len);

		json_object_set_new(o, "output", t ? t :
		    json_string("(binary output: see jobctl logs)"));
	}
	history_pending(c, o);
	ctl_reply(c, o, false);
}

void
method_show(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "run", CTL_INT, true, 0 },
	};
	int64_t id;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &id) < 0)
		return;
	record_get_run(ctl_ctx(c)->record, (uint64_t)id, show_done,
	    ctl_defer(c));
}
