/* The service state machine.  The process itself is a run (spawn, pipes,
 * stop escalation are the same as for a job); this module owns what
 * happens around it:
 *
 *   stopped/waiting -> starting -> ready <-> reloading
 *                         |          |
 *                         +----------+--> (exit) -> backoff -> starting
 *                                                -> stopped | failed
 *
 * Each state is entered by its service_enter_<state>(), which does all
 * that entering it means (timers, waiters, the owner told); every event
 * goes through service_event(), which alone decides which state is next.
 * A start waits for its after= units; ready comes from the spawn (after
 * ready_after), an sd_notify READY=1, a newline on fd N or the first
 * health probe that passes (service-probe.c); an exit is judged by
 * restart= and the start limit (service-restart.c). */
#include <errno.h>
#include <stdlib.h>

#include "config.h"
#include "job.h"
#include "log.h"
#include "notify.h"
#include "probe.h"
#include "service-internal.h"
#include "xmalloc.h"

const char *const service_state_name[SVC_NSTATES] = {
	[SVC_STOPPED] = "stopped",
	[SVC_WAITING] = "waiting",
	[SVC_STARTING] = "starting",
	[SVC_READY] = "ready",
	[SVC_RELOADING] = "reloading",
	[SVC_STOPPING] = "stopping",
	[SVC_BACKOFF] = "backoff",
	[SVC_FAILED] = "failed",
};

static void service_timer_cb(uv_timer_t *);
static void service_watchdog_cb(uv_timer_t *);
static void service_started_cb(struct run_observer *, struct run *);
static void service_ready_fd_cb(struct run_observer *, struct run *);
static void service_done_cb(struct run_observer *, struct run *);

/* A service removed by a reload keeps stopping with these. */
static const struct job_service svc_removed = {
	.restart = RESTART_NO,
	.restart_sec = USEC_PER_SEC,
	.restart_max_sec = USEC_PER_SEC,
};

const struct job_service *
svc_cfg(const struct service *s)
{
	return s->job->config ? &s->job->config->svc : &svc_removed;
}

static uv_loop_t *
svc_loop(const struct service *s)
{
	return s->job->ctx->loop;
}

static bool
svc_stopping(const struct service *s)
{
	return s->job->ctx->stopping;
}

bool
service_is_up(const struct service *s)
{
	return s->state == SVC_READY || s->state == SVC_RELOADING;
}

bool
service_is_down(const struct service *s)
{
	return s->state == SVC_FAILED || (!s->want_up && !s->run);
}

bool
service_is_active(const struct service *s)
{
	return s->run || (s->want_up && s->state != SVC_FAILED);
}

static void
service_set_reason(struct service *s, char *reason)
{
	free(s->reason);
	s->reason = reason;
}

static void
service_arm(uv_timer_t *t, usec_t delay, uv_timer_cb cb)
{
	uv_timer_start(t, cb, (delay + USEC_PER_MSEC - 1) / USEC_PER_MSEC, 0);
}

/* (Re)starts the watchdog deadline; its timer exists only in services
 * with watchdog_sec=. */
static void
service_arm_watchdog(struct service *s)
{
	if (!s->watchdog) {
		s->watchdog = xmalloc(sizeof(*s->watchdog));
		uv_timer_init(svc_loop(s), s->watchdog);
		s->watchdog->data = s;
	}
	service_arm(s->watchdog, svc_cfg(s)->watchdog_sec,
	    service_watchdog_cb);
}

/* The watchdog runs from the start of the process: a deadline already
 * running (ready after starting, after reloading) goes on. */
static void
service_watch(struct service *s)
{
	if (svc_cfg(s)->watchdog_sec &&
	    !(s->watchdog && uv_is_active((uv_handle_t *)s->watchdog)))
		service_arm_watchdog(s);
}

/* Tells clients waiting for this start (start --wait) that it failed;
 * restarts go on as restart= says, but they no longer wait for them, as
 * `systemctl start` returns on the first failure. */
static void
service_wake_start_failed(struct service *s)
{
	struct service_waiter *w, **pp = &s->waiters;

	while ((w = *pp)) {
		if (!w->for_stop) {
			*pp = w->next;
			w->cb(w, s, false);
		} else {
			pp = &w->next;
		}
	}
}

