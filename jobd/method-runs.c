/* Methods that act on runs: Start, Wait and Cancel.  Awaiting runs is
 * asyncio's gather/wait: one waiter observes every run of the call, keeps
 * a snapshot of each as it finishes, and replies once all (or, for
 * wait --any, the first) have finished. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "control.h"
#include "config.h"
#include "job.h"
#include "run-ctx.h"
#include "units.h"
#include "job.h"
#include "method.h"
#include "params.h"
#include "record.h"
#include "run.h"
#include "strv.h"
#include "strv-json.h"
#include "xmalloc.h"

struct run_wait_slot {
	struct run_observer observer;	/* first: container_of */
	struct run_wait *wait;
	char *snapshot;			/* its Run as JSON, once finished */
	size_t snapshot_len;
};

struct run_wait {
	struct conn *conn;
	bool any;
	size_t n, pending;
	struct run_wait_slot slots[];
};

static void
run_wait_free(struct run_wait *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		run_unobserve(&w->slots[i].observer);
		free(w->slots[i].snapshot);
	}
	free(w);
}

/* A run as the Run shape, written now: a finished run may be freed
 * before the reply goes. */
static void
run_wait_snapshot(struct run_wait_slot *s, const struct run *r)
{
	struct json_writer w;

	jw_init(&w);
	method_run_write(&w, r);
	s->snapshot = jw_steal(&w, &s->snapshot_len);
}

static void
run_wait_reply(struct run_wait *w)
{
	struct conn *c = w->conn;
	struct json_writer jw;
	size_t i;

	jw_init(&jw);
	jw_open(&jw, '{');
	jw_key(&jw, "runs");
	jw_open(&jw, '[');
	for (i = 0; i < w->n; i++) {
		struct run_wait_slot *s = &w->slots[i];

		if (s->snapshot)
			jw_raw(&jw, s->snapshot, s->snapshot_len);
		else if (s->observer.run)
			method_run_write(&jw, s->observer.run);
	}
	jw_close(&jw, ']');
	jw_close(&jw, '}');
	run_wait_free(w);
	ctl_reply_text(c, &jw, false);
}

static void
run_wait_done_cb(struct run_observer *o, struct run *r)
{
	struct run_wait_slot *s = (struct run_wait_slot *)o;
	struct run_wait *w = s->wait;

	run_wait_snapshot(s, r);
	w->pending--;
	if (w->pending == 0 || w->any)
		run_wait_reply(w);
}

/* The client went away: forget the runs, do not touch them. */
static void
run_wait_cancel(void *ctx)
{
	run_wait_free(ctx);
}

static struct run_wait *
run_wait_new(struct conn *c, struct run **runs, size_t n, bool any)
{
	struct run_wait *w;
	size_t i;

	w = xcalloc(1, sizeof(*w) + n * sizeof(w->slots[0]));
	w->conn = c;
	w->any = any;
	w->n = n;
	for (i = 0; i < n; i++) {
		struct run_wait_slot *s = &w->slots[i];

		s->wait = w;
		s->observer.done_cb = run_wait_done_cb;
		if (run_is_active(runs[i])) {
			run_observe(runs[i], &s->observer);
			w->pending++;
		} else {
			run_wait_snapshot(s, runs[i]);
		}
	}
	return w;
}

/* Replies now if nothing is left to wait for, else when the runs end. */
static void
run_wait_start(struct conn *c, struct run **runs, size_t n, bool any)
{
	struct run_wait *w = run_wait_new(c, runs, n, any);

	if (w->pending == 0 || (any && w->pending < n)) {
		run_wait_reply(w);
		return;
	}
	ctl_set_cancel(c, run_wait_cancel, w);
}

/* {"runs": [Run...]} as text. */
static void
runs_write(struct json_writer *w, struct run **runs, size_t n)
{
	size_t i;

	jw_init(w);
	jw_open(w, '{');
	jw_key(w, "runs");
	jw_open(w, '[');
	for (i = 0; i < n; i++)
		method_run_write(w, runs[i]);
	jw_close(w, ']');
	jw_close(w, '}');
}

/* Services go to method_start_services: all names must be services then
 * (starting a service and running a job are different promises). */
