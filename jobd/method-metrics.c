/* Metrics: the exposition text of jobd's figures (OpenMetrics, or the
 * Prometheus 0.0.4 text that node_exporter's textfile collector reads).
 * One table of family writers: a family is one function, or one row of
 * the per-job gauges, so that what the other modules count joins with a
 * few lines.  The counting itself is figures.c's and the modules'. */
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "config.h"
#include "cluster.h"
#include "control.h"
#include "executor.h"
#include "figures.h"
#include "job.h"
#include "looplag.h"
#include "macro.h"
#include "method.h"
#include "om-writer.h"
#include "record.h"
#include "run-ctx.h"
#include "service.h"
#include "units.h"
#include "xmalloc.h"

#ifndef JOBD_VERSION
#define JOBD_VERSION "0.1.0"
#endif

/* One configured job or service and its figures (NULL: none yet). */
struct metrics_unit {
	const struct job *job;
	const struct figure *fig;
};

/* What every family writer gets: the units listed once per call. */
struct metrics {
	struct om_writer w;
	const struct method_ctx *m;
	struct metrics_unit *jobs, *services;
	size_t njobs, nservices;
	size_t success, failed;		/* their ledger_result_index */
};

/* A per-job gauge: the value of one job, false for no sample. */
struct job_gauge {
	const char *name, *unit, *help;
	bool (*value)(const struct metrics *, const struct metrics_unit *,
	    uint64_t *ret);
	bool usec;		/* the value is a time or span in usec */
};

static bool
last_success_value(const struct metrics *x UNUSED,
    const struct metrics_unit *u, uint64_t *ret)
{
	*ret = u->fig ? u->fig->last_success : 0;
	return *ret != 0;
}

/* A lost run that never started still ended, or was found lost. */
static bool
last_run_value(const struct metrics *x UNUSED,
    const struct metrics_unit *u, uint64_t *ret)
{
	if (!u->fig || !u->fig->last_run)
		return false;
	*ret = u->fig->last_started ? u->fig->last_started :
	    u->fig->last_ended;
	return *ret != 0;
}

static bool
last_duration_value(const struct metrics *x UNUSED,
    const struct metrics_unit *u, uint64_t *ret)
{
	*ret = u->fig ? u->fig->last_duration : 0;
	return u->fig && u->fig->last_run;
}

static bool
last_ok_value(const struct metrics *x UNUSED,
    const struct metrics_unit *u, uint64_t *ret)
{
	if (!u->fig || u->fig->last_result < 0)
		return false;
	*ret = u->fig->last_result == ledger_result_index("success");
	return true;
}

static bool
next_run_value(const struct metrics *x UNUSED,
    const struct metrics_unit *u, uint64_t *ret)
{
	*ret = u->job->sched.fire_at;
	return u->job->sched.heap_index != SIZE_MAX && *ret;
}

/* Runs with a process (or its pipes) now; queued ones are not running. */
static bool
running_value(const struct metrics *x UNUSED,
    const struct metrics_unit *u, uint64_t *ret)
{
	const struct run *r;

	*ret = 0;
	TAILQ_FOREACH(r, &u->job->runs, entry)
		if (r->state != RUN_PENDING && r->state != RUN_FINISHED)
			(*ret)++;
	return true;
}

/* Jobs with expect_success_within= only: 1 while overdue, else 0. */
static bool
overdue_value(const struct metrics *x UNUSED,
    const struct metrics_unit *u, uint64_t *ret)
{
	if (!u->job->config || !u->job->config->policy.expect_success_within)
		return false;
	*ret = u->job->alert.overdue;
	return true;
}

static const struct job_gauge job_gauges[] = {
	{ "jobd_job_last_success_timestamp_seconds", "seconds",
	    "When the job's last successful run ended (Unix time).",
	    last_success_value, true },
	{ "jobd_job_last_run_timestamp_seconds", "seconds",
	    "When the job's last run with a verdict (success, failed, timeout, "
	    "lost or oom) started (Unix time).", last_run_value, true },
	{ "jobd_job_last_run_duration_seconds", "seconds",
	    "How long the job's last run with a verdict ran.",
	    last_duration_value, true },
	{ "jobd_job_last_run_success", NULL,
	    "1 if the job's last run with a verdict succeeded, else 0.",
	    last_ok_value, false },
	{ "jobd_job_next_run_timestamp_seconds", "seconds",
	    "When the scheduler starts the job next (Unix time).",
	    next_run_value, true },
	{ "jobd_job_running", NULL,
	    "Runs of the job with a process now.", running_value, false },
	{ "jobd_job_overdue", NULL,
	    "1 while the job has had no successful run within "
	    "expect_success_within=, else 0.", overdue_value, false },
};