/* Wakes clients waiting for ready (ok) or stopped. */
static void
service_wake(struct service *s, bool up, bool down)
{
	struct service_waiter *w, **pp = &s->waiters;

	while ((w = *pp)) {
		if ((w->for_stop && down) || (!w->for_stop && (up || down))) {
			*pp = w->next;
			w->cb(w, s, w->for_stop ? down : up);
		} else {
			pp = &w->next;
		}
	}
}

/* The one place the state is written, for the service_enter_*()
 * functions: the old state's timer stops, and the watchdog unless the
 * process stays watched (starting, ready, reloading).  False when the
 * service is in st already: entering it again does nothing more. */
static bool
service_set_state(struct service *s, enum service_state st)
{
	if (s->state == st)
		return false;
	log_svc(s, LOG_DEBUG, "service '%s': %s -> %s", s->job->name,
	    service_state_name[s->state], service_state_name[st]);
	uv_timer_stop(&s->timer);
	if (st != SVC_READY && st != SVC_RELOADING && st != SVC_STARTING &&
	    s->watchdog)
		uv_timer_stop(s->watchdog);
	s->state = st;
	return true;
}

/* A state entered is told: clients waiting for up or down are woken,
 * then the owner (the event stream, dependencies). */
static void
service_publish(struct service *s)
{
	service_wake(s, service_is_up(s), s->state == SVC_STOPPED ||
	    s->state == SVC_FAILED);
	s->ctx->changed(s->ctx->owner, s);
}

static void
service_enter_stopped(struct service *s)
{
	if (service_set_state(s, SVC_STOPPED))
		service_publish(s);
}

/* For its after= units. */
static void
service_enter_waiting(struct service *s)
{
	if (service_set_state(s, SVC_WAITING))
		service_publish(s);
}

/* Until jobctl restart or reset-failed; the reason says why. */
static void
service_enter_failed(struct service *s)
{
	if (service_set_state(s, SVC_FAILED))
		service_publish(s);
}

/* Between RELOADING=1 and READY=1. */
static void
service_enter_reloading(struct service *s)
{
	if (service_set_state(s, SVC_RELOADING))
		service_publish(s);
}

/* A new attempt: the last one's reason gone, counted for the start
 * limit, the start timeout (ready=notify, fd:N) and the watchdog armed,
 * and the process started as a run the service observes. */
static void
service_enter_starting(struct service *s, int trigger)
{
	const struct job_service *c = svc_cfg(s);

	service_set_reason(s, NULL);
	service_starts_note(&s->starts, c->start_limit_burst, now_monotonic());
	s->observer = (struct run_observer){
		.done_cb = service_done_cb,
		.started_cb = service_started_cb,
		.ready_cb = service_ready_fd_cb,
	};
	if (service_set_state(s, SVC_STARTING)) {
		if (c->ready != READY_SPAWN && c->start_timeout &&
		    c->start_timeout != USEC_INFINITY)
			service_arm(&s->timer, c->start_timeout,
			    service_timer_cb);
		service_watch(s);
		service_publish(s);
	}
	/* The observer is registered before the spawn: a spawn that fails
	 * finishes the run at once and must still be seen. */
	s->run = job_trigger_observed(s->job, trigger, &s->observer);
	if (!s->observer.run)
		s->run = NULL;		/* it finished already */
}

/* Uptime counts from the first ready of this process: a reload
 * (RELOADING, then READY=1) does not start it over.  Up for
 * stable_after, the backoff starts over (the state's timer). */
static void
service_enter_ready(struct service *s)
{
	const struct job_service *c = svc_cfg(s);

	if (s->state == SVC_STARTING) {
		log_svc(s, LOG_INFO, "service '%s' is ready (pid %d)",
		    s->job->name, s->main_pid);
		s->ready_at = now_realtime();
	}
	if (!service_set_state(s, SVC_READY))
		return;
	s->probe_failures = 0;
	if (c->stable_after && c->stable_after != USEC_INFINITY)
		service_arm(&s->timer, c->stable_after, service_timer_cb);
	service_watch(s);
	service_publish(s);
}

/* Asked for (ours: jobctl stop or restart, and the run is cancelled,
 * which stops its process group), or said by the service (STOPPING=1). */
static void
service_enter_stopping(struct service *s, bool ours)
{
	if (ours)
		s->stop_requested = true;
	if (service_set_state(s, SVC_STOPPING))
		service_publish(s);
	if (ours && s->run)
		run_event(s->run, RUN_EV_CANCEL);
}