static bool
start_services(struct conn *c, json_t *names, bool wait)
{
	struct method_ctx *m = ctl_ctx(c);
	size_t i, nsvc = 0;
	struct job *j;
	json_t *v;

	json_array_foreach(names, i, v) {
		j = units_find(m->units, json_string_value(v));
		nsvc += j && j->service;
	}
	if (nsvc == 0)
		return false;
	if (nsvc != json_array_size(names)) {
		ctl_error_invalid_parameter(c, "jobs");
		return true;
	}
	if (!access_is_admin(m->runs->config, ctl_peer(c))) {
		ctl_deny(c, "Start of a service");
		return true;
	}
	method_start_services(c, names, wait);
	return true;
}

struct start_params {
	json_t *jobs;
	bool wait, anywhere;
	json_t *params, *args;
	const char *on_behalf_of;
};

struct start_reply {
	struct ctl_deferred *defer;
	struct json_writer reply;
};

static void
start_recorded_cb(void *ctx, int r)
{
	struct start_reply *q = ctx;
	struct conn *c = ctl_resume(q->defer);

	(void)r;	/* a failing ledger has said so in the log */
	if (c)
		ctl_reply_text(c, &q->reply, false);
	else
		jw_done(&q->reply);
	free(q);
}

/* The reply waits until the runs are on record (one ledger write), so
 * that a client never holds a run id that jobd, killed now, would not
 * find at its restart. */
static void
start_reply_recorded(struct conn *c, struct run **runs, size_t n)
{
	struct start_reply *q = xcalloc(1, sizeof(*q));

	runs_write(&q->reply, runs, n);
	q->defer = ctl_defer(c);
	record_flush(ctl_ctx(c)->record, start_recorded_cb, q);
}

/* Replies with the new runs, now or (wait) once they have finished. */
void
method_runs_started(struct conn *c, struct run **runs, size_t n, bool wait)
{
	if (!wait) {
		start_reply_recorded(c, runs, n);
		return;
	}
	if (ctl_more(c)) {
		struct json_writer w;

		runs_write(&w, runs, n);
		ctl_reply_text(c, &w, true);
	}
	run_wait_start(c, runs, n, false);
}

/* Looks up every name and checks the caller may start it; NULL after an
 * error reply. */
static struct job **
start_jobs(struct conn *c, json_t *names)
{
	struct method_ctx *m = ctl_ctx(c);
	struct job **jobs;
	json_t *v;
	size_t i;

	jobs = xcalloc(json_array_size(names), sizeof(*jobs));
	json_array_foreach(names, i, v) {
		jobs[i] = units_find(m->units, json_string_value(v));
		if (!jobs[i]) {
			ctl_error(c, IFACE_ERROR("NoSuchJob"),
			    json_pack("{s:s}", "job", json_string_value(v)));
			free(jobs);
			return NULL;
		}
		if (!access_may_start(m->runs->config, jobs[i]->config,
		    ctl_peer(c))) {
			ctl_deny(c, "Start");
			free(jobs);
			return NULL;
		}
	}
	return jobs;
}

/* What the caller gives a job (params, args): checked against what it
 * declares; BadParameters otherwise. */
static int
start_check_given(struct conn *c, const struct job *j, char **params,
    char **args)
{
	_cleanup_free_ char *cause = NULL;

	if (params_check(j->config->params, params, &cause) < 0 ||
	    args_check(args, &cause) < 0 ||
	    (args && !j->config->args_append && !j->config->transient &&
	    (cause = xstrdup("the job takes no arguments (args=append)")))) {
		ctl_error(c, IFACE_ERROR("BadParameters"), json_pack(
		    "{s:s, s:s}", "job", j->name, "reason", cause));
		return -EINVAL;
	}
	return 0;
}