static void
metrics_job_gauge(struct metrics *x, const struct job_gauge *g)
{
	struct om_label l = { "job", NULL };
	uint64_t v;
	size_t i;

	om_family(&x->w, g->name, OM_GAUGE, g->unit, g->help);
	for (i = 0; i < x->njobs; i++) {
		if (!g->value(x, &x->jobs[i], &v))
			continue;
		l.value = x->jobs[i].job->name;
		if (g->usec)
			om_sample_usec(&x->w, "", &l, 1, v);
		else
			om_sample_u64(&x->w, "", &l, 1, v);
	}
}

static void
metrics_job_gauges(struct metrics *x)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(job_gauges); i++)
		metrics_job_gauge(x, &job_gauges[i]);
}

/* success and failed of every job, zeros too (a series that appears
 * only with the first failure hides that failure from increase()); the
 * rarer results once they happened: at 10,000 jobs, six series each
 * would be 60,000 series and most of the text. */
static void
metrics_job_runs(struct metrics *x)
{
	struct om_label l[] = { { "job", NULL }, { "result", NULL } };
	const struct figure *f;
	size_t i, k;

	om_family(&x->w, "jobd_job_runs", OM_COUNTER, NULL,
	    "Runs of the job that ended, by result, since the ledger began.");
	for (i = 0; i < x->njobs; i++) {
		l[0].value = x->jobs[i].job->name;
		f = x->jobs[i].fig;
		for (k = 0; k < LEDGER_NRESULTS; k++) {
			if (k != x->success && k != x->failed &&
			    (!f || !f->counts[k]))
				continue;
			l[1].value = ledger_result_name[k];
			om_sample_u64(&x->w, "_total", l, 2,
			    f ? f->counts[k] : 0);
		}
	}
}

static void
metrics_service_up(struct metrics *x)
{
	struct om_label l = { "service", NULL };
	size_t i;

	om_family(&x->w, "jobd_service_up", OM_GAUGE, NULL,
	    "1 if the service is ready (or reloading), else 0.");
	for (i = 0; i < x->nservices; i++) {
		l.value = x->services[i].job->name;
		om_sample_u64(&x->w, "", &l, 1,
		    service_is_up(x->services[i].job->service));
	}
}

/* Counted since jobd started, which _created says. */
static void
metrics_service_restarts(struct metrics *x)
{
	struct om_label l = { "service", NULL };
	size_t i;

	om_family(&x->w, "jobd_service_restarts", OM_COUNTER, NULL,
	    "Automatic restarts of the service since jobd started.");
	for (i = 0; i < x->nservices; i++) {
		l.value = x->services[i].job->name;
		om_sample_u64(&x->w, "_total", &l, 1, x->services[i].fig ?
		    x->services[i].fig->restarts : 0);
		om_sample_usec(&x->w, "_created", &l, 1, x->m->started);
	}
}

static void
metrics_alert_count(void *ctx, const char *alert, const char *sink,
    const char *status, uint64_t n)
{
	const struct om_label l[] = { { "alert", alert }, { "sink", sink },
	    { "status", status } };

	om_sample_u64(ctx, "_total", l, 3, n);
}

/* Carried across restarts (the ledger's alert_counts). */
static void
metrics_alerts(struct metrics *x)
{
	om_family(&x->w, "jobd_alerts", OM_COUNTER, NULL,
	    "Alert delivery attempts by alert, sink and status.");
	if (x->m->alerts)
		alerts_each_count(x->m->alerts, metrics_alert_count, &x->w);
}

