/* Services.  The process itself is a run (spawn, pipes, stop escalation
 * are the same as for a job); this module owns what happens around it:
 *
 *   stopped/waiting -> starting -> ready <-> reloading
 *                         |          |
 *                         +----------+--> (exit) -> backoff -> starting
 *                                                -> stopped | failed
 *
 * A start waits for its after= units (services ready, jobs succeeded);
 * ready comes from the spawn, an sd_notify READY=1 or a newline on fd N;
 * an exit is judged by restart= (a quick clean exit is not "failed to
 * start"); restarts back off exponentially with jitter, reset once up for
 * stable_after; start_limit_burst starts within start_limit_interval mean
 * failed, or with keep-trying the capped delay forever. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "job.h"
#include "log.h"
#include "notify.h"
#include "service-internal.h"
#include "signame.h"
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

static void service_try_start(struct service *, int trigger);
static void service_timer_cb(uv_timer_t *);
static void service_watchdog_cb(uv_timer_t *);

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
void
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

void
service_set_state(struct service *s, enum service_state st)
{
	const struct job_service *c = svc_cfg(s);

	if (s->state == st)
		return;
	log_svc(s, LOG_DEBUG, "service '%s': %s -> %s", s->job->name,
	    service_state_name[s->state], service_state_name[st]);
	uv_timer_stop(&s->timer);
	if (st != SVC_READY && st != SVC_RELOADING && st != SVC_STARTING &&
	    s->watchdog)
		uv_timer_stop(s->watchdog);
	s->state = st;
	if (st == SVC_STARTING && c->ready != READY_SPAWN &&
	    c->start_timeout && c->start_timeout != USEC_INFINITY)
		service_arm(&s->timer, c->start_timeout, service_timer_cb);
	if (st == SVC_READY && c->stable_after &&
	    c->stable_after != USEC_INFINITY)
		service_arm(&s->timer, c->stable_after, service_timer_cb);
	if ((st == SVC_READY || st == SVC_STARTING) && c->watchdog_sec &&
	    !(s->watchdog && uv_is_active((uv_handle_t *)s->watchdog)))
		service_arm_watchdog(s);
	service_wake(s, service_is_up(s), st == SVC_STOPPED ||
	    st == SVC_FAILED);
	s->ctx->changed(s->ctx->owner, s);
}

/* Back to the run's own process (whose pidfd proc.c holds). */
void
service_forget_main_pid(struct service *s, pid_t pid)
{
	if (s->main_pidfd >= 0)
		close(s->main_pidfd);
	s->main_pidfd = -1;
	s->main_pid = pid;
}

void
service_enter_ready(struct service *s)
{
	/* Uptime counts from the first ready of this process: a reload
	 * (RELOADING, then READY=1) does not start it over. */
	if (s->state == SVC_STARTING) {
		log_svc(s, LOG_INFO, "service '%s' is ready (pid %d)",
		    s->job->name, s->main_pid);
		s->ready_at = now_realtime();
	}
	service_set_state(s, SVC_READY);
}

/* The process started: ready=spawn means ready now. */
static void
service_started_cb(struct run_observer *o, struct run *r)
{
	struct service *s = container_of(o, struct service, observer);

	const struct job_service *c = svc_cfg(s);

	service_forget_main_pid(s, r->pid);
	/* ready=spawn: up for ready_after= first (supervisord's
	 * startsecs), so that a program that dies at once (its port taken)
	 * is a failed start, not a ready service. */
	if (c->ready == READY_SPAWN && s->state == SVC_STARTING) {
		if (!c->ready_after)
			service_enter_ready(s);
		else if (c->ready_after != USEC_INFINITY)
			service_arm(&s->timer, c->ready_after,
			    service_timer_cb);
	}
	/* What it (or another) said before jobd knew its pid. */
	if (s->ctx->notify->nearly > 0)
		notify_replay(s->ctx->notify, service_notify_take,
		    (void *)s->ctx);
}

static void
service_ready_fd_cb(struct run_observer *o, struct run *r)
{
	struct service *s = container_of(o, struct service, observer);

	(void)r;
	if (s->state == SVC_STARTING)
		service_enter_ready(s);
}

static bool
service_exit_clean(const struct service *s, int status, bool signalled)
{
	const struct job_service *c = svc_cfg(s);
	size_t i;

	if (!signalled && status == 0)
		return true;
	for (i = 0; i < c->nsuccess; i++)
		if (c->success_exit_status[i] == status)
			return true;
	return false;
}