void
method_start(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "jobs", CTL_STRINGS, true, offsetof(struct start_params,
		    jobs) },
		{ "wait", CTL_BOOL, false, offsetof(struct start_params,
		    wait) },
		{ "params", CTL_STRINGS, false, offsetof(struct start_params,
		    params) },
		{ "args", CTL_ARGV, false, offsetof(struct start_params,
		    args) },
		{ "on_behalf_of", CTL_STRING, false,
		    offsetof(struct start_params, on_behalf_of) },
		{ "anywhere", CTL_BOOL, false, offsetof(struct start_params,
		    anywhere) },
	};
	struct method_ctx *m = ctl_ctx(c);
	struct start_params p;
	_cleanup_free_ struct run **runs = NULL;
	_cleanup_free_ struct job **jobs = NULL;
	_cleanup_(strv_freep) char **given = NULL, **args = NULL;
	struct run_who who;
	size_t i, n;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0 ||
	    method_who(c, p.on_behalf_of, &who) < 0)
		return;
	if (m->runs->stopping) {
		ctl_error(c, IFACE_ERROR("ShuttingDown"), NULL);
		return;
	}
	n = json_array_size(p.jobs);
	if (n == 0) {
		ctl_error_invalid_parameter(c, "jobs");
		return;
	}
	given = json_strv(p.params);
	args = json_strv(p.args);
	if ((given || args) && n > 1) {
		ctl_error_invalid_parameter(c, given ? "params" : "args");
		return;
	}
	if (!given && !args && start_services(c, p.jobs, p.wait))
		return;
	if (m->units->nruns_open + n > JOB_MAX_RUNS) {
		ctl_error(c, IFACE_ERROR("TooManyRuns"), json_pack("{s:i}",
		    "limit", JOB_MAX_RUNS));
		return;
	}
	if (!(jobs = start_jobs(c, p.jobs)))
		return;
	for (i = 0; i < n; i++)
		if (start_check_given(c, jobs[i], given, args) < 0)
			return;
	/* In a cluster, possibly for any node: parameters stay here. */
	if (!given && !args && method_start_anywhere(c, jobs, n, p.anywhere,
	    p.wait))
		return;
	/* All names are valid: start them together (gather). */
	runs = xcalloc(n, sizeof(*runs));
	for (i = 0; i < n; i++)
		runs[i] = job_trigger_full(jobs[i], TRIGGER_MANUAL,
		    &(struct run_opts){ .params = given, .args = args,
		    .requested_by = &who });
	method_runs_started(c, runs, n, p.wait);
}

struct wait_params {
	json_t *runs;
	bool any;
};

void
method_wait(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "runs", CTL_INTS, true, offsetof(struct wait_params, runs) },
		{ "any", CTL_BOOL, false, offsetof(struct wait_params, any) },
	};
	struct method_ctx *m = ctl_ctx(c);
	_cleanup_free_ struct run **runs = NULL;
	struct wait_params p;
	json_t *v;
	size_t i, n;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0)
		return;
	n = json_array_size(p.runs);
	if (n == 0) {
		ctl_error_invalid_parameter(c, "runs");
		return;
	}
	runs = xcalloc(n, sizeof(*runs));
	json_array_foreach(p.runs, i, v) {
		runs[i] = units_find_run(m->units, json_integer_value(v));
		if (!runs[i]) {
			ctl_error(c, IFACE_ERROR("NoSuchRun"),
			    json_pack("{s:I}", "run",
			    (json_int_t)json_integer_value(v)));
			return;
		}
	}
	run_wait_start(c, runs, n, p.any);
}

