/* The alert policy's decisions on runs, services and missed slots.  A
 * run's verdict (success, failed, timeout; only the last attempt when it
 * is retried) moves the job between ok and failing: "failed" on the way
 * in (every time with alert_repeat=yes), "recovered" on the way out or
 * out of overdue.  A service is failing from entering failed until it is
 * ready again.  Slots skipped by the scheduler (not by jobctl skip) and
 * runs found lost are "missed"; alert_on=always adds "finished" for
 * every run's end.  The state is kept whatever alert_on= sends.  Hooks'
 * runs and the runs of alert commands ("alert:NAME") never alert, so
 * alerts cannot loop.  The dead man's switch is alert-overdue.c's. */
#include <string.h>

#include "alert-policy.h"
#include "config.h"
#include "hooks.h"
#include "job.h"
#include "ledger.h"
#include "log.h"
#include "run-ctx.h"
#include "run.h"
#include "service.h"
#include "strv.h"
#include "units.h"
#include "xmalloc.h"

#define ALERT_COMMAND_PREFIX "alert:"

void
alert_policy_save(struct alert_policy *p, const struct job *j)
{
	const struct ledger_alert_state st = {
		.job = j->name,
		.failing = j->alert.failing,
		.overdue = j->alert.overdue,
		.since = j->alert.since,
		.overdue_since = j->alert.overdue_since,
	};

	if (p->ops.save)
		p->ops.save(p->ops.owner, &st);
}

static struct alert_event *alert_of_run(enum alert_kind,
    const struct run *);

/* Whether an event of kind about j would go anywhere: built only then
 * (a run's tail is copied into it).  What is decided and not sent is
 * logged at debug level (but "finished" that alert_on= does not ask). */
static bool
alert_wanted(const struct job *j, enum alert_kind kind, uint64_t run)
{
	const struct job_policy *pol = &j->config->policy;
	bool on = pol->alert_on & (1u << kind);

	if (on && pol->alerts && pol->alerts[0])
		return true;
	if (on || kind != ALERT_FINISHED)
		log_full(LOG_DEBUG, j->name, run, "%s '%s': %s, not sent (%s)",
		    j->config->service ? "service" : "job", j->name,
		    alert_kind_name[kind], on ? "no alert=" :
		    "alert_on= leaves it out");
	return false;
}

void
alert_policy_send(struct alert_policy *p, const struct job *j,
    struct alert_event *e)
{
	if (alert_wanted(j, e->kind, e->run)) {
		e->at = p->now();
		p->sent++;
		p->ops.send(p->ops.owner, e, j->config->policy.alerts);
	}
	alert_event_free(e);
}

/* The run's alert of kind, when wanted. */
static void
alert_send_run(struct alert_policy *p, struct job *j, enum alert_kind kind,
    const struct run *r)
{
	if (alert_wanted(j, kind, r->id))
		alert_policy_send(p, j, alert_of_run(kind, r));
}

/* An event of kind about unit j, to fill in. */
static struct alert_event *
alert_new(enum alert_kind kind, const struct job *j)
{
	struct alert_event *e = xcalloc(1, sizeof(*e));

	e->kind = kind;
	e->job = xstrdup(j->name);
	e->service = j->config->service;
	return e;
}

/* The last lines of the run's output, whole, within the bounds. */
static char **
alert_tail(const struct run *r)
{
	const struct tail_line *l;
	char **v = NULL;

	l = tail_last_fit(&r->tail, ALERT_TAIL_LINES, ALERT_TAIL_BYTES);
	for (; l; l = TAILQ_NEXT(l, entry))
		v = strv_push(v, xstrndup(l->data, l->len));
	return v;
}

/* What a run's alert says of it. */
static struct alert_event *
alert_of_run(enum alert_kind kind, const struct run *r)
{
	struct alert_event *e = alert_new(kind, r->job);

	e->run = r->id;
	e->result = xstrdup(run_result_name[r->result]);
	e->has_exit = r->exited && !r->signal;
	e->exit_status = r->exit_code;
	e->signal = r->signal;
	e->reason = r->reason ? xstrdup(r->reason) : NULL;
	e->trigger = xstrdup(run_trigger_name[r->trigger]);
	e->scheduled_at = r->scheduled;
	e->started_at = r->started;
	e->ended_at = r->ended;
	e->duration = r->started && r->ended > r->started ?
	    r->ended - r->started : 0;
	e->tail = alert_tail(r);
	return e;
}

/* Units that alert: configured, not an alert's own command. */
static bool
alert_unit(const struct job *j)
{
	return j && j->config && strncmp(j->name, ALERT_COMMAND_PREFIX,
	    strlen(ALERT_COMMAND_PREFIX));
}

static bool
alert_is_verdict(const struct alert_policy *p, const struct run *r)
{
	switch (r->result) {
	case RESULT_SUCCESS:
		return true;
	case RESULT_FAILED:
	case RESULT_TIMEOUT:
	case RESULT_LOST:
	case RESULT_OOM:
		/* A run that will be retried is no verdict yet. */
		return !hooks_will_retry(p->runs, r->job->config, r);
	default:
		return false;		/* cancelled, skipped */
	}
}

