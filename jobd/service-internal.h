/* What service.c (the state machine), service-restart.c (what an exit
 * means), service-notify.c (sd_notify) and services.c (all services at
 * once) share, and nobody else uses. */
#ifndef JOBD_SERVICE_INTERNAL_H
#define JOBD_SERVICE_INTERNAL_H

#include "log.h"
#include "service.h"

struct job_service;

#define log_svc(s, level, ...) \
	log_full(level, (s)->job->name, 0, __VA_ARGS__)

/* Everything that moves a service: requests, its process, its timers and
 * what it says on the notify socket.  service_event() is the one place
 * that acts on them; an event a state does not expect is ignored. */
enum service_event {
	SVC_EV_START,		/* jobctl start, autostart */
	SVC_EV_PULL,		/* a dependent's wants=/requires= */
	SVC_EV_STOP,		/* jobctl stop, a requirer down, shutdown */
	SVC_EV_RESTART,
	SVC_EV_RELOAD,		/* jobctl reload: the reload signal */
	SVC_EV_RESET_FAILED,
	SVC_EV_RECHECK,		/* a unit it depends on changed */
	SVC_EV_SHUTDOWN,	/* jobd stops: nobody wants it up */
	SVC_EV_STARTED,		/* its process was spawned */
	SVC_EV_READY_FD,	/* ready=fd:N: the newline came */
	SVC_EV_EXITED,		/* its run finished */
	SVC_EV_TIMEOUT,		/* the state's timer: ready_after,
				 * start_timeout, stable_after, backoff */
	SVC_EV_WATCHDOG,	/* no WATCHDOG=1 within watchdog_sec */
	SVC_EV_KEEPALIVE,	/* WATCHDOG=1 */
	SVC_EV_NOTIFY_READY,	/* READY=1 */
	SVC_EV_RELOADING,	/* RELOADING=1 */
	SVC_EV_STOPPING,	/* STOPPING=1 */
	SVC_NEVENTS,
};

/* What comes with an event; most carry nothing (NULL). */
struct service_ev {
	int trigger;			/* START: enum run_trigger */
	const char *reason;		/* STOP: why, or NULL */
	struct run *run;		/* STARTED, EXITED */
};

/* 0, or -errno (RELOAD of a service that is not up: -ESRCH). */
int service_event(struct service *, enum service_event,
    const struct service_ev *);

/* The service's settings (a removed service's: stop, no restart). */
const struct job_service *svc_cfg(const struct service *);
/* Back to the run's own pid as the main one (MAINPID= forgotten). */
void service_forget_main_pid(struct service *, pid_t);
/* A message applied to its service (ctx: the service_ctx); false when no
 * service has (yet) a process with the sender's pid. */
bool service_notify_take(void *ctx, const struct notify_msg *);

/* Clients waiting (service-life.c): for ready (woken with up) or
 * stopped (down); those waiting for this start when it failed. */
void service_wake(struct service *, bool up, bool down);
void service_wake_start_failed(struct service *);
/* Why the service cannot start without the notify socket, or NULL
 * (service-notify.c). */
char *service_notify_missing(const struct service *);

/* What an exit means (service-restart.c). */
bool service_exit_clean(const struct job_service *, int status,
    bool signalled);
/* Whether restart= asks for a new process after this exit. */
bool service_should_restart(const struct job_service *, const struct run *,
    bool abnormal);
void service_note_start(struct service *, usec_t now);
/* Whether start_limit_burst starts fell within start_limit_interval. */
bool service_start_limit_hit(const struct service *, usec_t now);
/* The delay before restart number failures (1, 2, ...). */
usec_t service_backoff(const struct job_service *, unsigned failures);
char *service_start_limit_reason(const struct job_service *,
    const char *last);
/* Why a start attempt ended before the service was ready, or NULL. */
char *service_attempt_reason(const struct run *);

#endif