/* A run id as Cancel's targets write it: digits only, 1 to INT64_MAX. */
static int
cancel_parse_id(const char *t, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(t, &end, 10);
	if (errno != 0 || *end != '\0' || v > INT64_MAX)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* Resolves one Cancel target into runs; replies with an error if it
 * names nothing cancellable. */
/* A service's process is stopped by Stop or Restart: cancelled, it would
 * be judged by restart= as a crash. */
static int
cancel_refuse_service(struct conn *c, const struct job *j)
{
	ctl_error(c, IFACE_ERROR("IsService"), json_pack("{s:s}", "service",
	    j->name));
	return -EINVAL;
}

static int
cancel_resolve(struct conn *c, const char *t, bool skip_idle,
    struct run ***runs, size_t *n)
{
	struct method_ctx *m = ctl_ctx(c);
	struct run *r;
	struct job *j;
	uint64_t id;
	size_t k;

	if (*t && strspn(t, "0123456789") == strlen(t)) {
		if (cancel_parse_id(t, &id) < 0) {
			ctl_error_invalid_parameter(c, "targets");
			return -ERANGE;
		}
		r = units_find_run(m->units, id);
		if (!r) {
			ctl_error(c, IFACE_ERROR("NoSuchRun"),
			    json_pack("{s:I}", "run", (json_int_t)id));
			return -ENOENT;
		}
		if (!run_is_active(r) && skip_idle)
			return 0;
		if (!run_is_active(r)) {
			ctl_error(c, IFACE_ERROR("RunFinished"),
			    json_pack("{s:I}", "run", (json_int_t)id));
			return -ESRCH;
		}
		if (r->job->service)
			return cancel_refuse_service(c, r->job);
		*runs = xreallocarray(*runs, *n + 1, sizeof(**runs));
		(*runs)[(*n)++] = r;
		return 0;
	}
	if (!(j = units_find(m->units, t))) {
		ctl_error(c, IFACE_ERROR("NoSuchJob"), json_pack("{s:s}", "job",
		    t));
		return -ENOENT;
	}
	if (j->service)
		return cancel_refuse_service(c, j);
	if (TAILQ_EMPTY(&j->runs) && skip_idle)
		return 0;
	if (TAILQ_EMPTY(&j->runs)) {
		ctl_error(c, IFACE_ERROR("NoRuns"), json_pack("{s:s}", "job",
		    t));
		return -ESRCH;
	}
	k = 0;
	TAILQ_FOREACH(r, &j->runs, entry)
		k++;
	*runs = xreallocarray(*runs, *n + k, sizeof(**runs));
	TAILQ_FOREACH(r, &j->runs, entry)
		(*runs)[(*n)++] = r;
	return 0;
}

struct run_ref {
	const struct run *run;
	size_t index;
};

static int
run_ref_cmp(const void *a, const void *b)
{
	const struct run_ref *x = a, *y = b;

	if (x->run->id != y->run->id)
		return x->run->id < y->run->id ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Keeps the first of each run, in order, in O(n log n): a run named by id
 * and by its job, or a job named twice, is cancelled once (a second
 * cancel would send SIGKILL).  Returns the new count. */
static size_t
runs_unique(struct run **runs, size_t n)
{
	_cleanup_free_ struct run_ref *refs = NULL;
	_cleanup_free_ bool *dup = NULL;
	size_t i, m = 0;

	if (n < 2)
		return n;
	refs = xcalloc(n, sizeof(*refs));
	dup = xcalloc(n, sizeof(*dup));
	for (i = 0; i < n; i++)
		refs[i] = (struct run_ref){ runs[i], i };
	qsort(refs, n, sizeof(*refs), run_ref_cmp);
	for (i = 1; i < n; i++)
		if (refs[i].run == refs[i - 1].run)
			dup[refs[i].index] = true;
	for (i = 0; i < n; i++)
		if (!dup[i])
			runs[m++] = runs[i];
	return m;
}

/* Whether targets[i] repeats an earlier target (at most
 * VARLINK_MAX_NAMES, so the square is small): a job named twice expands
 * to its runs once. */
static bool
target_repeated(json_t *targets, size_t i)
{
	const char *t = json_string_value(json_array_get(targets, i));
	size_t k;

	for (k = 0; k < i; k++)
		if (!strcmp(t, json_string_value(json_array_get(targets, k))))
			return true;
	return false;
}

/* skip_idle: what jobctl sends for a glob or all, whose jobs' runs may
 * finish between its Summary and this call. */
struct cancel_params {
	json_t *targets;
	bool skip_idle;
	const char *on_behalf_of;
};

void
method_cancel(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "targets", CTL_STRINGS, true, offsetof(struct cancel_params,
		    targets) },
		{ "skip_idle", CTL_BOOL, false, offsetof(struct cancel_params,
		    skip_idle) },
		{ "on_behalf_of", CTL_STRING, false,
		    offsetof(struct cancel_params, on_behalf_of) },
	};
	_cleanup_free_ struct run **runs = NULL;
	struct cancel_params p;
	struct json_writer w;
	struct run_who who;
	json_t *targets, *v;
	size_t i, n = 0, m;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0 ||
	    method_who(c, p.on_behalf_of, &who) < 0)
		return;
	targets = p.targets;
	if (json_array_size(targets) == 0) {
		ctl_error_invalid_parameter(c, "targets");
		return;
	}
	if (method_cancel_remote(c, targets))
		return;
	json_array_foreach(targets, i, v)
		if (!target_repeated(targets, i) &&
		    cancel_resolve(c, json_string_value(v), p.skip_idle, &runs,
		    &n) < 0)
			return;
	/* Each run is cancelled once even if named twice.  A run may finish
	 * during its own cancel (one that never spawned), but none is freed
	 * before its handles' close callbacks, after this returns: the
	 * pointers stay good for the reply (looking each up by id again was
	 * a scan of every run per run). */
	m = runs_unique(runs, n);
	for (i = 0; i < m; i++) {
		/* The first to ask is who cancelled it. */
		if (!runs[i]->cancelled_by.set)
			run_who_copy(&runs[i]->cancelled_by, &who);
		run_event(runs[i], RUN_EV_CANCEL);
	}
	jw_init(&w);
	jw_open(&w, '{');
	jw_key(&w, "runs");
	jw_open(&w, '[');
	for (i = 0; i < m; i++)
		method_run_write(&w, runs[i]);
	jw_close(&w, ']');
	jw_close(&w, '}');
	ctl_reply_text(c, &w, false);
}