/* A job's verdict: change-only failed, recovered, and the switch reset
 * by a success. */
static void
alert_verdict(struct alert_policy *p, struct job *j, const struct run *r)
{
	struct job_alert *a = &j->alert;
	bool was_failing = a->failing, was_bad = a->failing || a->overdue;

	if (r->result == RESULT_SUCCESS) {
		a->last_success = r->ended ? r->ended : p->now();
		a->failing = a->overdue = false;
		a->overdue_since = 0;
		if (was_bad) {
			alert_policy_save(p, j);
			alert_send_run(p, j, ALERT_RECOVERED, r);
		}
		alert_policy_arm(p, j);
		return;
	}
	a->failing = true;
	if (!was_failing)
		alert_policy_save(p, j);
	if (!was_failing || j->config->policy.alert_repeat)
		alert_send_run(p, j, ALERT_FAILED, r);
}

static void
alert_finished_cb(struct run_subscriber *sub, struct run *r)
{
	struct alert_policy *p = container_of(sub, struct alert_policy, sub);
	struct job *j = r->job;

	if (r->is_hook || !alert_unit(j))
		return;
	/* A service's process is judged by the service's state. */
	if (!r->is_service && alert_is_verdict(p, r))
		alert_verdict(p, j, r);
	alert_send_run(p, j, ALERT_FINISHED, r);
}

/* What a service's alert says: its state, why, how its process ended. */
static struct alert_event *
alert_of_service(enum alert_kind kind, const struct service *s)
{
	struct alert_event *e = alert_new(kind, s->job);

	e->result = xstrdup(service_state_name[s->state]);
	e->has_exit = s->last_exit_status >= 0;
	e->exit_status = s->last_exit_status;
	e->reason = s->reason ? xstrdup(s->reason) : NULL;
	return e;
}

void
alert_policy_service_changed(struct alert_policy *p, struct service *s)
{
	struct job *j = s->job;
	struct job_alert *a = &j->alert;
	bool was = a->failing;

	if (!alert_unit(j))
		return;
	if (s->state == SVC_FAILED) {
		a->failing = true;
		if (!was)
			alert_policy_save(p, j);
		if (!was || j->config->policy.alert_repeat)
			alert_policy_send(p, j, alert_of_service(ALERT_FAILED,
			    s));
	} else if (s->state == SVC_READY && was) {
		a->failing = false;
		alert_policy_save(p, j);
		alert_policy_send(p, j, alert_of_service(ALERT_RECOVERED, s));
	}
}

void
alert_policy_slot_skipped(struct alert_policy *p, struct job *j,
    uint64_t id, int trigger, usec_t slot, const char *reason,
    bool by_user)
{
	struct alert_event *e;

	if (by_user || !alert_unit(j))
		return;
	e = alert_new(ALERT_MISSED, j);
	e->run = id;
	e->result = xstrdup(run_result_name[RESULT_SKIPPED]);
	e->reason = xstrdup(reason);
	if (trigger >= 0 && trigger < TRIGGER_NTRIGGERS)
		e->trigger = xstrdup(run_trigger_name[trigger]);
	e->scheduled_at = slot;
	alert_policy_send(p, j, e);
}

void
alert_policy_lost(struct alert_policy *p, const struct ledger_lost *lost,
    size_t n)
{
	struct alert_event *e;
	struct job *j;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!lost[i].job || !alert_unit(j = units_find(p->units,
		    lost[i].job)))
			continue;
		e = alert_new(ALERT_MISSED, j);
		e->run = lost[i].id;
		e->result = xstrdup(run_result_name[RESULT_LOST]);
		e->reason = xstrdup("jobd stopped while the run was in "
		    "flight");
		e->trigger = lost[i].trigger ? xstrdup(lost[i].trigger) :
		    NULL;
		e->scheduled_at = lost[i].scheduled;
		e->started_at = lost[i].started;
		alert_policy_send(p, j, e);
	}
}

void
alert_policy_load_states(struct alert_policy *p,
    const struct ledger_alert_state *v, size_t n)
{
	struct job *j;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!v[i].job || !(j = units_find(p->units, v[i].job)))
			continue;
		j->alert.failing = v[i].failing;
		j->alert.overdue = v[i].overdue;
		j->alert.since = v[i].since;
		j->alert.overdue_since = v[i].overdue ?
		    v[i].overdue_since : 0;
	}
}

void
alert_policy_load_stats(struct alert_policy *p,
    const struct ledger_job_stats *v, size_t n)
{
	struct job *j;
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].job && (j = units_find(p->units, v[i].job)))
			j->alert.last_success = v[i].last_success;
}

void
alert_policy_init(struct alert_policy *p, const struct run_ctx *runs,
    struct units *u, const struct alert_policy_ops *ops)
{
	*p = (struct alert_policy){ .runs = runs, .units = u, .ops = *ops,
	    .now = now_realtime };
}

void
alert_policy_subscribe(struct alert_policy *p, struct run_hub *hub)
{
	p->sub = (struct run_subscriber){ .finished = alert_finished_cb };
	run_hub_subscribe(hub, &p->sub);
}