/* Waiting delay to start again; next_restart says when. */
static void
service_enter_backoff(struct service *s, usec_t delay)
{
	char buf[TIMESPAN_MAX];

	s->next_restart = now_realtime() + delay;
	log_svc(s, LOG_NOTICE, "service '%s': restarting in %s", s->job->name,
	    timespan_format(buf, sizeof(buf), delay));
	if (!service_set_state(s, SVC_BACKOFF))
		return;
	service_arm(&s->timer, delay, service_timer_cb);
	service_publish(s);
}

/* A start goes ahead once no requires= unit is down and every after=
 * unit is up; otherwise it is stopped, or waits. */
static void
service_try_start(struct service *s, int trigger)
{
	const char *down;
	char *why;

	if (!s->want_up || s->run || s->state == SVC_FAILED ||
	    svc_stopping(s))
		return;
	if ((down = s->ctx->required_down(s->ctx->owner, s->job->config))) {
		service_set_reason(s, xstrfmt("required unit '%s' is not "
		    "running", down));
		s->want_up = false;
		service_enter_stopped(s);
	} else if (s->ctx->waiting_for(s->ctx->owner, s->job->config)) {
		service_enter_waiting(s);
	} else if ((why = service_notify_missing(s))) {
		service_set_reason(s, why);
		log_svc(s, LOG_ERR, "service '%s': %s", s->job->name,
		    s->reason);
		s->want_up = false;
		service_enter_failed(s);
	} else {
		service_enter_starting(s, trigger);
	}
}

/* A restart is due: after the backoff delay, or, at the start limit,
 * failed (start_limit_action=fail) or the capped delay (keep-trying). */
static void
service_schedule_restart(struct service *s)
{
	const struct job_service *c = svc_cfg(s);
	usec_t now = now_monotonic(), delay;

	s->failures++;
	delay = service_backoff(c, s->failures);
	if (service_starts_limit_hit(&s->starts, c, now)) {
		if (c->start_limit_action == START_LIMIT_FAIL) {
			service_set_reason(s, service_start_limit_reason(c,
			    s->reason));
			log_svc(s, LOG_ERR, "service '%s': %s; not restarting "
			    "(jobctl restart or reset-failed)", s->job->name,
			    s->reason);
			service_enter_failed(s);
			return;
		}
		delay = c->restart_max_sec;
	}
	service_enter_backoff(s, delay);
}

/* What is left of a finished process: how it ended. */
static void
service_process_gone(struct service *s, const struct run *r)
{
	s->run = NULL;
	service_probe_end(s);
	service_forget_main_pid(s, 0);
	/* STATUS= described that process; it is gone. */
	s->status_text = (free(s->status_text), NULL);
	s->last_exit_status = run_exit_status(r);
	free(s->last_result);
	s->last_result = xstrdup(run_result_name[r->result]);
	s->reason_abnormal = false;
}

/* An exit nobody asked for: the reason, then restart= and the start
 * limit decide; clients waiting for a failed start are told. */
static void
service_judge_exit(struct service *s, const struct run *r, bool abnormal,
    bool start_failed)
{
	const struct job_service *c = svc_cfg(s);
	char *why = NULL;

	if (start_failed)
		why = service_attempt_reason(r);
	else if (r->result == RESULT_FAILED && !r->exited && r->reason)
		why = xstrdup(r->reason);
	if (why)
		service_set_reason(s, why);
	if (!service_should_restart(c, r, abnormal)) {
		s->want_up = false;
		if (r->result == RESULT_SUCCESS ||
		    service_exit_clean(c, s->last_exit_status, false))
			service_enter_stopped(s);
		else
			service_enter_failed(s);
	} else {
		s->restarts++;
		service_schedule_restart(s);
	}
	if (start_failed)
		service_wake_start_failed(s);
}

/* Its run finished.  A quick clean exit is judged by restart= alone, not
 * as a failed start. */