/* Whether restart= asks for a new process after this exit. */
static bool
service_should_restart(const struct service *s, const struct run *r,
    bool abnormal)
{
	bool signalled = r->exited && r->signal;
	bool clean = r->exited && !abnormal &&
	    service_exit_clean(s, run_exit_status(r), signalled);
	int sig = r->signal;

	switch (svc_cfg(s)->restart) {
	case RESTART_ALWAYS:
		return true;
	case RESTART_ON_FAILURE:
		return !clean;
	case RESTART_ON_ABNORMAL:
		/* Killed by an unclean signal, the watchdog or a timeout. */
		return abnormal || (signalled && sig != SIGTERM &&
		    sig != SIGINT && sig != SIGHUP && sig != SIGPIPE &&
		    !service_exit_clean(s, run_exit_status(r), true));
	default:
		return false;
	}
}

/* Whether start_limit_burst starts fell within start_limit_interval:
 * the ring keeps exactly the last burst start times. */
static bool
service_start_limit_hit(const struct service *s, usec_t now)
{
	const struct job_service *c = svc_cfg(s);
	usec_t oldest;

	if (!c->start_limit_burst || s->starts_cap != c->start_limit_burst ||
	    s->nstarts < s->starts_cap)
		return false;
	oldest = s->starts[s->nstarts % s->starts_cap];
	return now - oldest <= c->start_limit_interval;
}

/* Exponential backoff with +-10 % jitter, so that many services that
 * failed together do not restart together. */
static usec_t
service_backoff(struct service *s)
{
	const struct job_service *c = svc_cfg(s);
	usec_t d = c->restart_sec;
	unsigned i;

	for (i = 1; i < s->failures && d < c->restart_max_sec; i++)
		d *= 2;
	d = MIN(d, c->restart_max_sec);
	if (d >= 10)
		d = d - d / 10 + (usec_t)random() % (d / 5 + 1);
	return d;
}

static void
service_schedule_restart(struct service *s)
{
	const struct job_service *c = svc_cfg(s);
	usec_t now = now_monotonic(), delay;
	char buf[TIMESPAN_MAX];

	s->failures++;
	delay = service_backoff(s);
	if (service_start_limit_hit(s, now)) {
		if (c->start_limit_action == START_LIMIT_FAIL) {
			/* The last attempt's cause stays in the reason. */
			service_set_reason(s, xstrfmt("start limit hit: %u "
			    "starts within %s%s%s", c->start_limit_burst,
			    timespan_format(buf, sizeof(buf),
			    c->start_limit_interval), s->reason ? "; last: " :
			    "", s->reason ? s->reason : ""));
			log_svc(s, LOG_ERR, "service '%s': %s; not restarting "
			    "(jobctl restart or reset-failed)", s->job->name,
			    s->reason);
			service_set_state(s, SVC_FAILED);
			return;
		}
		delay = c->restart_max_sec;
	}
	s->next_restart = now_realtime() + delay;
	log_svc(s, LOG_NOTICE, "service '%s': restarting in %s", s->job->name,
	    timespan_format(buf, sizeof(buf), delay));
	service_set_state(s, SVC_BACKOFF);
	service_arm(&s->timer, delay, service_timer_cb);
}

/* Why a start attempt ended before the service was ready: the run's own
 * reason (exec, user, conditions), the start timeout already given, or
 * how the process ended. */
static void
service_attempt_failed(struct service *s, const struct run *r)
{
	if (r->reason && (!r->exited || run_exit_status(r) == 127 ||
	    r->forced_failure)) {
		service_set_reason(s, xstrdup(r->reason));
		return;
	}
	if (r->signal)
		service_set_reason(s, xstrfmt("killed by %s before it was "
		    "ready", signal_to_string(r->signal)));
	else if (r->exited)
		service_set_reason(s, xstrfmt("exited with status %d before "
		    "it was ready", r->exit_code));
}