static void
metrics_loop_lag(struct metrics *x)
{
	static const struct { const char *q; unsigned p; } qs[] = {
		{ "0.5", 50 }, { "0.9", 90 }, { "0.99", 99 },
	};
	const struct looplag *lag = x->m->looplag;
	struct om_label l = { "quantile", NULL };
	size_t i;

	om_family(&x->w, "jobd_loop_lag_seconds", OM_SUMMARY, "seconds",
	    "How late the event loop's 100 ms timer fires; quantiles over "
	    "the last minute.");
	for (i = 0; i < ELEMENTSOF(qs); i++) {
		l.value = qs[i].q;
		om_sample_usec(&x->w, "", &l, 1,
		    looplag_percentile(lag, qs[i].p));
	}
	om_sample_usec(&x->w, "_sum", NULL, 0, lag->sum);
	om_sample_u64(&x->w, "_count", NULL, 0, lag->count);
}

static void
metrics_daemon(struct metrics *x)
{
	const struct record *rec = x->m->record;
	const struct om_label v = { "version", JOBD_VERSION };

	om_family(&x->w, "jobd_executor_queue_length", OM_GAUGE, NULL,
	    "Blocking work waiting for or running on the thread pool.");
	om_sample_u64(&x->w, "", NULL, 0, x->m->runs->executor->queued);
	om_family(&x->w, "jobd_ledger_up", OM_GAUGE, NULL,
	    "1 if the run ledger is open and its last write succeeded.");
	om_sample_u64(&x->w, "", NULL, 0, rec->ledger && rec->error == 0);
	om_family(&x->w, "jobd_start_time_seconds", OM_GAUGE, "seconds",
	    "When jobd started (Unix time).");
	om_sample_usec(&x->w, "", NULL, 0, x->m->started);
	om_family(&x->w, "jobd_build", OM_INFO, NULL, "jobd's version.");
	om_sample_u64(&x->w, "_info", &v, 1, 1);
}

/* The families, in the order written.  Another module's family is one
 * more function here (or one more row of job_gauges). */
static void (*const metrics_families[])(struct metrics *) = {
	metrics_job_gauges,
	metrics_job_runs,
	metrics_service_up,
	metrics_service_restarts,
	metrics_alerts,
	metrics_loop_lag,
	metrics_daemon,
};

/* The configured jobs and services, in name order, with their figures. */
static void
metrics_units(struct metrics *x)
{
	const struct units *u = x->m->units;
	struct metrics_unit *e;
	const struct job *j;
	size_t n = 0;

	TAILQ_FOREACH(j, &u->jobs, entry)
		n++;
	x->jobs = xreallocarray(NULL, MAX(n, (size_t)1), sizeof(*x->jobs));
	x->services = xreallocarray(NULL, MAX(n, (size_t)1),
	    sizeof(*x->services));
	TAILQ_FOREACH(j, &u->jobs, entry) {
		if (!j->config)
			continue;
		e = j->service ? &x->services[x->nservices++] :
		    &x->jobs[x->njobs++];
		e->job = j;
		e->fig = figures_find(x->m->figures, j->name);
	}
}

/* The whole text, written on the loop. */
static char *
metrics_text(const struct method_ctx *m, enum om_dialect dialect,
    size_t *ret_len)
{
	struct metrics x = {
		.m = m,
		.success = (size_t)ledger_result_index("success"),
		.failed = (size_t)ledger_result_index("failed"),
	};
	struct om_label node[1];
	size_t i;

	om_init(&x.w, dialect);
	/* In a cluster every sample says which node it is from. */
	if (m->cluster) {
		node[0] = (struct om_label){ "node", cluster_node(m->cluster) };
		om_common_labels(&x.w, node, 1);
	}
	metrics_units(&x);
	for (i = 0; i < ELEMENTSOF(metrics_families); i++)
		metrics_families[i](&x);
	om_end(&x.w);
	free(x.jobs);
	free(x.services);
	return om_steal(&x.w, ret_len);
}

void
method_metrics(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "format", CTL_STRING, false, 0 },
	};
	const char *format = NULL;
	struct json_writer w;
	char *text;
	int dialect = OM_OPENMETRICS;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &format) < 0)
		return;
	if (format && (dialect = om_dialect_from_string(format)) < 0) {
		ctl_error_invalid_parameter(c, "format");
		return;
	}
	text = metrics_text(ctl_ctx(c), dialect, NULL);
	jw_init(&w);
	jw_open(&w, '{');
	jw_kstr(&w, "text", text);
	jw_close(&w, '}');
	free(text);
	ctl_reply_text(c, &w, false);
}