static void
service_on_exit(struct service *s, const struct run *r)
{
	bool abnormal = r->timed_out || s->reason_abnormal;
	bool start_failed = s->state == SVC_STARTING && !s->stop_requested &&
	    r->result != RESULT_SKIPPED && !(r->exited && !abnormal &&
	    service_exit_clean(svc_cfg(s), run_exit_status(r),
	    r->signal != 0));

	service_process_gone(s, r);
	if (s->closing)
		return;
	if (s->restart_pending) {
		/* Straight to starting: restart --wait waiters wait for
		 * ready, not for this stop. */
		s->restart_pending = false;
		s->stop_requested = false;
		service_try_start(s, TRIGGER_MANUAL);
	} else if (r->result == RESULT_SKIPPED) {
		/* A false condition: not a failure, as systemd does. */
		s->want_up = false;
		service_set_reason(s, r->reason ? xstrdup(r->reason) : NULL);
		service_enter_stopped(s);
	} else if (s->stop_requested || !s->want_up) {
		service_enter_stopped(s);
	} else {
		service_judge_exit(s, r, abnormal, start_failed);
	}
}

/* The process was spawned: its pid is the main one, ready=spawn is ready
 * now or after ready_after= (supervisord's startsecs, so that a program
 * that dies at once, its port taken, is a failed start, not a ready
 * service), and what it said before jobd knew its pid is applied. */
static void
service_on_started(struct service *s, const struct run *r)
{
	const struct job_service *c = svc_cfg(s);

	service_forget_main_pid(s, r->pid);
	service_probe_begin(s);
	if (c->ready == READY_SPAWN && s->state == SVC_STARTING) {
		if (!c->ready_after)
			service_enter_ready(s);
		else if (c->ready_after != USEC_INFINITY)
			service_arm(&s->timer, c->ready_after,
			    service_timer_cb);
	}
	if (s->ctx->notify->nearly > 0)
		notify_replay(s->ctx->notify, service_notify_take,
		    (void *)s->ctx);
}

/* The state's timer: ready_after= (ready=spawn) or start_timeout= while
 * starting, stable_after= when ready, the delay in backoff. */
static void
service_on_timeout(struct service *s)
{
	char buf[TIMESPAN_MAX];

	switch (s->state) {
	case SVC_STARTING:
		if (svc_cfg(s)->ready == READY_SPAWN) {
			service_enter_ready(s);	/* up for ready_after= */
			break;
		}
		service_set_reason(s, xstrfmt("not ready within start_timeout="
		    "%s", timespan_format(buf, sizeof(buf),
		    svc_cfg(s)->start_timeout)));
		log_svc(s, LOG_WARNING, "service '%s': %s; stopping it",
		    s->job->name, s->reason);
		s->reason_abnormal = true;
		if (s->run)
			run_fail(s->run, s->reason, 0);
		break;
	case SVC_READY:
		/* Up for stable_after: the next failure starts the backoff
		 * from the beginning. */
		s->failures = 0;
		break;
	case SVC_BACKOFF:
		s->next_restart = 0;
		service_try_start(s, TRIGGER_RETRY);
		break;
	default:
		break;
	}
}

static void
service_on_watchdog(struct service *s)
{
	if (!s->run)
		return;
	service_set_reason(s, xstrdup("watchdog timeout: no WATCHDOG=1 "
	    "in time"));
	log_svc(s, LOG_WARNING, "service '%s': %s; sending SIGABRT",
	    s->job->name, s->reason);
	s->reason_abnormal = true;
	run_fail(s->run, s->reason, SIGABRT);
}

/* jobctl start (a failed service is refused), autostart, a pull: its
 * wants= and requires= come up too. */
static void
service_on_start(struct service *s, int trigger)
{
	if (s->state == SVC_FAILED)
		return;
	s->want_up = true;
	s->stop_requested = false;
	s->ctx->pull(s->ctx->owner, s->job->config);
	if (s->state == SVC_STOPPED || s->state == SVC_WAITING)
		service_try_start(s, trigger);
}

static void
service_on_stop(struct service *s, const char *reason)
{
	s->want_up = false;
	s->restart_pending = false;
	/* A failed service keeps saying why it failed. */
	if (reason && s->state != SVC_FAILED)
		service_set_reason(s, xstrdup(reason));
	if (s->run)
		service_enter_stopping(s, true);
	else if (s->state != SVC_FAILED)
		service_enter_stopped(s);
}

static void
service_on_reset_failed(struct service *s)
{
	s->failures = 0;
	s->starts.n = 0;
	if (s->state == SVC_FAILED) {
		service_set_reason(s, NULL);
		service_enter_stopped(s);
	}
}

/* Stop and start again (a failure and the start count forgotten); with
 * a process, it starts once that has ended. */