static void
service_done_cb(struct run_observer *o, struct run *r)
{
	struct service *s = container_of(o, struct service, observer);
	bool abnormal = r->timed_out || s->reason_abnormal;
	/* A quick clean exit is judged by restart= alone, not a failure. */
	bool start_failed = s->state == SVC_STARTING && !s->stop_requested &&
	    r->result != RESULT_SKIPPED && !(r->exited && !abnormal &&
	    service_exit_clean(s, run_exit_status(r), r->signal != 0));

	s->run = NULL;
	service_forget_main_pid(s, 0);
	/* STATUS= described that process; it is gone. */
	s->status_text = (free(s->status_text), NULL);
	s->last_exit_status = run_exit_status(r);
	free(s->last_result);
	s->last_result = xstrdup(run_result_name[r->result]);
	s->reason_abnormal = false;
	if (s->closing)
		return;
	if (s->restart_pending) {
		/* Straight to starting: restart --wait waiters wait for
		 * ready, not for this stop. */
		s->restart_pending = false;
		s->stop_requested = false;
		service_try_start(s, TRIGGER_MANUAL);
		return;
	}
	if (r->result == RESULT_SKIPPED) {
		/* A false condition: not a failure, as systemd does. */
		s->want_up = false;
		service_set_reason(s, r->reason ? xstrdup(r->reason) : NULL);
		service_set_state(s, SVC_STOPPED);
		return;
	}
	if (s->stop_requested || !s->want_up) {
		service_set_state(s, SVC_STOPPED);
		return;
	}
	if (start_failed)
		service_attempt_failed(s, r);
	else if (r->result == RESULT_FAILED && !r->exited && r->reason)
		service_set_reason(s, xstrdup(r->reason));
	if (!service_should_restart(s, r, abnormal)) {
		s->want_up = false;
		service_set_state(s, r->result == RESULT_SUCCESS ||
		    service_exit_clean(s, s->last_exit_status, false) ?
		    SVC_STOPPED : SVC_FAILED);
	} else {
		s->restarts++;
		service_schedule_restart(s);
	}
	if (start_failed)
		service_wake_start_failed(s);
}

static void
service_spawn(struct service *s, int trigger)
{
	usec_t now = now_monotonic();
	unsigned burst = svc_cfg(s)->start_limit_burst;

	if (burst && s->starts_cap != burst) {
		/* A new limit (first start, or a reload changed it). */
		s->starts = xreallocarray(s->starts, burst, sizeof(usec_t));
		s->starts_cap = burst;
		s->nstarts = 0;
	}
	if (s->starts_cap)
		s->starts[s->nstarts++ % s->starts_cap] = now;
	s->observer = (struct run_observer){
		.done_cb = service_done_cb,
		.started_cb = service_started_cb,
		.ready_cb = service_ready_fd_cb,
	};
	service_set_state(s, SVC_STARTING);
	/* The observer is registered before the spawn: a spawn that fails
	 * finishes the run at once and must still be seen. */
	s->run = job_trigger_observed(s->job, trigger, &s->observer);
	if (!s->observer.run)
		s->run = NULL;		/* it finished already */
}

