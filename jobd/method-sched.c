/* Methods about time: Next (a job's coming firings), Calendar (any
 * expression, like systemd-analyze calendar), Pause, Resume and Skip. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "control.h"
#include "config.h"
#include "job.h"
#include "run-ctx.h"
#include "units.h"
#include "job.h"
#include "macro.h"
#include "log.h"
#include "method.h"
#include "run.h"
#include "scheduler.h"
#include "executor.h"
#include "tz.h"
#include "xmalloc.h"

#define SCHED_MAX_COUNT 1000

/* "2026-03-29 03:00:00+02:00": local time with its offset. */
static json_t *
local_time_json(const struct tz *tz, usec_t t)
{
	struct tz_local l;
	char buf[64];
	int off;

	tz_to_local(tz, (int64_t)(t / USEC_PER_SEC), &l);
	off = l.gmtoff / 60;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d%c%02d:%02d",
	    l.year, l.month, l.day, l.hour, l.minute, l.second,
	    off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
	return json_string(buf);
}

static json_t *
elapse_json(const struct tz *tz, usec_t t, unsigned flags, usec_t jitter)
{
	char utc[TIMESTAMP_MAX];

	return json_pack("{s:I, s:o, s:s, s:b, s:b, s:I}",
	    "usec", (json_int_t)t, "local", local_time_json(tz, t),
	    "utc", timestamp_format(utc, sizeof(utc), t),
	    "gap", (flags & CAL_ELAPSE_GAP) != 0,
	    "repeat", (flags & CAL_ELAPSE_REPEAT) != 0,
	    "jitter_usec", (json_int_t)jitter);
}

/* The periodic job named by params, or NULL after an error reply. */
static struct job *
periodic_job(struct conn *c, const char *name)
{
	struct job *j = units_find(ctl_ctx(c)->units, name);

	if (!j) {
		ctl_error(c, IFACE_ERROR("NoSuchJob"),
		    json_pack("{s:s}", "job", name));
		return NULL;
	}
	if (!job_config_is_periodic(j->config)) {
		ctl_error(c, IFACE_ERROR("NotPeriodic"),
		    json_pack("{s:s}", "job", name));
		return NULL;
	}
	return j;
}

struct next_params {
	const char *job;
	int64_t count;
};

void
method_next(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "job", CTL_STRING, true, offsetof(struct next_params, job) },
		{ "count", CTL_INT, false, offsetof(struct next_params,
		    count) },
	};
	struct sched *s = ctl_ctx(c)->sched;
	struct next_params p;
	const struct tz *tz;
	json_t *a;
	struct job *j;
	usec_t t;
	unsigned flags;
	int64_t i;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0 ||
	    !(j = periodic_job(c, p.job)))
		return;
	if (p.count < 0)
		p.count = 5;
	p.count = MIN(p.count, SCHED_MAX_COUNT);
	tz = sched_tz(s, j);
	a = json_array();
	t = MAX(s->now(), j->sched.last_slot);
	for (i = 0; i < p.count; i++) {
		t = sched_next_regular(s, j, t, &flags);
		if (!t)
			break;
		json_array_append_new(a, elapse_json(tz, t, flags,
		    sched_jitter(s, j)));
	}
	ctl_reply(c, json_pack("{s:s, s:s, s:o}", "job", j->name, "timezone",
	    tz_name(tz), "elapses", a), false);
}

/* Calendar: parsing may read a zone file, so it runs on the executor. */
struct calendar_req {
	struct ctl_deferred *deferred;
	char *expr, *zone;
	usec_t base;
	int64_t count;
	int r;
	char *cause;
	json_t *reply;			/* built on the worker: no sharing */
};

static void
calendar_work(void *data)
{
	struct calendar_req *q = data;
	struct cal_policy policy = { 0 };
	struct cal_spec *spec = NULL;
	struct tz *tz = NULL, *own = NULL;
	json_t *a;
	usec_t t = q->base;
	unsigned flags;
	char *norm;
	int64_t i;

	if ((q->r = cal_parse(q->expr, &spec, &q->cause)) < 0 ||
	    (q->r = tz_load(q->zone, &tz, &q->cause)) < 0)
		goto out;
	/* Local times in the zone the expression names, if it names one. */
	if (cal_zone(spec) && tz_load(cal_zone(spec), &own, NULL) < 0)
		own = NULL;
	a = json_array();
	for (i = 0; i < q->count; i++) {
		if (cal_next(spec, tz, &policy, t, &t, &flags) < 0)
			break;
		json_array_append_new(a, elapse_json(own ? own : tz, t, flags,
		    0));
	}
	norm = cal_format(spec);
	q->reply = json_pack("{s:s, s:s, s:s, s:o}", "normalized", norm,
	    "syntax", cal_syntax(spec) == CAL_SYNTAX_CRON ? "cron" :
	    "systemd", "timezone", cal_zone(spec) ? cal_zone(spec) :
	    tz_name(tz), "elapses", a);
	free(norm);
out:
	cal_free(spec);
	tz_free(tz);
	tz_free(own);
}