static void
service_on_restart(struct service *s)
{
	service_on_reset_failed(s);
	s->want_up = true;
	if (s->run) {
		s->restart_pending = true;
		service_enter_stopping(s, true);
		return;
	}
	service_enter_stopped(s);
	service_on_start(s, TRIGGER_MANUAL);
}

/* A unit changed: a waiting service starts if it may, a running one
 * whose requires= unit went down stops. */
static void
service_on_recheck(struct service *s)
{
	const char *down;
	char *why;

	if (s->state == SVC_WAITING) {
		service_try_start(s, TRIGGER_DEPENDENCY);
	} else if (s->run && s->want_up && (down = s->ctx->required_down(
	    s->ctx->owner, s->job->config))) {
		why = xstrfmt("required unit '%s' stopped", down);
		log_svc(s, LOG_NOTICE, "service '%s': %s; stopping it",
		    s->job->name, why);
		service_on_stop(s, why);
		free(why);
	}
}

/* The state x event table: what each event means in the current state;
 * the service_on_*() functions look at the state themselves. */
int
service_event(struct service *s, enum service_event ev,
    const struct service_ev *a)
{
	switch (ev) {
	case SVC_EV_START:
		service_on_start(s, a->trigger);
		break;
	case SVC_EV_PULL:
		if (!s->want_up)
			service_on_start(s, TRIGGER_DEPENDENCY);
		break;
	case SVC_EV_STOP:
		service_on_stop(s, a ? a->reason : NULL);
		break;
	case SVC_EV_RESTART:
		service_on_restart(s);
		break;
	case SVC_EV_RELOAD:
		/* A notify service says RELOADING=1 and READY=1 itself. */
		return service_is_up(s) ? service_signal(s,
		    svc_cfg(s)->reload_signal) : -ESRCH;
	case SVC_EV_RESET_FAILED:
		service_on_reset_failed(s);
		break;
	case SVC_EV_RECHECK:
		service_on_recheck(s);
		break;
	case SVC_EV_SHUTDOWN:
		/* The owner's dependency pass then stops it in order. */
		s->want_up = false;
		uv_timer_stop(&s->timer);
		break;
	case SVC_EV_STARTED:
		service_on_started(s, a->run);
		break;
	case SVC_EV_READY_FD:
	case SVC_EV_NOTIFY_READY:
		/* Only READY=1 ends a RELOADING=1. */
		if (s->state == SVC_STARTING || (s->state == SVC_RELOADING &&
		    ev == SVC_EV_NOTIFY_READY))
			service_enter_ready(s);
		break;
	case SVC_EV_RELOADING:
		if (service_is_up(s))
			service_enter_reloading(s);
		break;
	case SVC_EV_STOPPING:
		if (s->state != SVC_STOPPING)
			service_enter_stopping(s, false);
		break;
	case SVC_EV_EXITED:
		service_on_exit(s, a->run);
		break;
	case SVC_EV_TIMEOUT:
		service_on_timeout(s);
		break;
	case SVC_EV_WATCHDOG:
		service_on_watchdog(s);
		break;
	case SVC_EV_PROBE:
		service_on_probe(s, a->probe);
		if (a->probe->ok && s->state == SVC_STARTING &&
		    svc_cfg(s)->ready == READY_PROBE)
			service_enter_ready(s);
		break;
	case SVC_EV_KEEPALIVE:
		if (svc_cfg(s)->watchdog_sec)
			service_arm_watchdog(s);
		break;
	default:
		break;
	}
	return 0;
}

/* The callbacks only turn what happened into an event. */
static void
service_timer_cb(uv_timer_t *t)
{
	service_event(t->data, SVC_EV_TIMEOUT, NULL);
}

static void
service_watchdog_cb(uv_timer_t *t)
{
	service_event(t->data, SVC_EV_WATCHDOG, NULL);
}

static void
service_started_cb(struct run_observer *o, struct run *r)
{
	service_event(container_of(o, struct service, observer),
	    SVC_EV_STARTED, &(struct service_ev){ .run = r });
}

static void
service_ready_fd_cb(struct run_observer *o, struct run *r)
{
	(void)r;
	service_event(container_of(o, struct service, observer),
	    SVC_EV_READY_FD, NULL);
}

static void
service_done_cb(struct run_observer *o, struct run *r)
{
	service_event(container_of(o, struct service, observer),
	    SVC_EV_EXITED, &(struct service_ev){ .run = r });
}