/* One timer per state: start timeout, stable_after, backoff delay. */
static void
service_timer_cb(uv_timer_t *t)
{
	struct service *s = t->data;
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
service_watchdog_cb(uv_timer_t *t)
{
	struct service *s = t->data;

	if (!s->run)
		return;
	service_set_reason(s, xstrdup("watchdog timeout: no WATCHDOG=1 "
	    "in time"));
	log_svc(s, LOG_WARNING, "service '%s': %s; sending SIGABRT",
	    s->job->name, s->reason);
	s->reason_abnormal = true;
	run_fail(s->run, s->reason, SIGABRT);
}

static const char *
service_required_down(struct service *s)
{
	return s->ctx->required_down(s->ctx->owner, s->job->config);
}

static bool
service_deps_met(struct service *s)
{
	return !s->ctx->waiting_for(s->ctx->owner, s->job->config);
}

/* ready=notify and watchdog_sec= need the notify socket: without it the
 * service fails at once, saying why, instead of timing out for ever. */
static bool
service_notify_missing(struct service *s)
{
	const struct job_service *c = svc_cfg(s);
	const struct notify *n = s->ctx->notify;

	if ((c->ready != READY_NOTIFY && !c->watchdog_sec) || n->fd >= 0)
		return false;
	service_set_reason(s, xstrfmt("%s needs the notify socket '%s', "
	    "which jobd could not open: %s", c->ready == READY_NOTIFY ?
	    "ready=notify" : "watchdog_sec=", n->path ? n->path : "?",
	    n->error == -EADDRINUSE ? "another process listens on it" :
	    strerror(-n->error)));
	log_svc(s, LOG_ERR, "service '%s': %s", s->job->name, s->reason);
	s->want_up = false;
	service_set_state(s, SVC_FAILED);
	return true;
}

static void
service_try_start(struct service *s, int trigger)
{
	const char *down;

	if (!s->want_up || s->run || s->state == SVC_FAILED ||
	    svc_stopping(s))
		return;
	if ((down = service_required_down(s))) {
		service_set_reason(s, xstrfmt("required unit '%s' is not "
		    "running", down));
		s->want_up = false;
		service_set_state(s, SVC_STOPPED);
		return;
	}
	if (!service_deps_met(s)) {
		service_set_state(s, SVC_WAITING);
		return;
	}
	if (service_notify_missing(s))
		return;
	service_set_reason(s, NULL);
	service_spawn(s, trigger);
}

void
service_start(struct service *s, int trigger)
{
	if (s->state == SVC_FAILED)
		return;
	s->want_up = true;
	s->stop_requested = false;
	s->ctx->pull(s->ctx->owner, s->job->config);
	if (s->state == SVC_STOPPED || s->state == SVC_WAITING)
		service_try_start(s, trigger);
}

void
service_pull(struct service *s)
{
	if (!s->want_up && s->state != SVC_FAILED)
		service_start(s, TRIGGER_DEPENDENCY);
}

void
service_recheck(struct service *s)
{
	const char *down;
	char *why;

	if (s->state == SVC_WAITING) {
		service_try_start(s, TRIGGER_DEPENDENCY);
	} else if (s->run && s->want_up && (down = service_required_down(s))) {
		why = xstrfmt("required unit '%s' stopped", down);
		log_svc(s, LOG_NOTICE, "service '%s': %s; stopping it",
		    s->job->name, why);
		service_stop(s, why);
		free(why);
	}
}

void
service_stop(struct service *s, const char *reason)
{
	s->want_up = false;
	s->restart_pending = false;
	/* A failed service keeps saying why it failed. */
	if (reason && s->state != SVC_FAILED)
		service_set_reason(s, xstrdup(reason));
	if (s->run) {
		s->stop_requested = true;
		service_set_state(s, SVC_STOPPING);
		run_event(s->run, RUN_EV_CANCEL);
	} else if (s->state != SVC_FAILED) {
		service_set_state(s, SVC_STOPPED);
	}
}

void
service_reset_failed(struct service *s)
{
	s->failures = 0;
	s->nstarts = 0;
	if (s->state == SVC_FAILED) {
		service_set_reason(s, NULL);
		service_set_state(s, SVC_STOPPED);
	}
}

void
service_restart(struct service *s)
{
	service_reset_failed(s);
	s->want_up = true;
	if (s->run) {
		s->restart_pending = true;
		s->stop_requested = true;
		service_set_state(s, SVC_STOPPING);
		run_event(s->run, RUN_EV_CANCEL);
		return;
	}
	uv_timer_stop(&s->timer);
	service_set_state(s, SVC_STOPPED);
	service_start(s, TRIGGER_MANUAL);
}

int
service_signal(struct service *s, int sig)
{
	pid_t pid = s->main_pid ? s->main_pid : s->run ? s->run->pid : 0;

	if (!s->run || pid <= 0)
		return -ESRCH;
	if (s->main_pidfd >= 0) {
		if (syscall(SYS_pidfd_send_signal, s->main_pidfd, sig, NULL,
		    0) == 0)
			return 0;
		if (errno != ESRCH)
			return -errno;
		/* The main process is gone: the run's own is what is left. */
		log_svc(s, LOG_NOTICE, "service '%s': main pid %d has exited; "
		    "signalling pid %d", s->job->name, (int)pid, s->run->pid);
		service_forget_main_pid(s, pid = s->run->pid);
	}
	return kill(pid, sig) < 0 ? -errno : 0;
}

int
service_reload(struct service *s)
{
	int r;

	if (!service_is_up(s))
		return -ESRCH;
	r = service_signal(s, svc_cfg(s)->reload_signal);
	/* A notify service says RELOADING=1 and READY=1 itself. */
	return r;
}

void
service_wait(struct service *s, struct service_waiter *w)
{
	w->next = s->waiters;
	s->waiters = w;
}

void
service_unwait(struct service *s, struct service_waiter *w)
{
	struct service_waiter **pp;

	for (pp = &s->waiters; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			return;
		}
	}
}

struct service *
service_new(struct job *j, const struct service_ctx *ctx)
{
	struct service *s = xcalloc(1, sizeof(*s));

	s->job = j;
	s->ctx = ctx;
	s->main_pidfd = -1;
	s->last_exit_status = -1;
	uv_timer_init(j->ctx->loop, &s->timer);
	s->timer.data = s;
	return s;
}

bool
service_is_active(const struct service *s)
{
	return s->run || (s->want_up && s->state != SVC_FAILED);
}

static void
service_close_cb(uv_handle_t *h)
{
	struct service *s = h->data;

	if (--s->open_handles > 0)
		return;
	free(s->last_result);
	free(s->status_text);
	free(s->reason);
	free(s->starts);
	free(s->watchdog);
	free(s);
}

void
service_free(struct service *s)
{
	struct service_waiter *w;

	if (!s)
		return;
	s->closing = true;
	service_forget_main_pid(s, 0);
	if (s->run)
		run_unobserve(&s->observer);
	while ((w = s->waiters)) {
		s->waiters = w->next;
		w->cb(w, s, false);
	}
	s->open_handles = 1;
	uv_close((uv_handle_t *)&s->timer, service_close_cb);
	if (s->watchdog) {
		s->open_handles++;
		uv_close((uv_handle_t *)s->watchdog, service_close_cb);
	}
}