static void
calendar_done(void *data, int status)
{
	struct calendar_req *q = data;
	struct conn *c = ctl_resume(q->deferred);

	(void)status;
	if (c && q->r < 0)
		ctl_error(c, IFACE_ERROR("InvalidSchedule"), json_pack("{s:s}",
		    "error", q->cause ? q->cause : strerror(-q->r)));
	else if (c)
		ctl_reply(c, TAKE_PTR(q->reply), false);
	json_decref(q->reply);
	free(q->expr);
	free(q->zone);
	free(q->cause);
	free(q);
}

struct calendar_params {
	const char *expr, *timezone;
	int64_t count, base;
};

void
method_calendar(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "expression", CTL_STRING, true,
		    offsetof(struct calendar_params, expr) },
		{ "timezone", CTL_STRING, false,
		    offsetof(struct calendar_params, timezone) },
		{ "count", CTL_INT, false, offsetof(struct calendar_params,
		    count) },
		{ "base_usec", CTL_INT, false,
		    offsetof(struct calendar_params, base) },
	};
	struct calendar_params p;
	struct calendar_req *q;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0)
		return;
	q = xcalloc(1, sizeof(*q));
	q->expr = xstrdup(p.expr);
	q->zone = p.timezone ? xstrdup(p.timezone) : NULL;
	q->count = p.count < 0 ? 5 : MIN(p.count, SCHED_MAX_COUNT);
	q->base = p.base >= 0 ? (usec_t)p.base : now_realtime();
	q->deferred = ctl_defer(c);
	executor_submit(ctl_ctx(c)->runs->executor, calendar_work,
	    calendar_done, q);
}

static json_t *
sched_state_json(const struct job *j)
{
	json_t *o = json_pack("{s:s, s:I}", "job", j->name, "skips_pending",
	    (json_int_t)j->sched.skips_pending);

	if (j->sched.paused_until)
		json_object_set_new(o, "paused_until_usec", json_integer(
		    (json_int_t)MIN(j->sched.paused_until,
		    (usec_t)INT64_MAX)));
	return o;
}

struct pause_params {
	const char *job;
	int64_t until, count;
	const char *on_behalf_of;
};

#define ON_BEHALF_OF_PARAM { "on_behalf_of", CTL_STRING, false, \
	    offsetof(struct pause_params, on_behalf_of) }

/* Who paused, resumed or skipped a job: in jobd's log (the skipped slots'
 * rows name them too). */
static void
sched_log_who(struct conn *c, const char *what, const struct job *j,
    const struct run_who *who)
{
	char buf[512];

	(void)c;
	log_notice("job '%s': %s by %s", j->name, what,
	    method_who_text(who, buf, sizeof(buf)));
}

void
method_pause(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "job", CTL_STRING, true, offsetof(struct pause_params, job) },
		{ "until_usec", CTL_INT, false, offsetof(struct pause_params,
		    until) },
		ON_BEHALF_OF_PARAM,
	};
	struct pause_params p;
	struct run_who who;
	struct job *j;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0 ||
	    method_who(c, p.on_behalf_of, &who) < 0 ||
	    !(j = periodic_job(c, p.job)))
		return;
	sched_log_who(c, "paused", j, &who);
	sched_pause(ctl_ctx(c)->sched, j, p.until > 0 ? (usec_t)p.until :
	    0);
	ctl_reply(c, sched_state_json(j), false);
}

void
method_resume(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "job", CTL_STRING, true, offsetof(struct pause_params, job) },
		ON_BEHALF_OF_PARAM,
	};
	struct pause_params p;
	struct run_who who;
	struct job *j;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0 ||
	    method_who(c, p.on_behalf_of, &who) < 0 ||
	    !(j = periodic_job(c, p.job)))
		return;
	sched_log_who(c, "resumed", j, &who);
	sched_resume(ctl_ctx(c)->sched, j);
	ctl_reply(c, sched_state_json(j), false);
}

void
method_skip(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "job", CTL_STRING, true, offsetof(struct pause_params, job) },
		{ "count", CTL_INT, false, offsetof(struct pause_params,
		    count) },
		ON_BEHALF_OF_PARAM,
	};
	struct pause_params p;
	struct run_who who;
	struct job *j;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0 ||
	    method_who(c, p.on_behalf_of, &who) < 0 ||
	    !(j = periodic_job(c, p.job)))
		return;
	if (p.count == 0 || p.count > SCHED_MAX_COUNT) {
		ctl_error_invalid_parameter(c, "count");
		return;
	}
	sched_log_who(c, "slots skipped", j, &who);
	sched_skip(ctl_ctx(c)->sched, j, p.count < 0 ? 1 : p.count, &who);
	ctl_reply(c, sched_state_json(j), false);
}
