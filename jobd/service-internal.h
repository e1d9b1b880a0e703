/* What service.c (the state machine), service-notify.c (sd_notify and
 * the main process), and the files around them (service-life.c,
 * service-requests.c, services.c) share, and nobody else uses. */
#ifndef JOBD_SERVICE_INTERNAL_H
#define JOBD_SERVICE_INTERNAL_H

#include "log.h"
#include "service.h"

struct job_service;
struct probe_result;

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
	SVC_EV_SHUTDOWN,	/* jobd stops: nobody wants it up, no
				 * backoff or stable timer runs */
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
	SVC_EV_PROBE,		/* a health check ended (service-probe.c) */
	SVC_NEVENTS,
};

/* What comes with an event; most carry nothing (NULL). */
struct service_ev {
	int trigger;			/* START: enum run_trigger */
	const char *reason;		/* STOP: why, or NULL */
	struct run *run;		/* STARTED, EXITED */
	const struct probe_result *probe;	/* PROBE */
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

/* service-probe.c: the probe follows the process (started with it,
 * stopped when it is gone); a result is an SVC_EV_PROBE, which
 * service_on_probe() judges.  Ready: back to none failed in a row. */
void service_probe_begin(struct service *);
void service_probe_end(struct service *);
void service_on_probe(struct service *, const struct probe_result *);

/* Why the service cannot start without the notify socket, or NULL
 * (service-notify.c). */
char *service_notify_missing(const struct service *);

#endif
