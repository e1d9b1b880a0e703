/* Services: long-running processes that jobd keeps up.  A service is a
 * unit like a job (same name space, same exec keys); its process is a run,
 * and this module decides around the runs: readiness, restart with
 * backoff, start limit, watchdog, dependencies, stop order. */
#ifndef JOBD_SERVICE_H
#define JOBD_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "run.h"
#include "timeutil.h"

struct daemon;
struct job;
struct job_config;
struct notify_msg;

enum service_state {
	SVC_STOPPED,
	SVC_WAITING,		/* for its after= units */
	SVC_STARTING,		/* spawned, not ready yet */
	SVC_READY,
	SVC_RELOADING,
	SVC_STOPPING,
	SVC_BACKOFF,		/* waiting to restart */
	SVC_FAILED,
	SVC_NSTATES,
};

extern const char *const service_state_name[SVC_NSTATES];


/* Owned by its job (job->service); freed after its timers closed. */
struct service {
	struct job *job;
	enum service_state state;
	bool want_up;			/* autostart or jobctl start */
	bool stop_requested;
	bool restart_pending;		/* start again once stopped */
	bool reason_abnormal;		/* watchdog or start timeout */
	struct run *run;		/* the current process */
	struct run_observer observer;
	pid_t main_pid;			/* MAINPID=, else the run's pid */
	int main_pidfd;			/* MAINPID='s process, or -1 */
	unsigned restarts;
	unsigned failures;		/* consecutive: the backoff step */
	usec_t *starts;			/* the last start_limit_burst starts
					 * (monotonic), a ring */
	unsigned nstarts, starts_cap;
	usec_t ready_at;		/* realtime */
	usec_t next_restart;		/* realtime, in backoff */
	int last_exit_status;		/* -1: none */
	char *last_result;
	char *status_text;		/* STATUS= */
	char *reason;			/* why failed or not started */
	int errnum;			/* ERRNO= */
	uv_timer_t timer;		/* backoff, start timeout, stable */
	uv_timer_t *watchdog;		/* watchdog_sec= only */
	unsigned open_handles;
	bool closing;
	/* Clients waiting for ready (start --wait) or stopped (stop --wait). */
	struct service_waiter *waiters;
};

struct service_waiter {
	void (*cb)(struct service_waiter *, struct service *, bool ok);
	bool for_stop;
	struct service_waiter *next;
};

struct service *service_new(struct job *);
/* Closes the timers; the memory goes in the last close callback. */
void service_free(struct service *);

/* jobctl start/stop/restart/reload/signal/reset-failed. */
void service_start(struct service *, int trigger);
void service_stop(struct service *, const char *reason);
void service_restart(struct service *);
int service_reload(struct service *);
int service_signal(struct service *, int sig);
void service_reset_failed(struct service *);
void service_wait(struct service *, struct service_waiter *);
void service_unwait(struct service *, struct service_waiter *);

/* The daemon: start what autostarts (in dependency order), re-check
 * waiting services when any unit changed, stop all in reverse order. */
void service_start_all(struct daemon *);
void service_deps_changed(struct daemon *);
void service_stop_all(struct daemon *);
/* Has a process, or is on its way up (not stopped, not failed): what a
 * reload restarts for a new exec context. */
bool service_is_active(const struct service *);
/* True while any service still has a process. */
bool service_any_running(struct daemon *);

/* After a config swap: services added (started if autostart), removed
 * (stopped), and those named in restart (exec context changed). */
void service_apply_config(struct daemon *, char **restart);

/* Dependencies of any unit (jobs use them too): a requires= unit that is
 * down, the first after=/requires= unit not up yet, and pulling up the
 * wants= and requires= units. */
const char *unit_required_down(struct daemon *, const struct job_config *);
const char *unit_waiting_for(struct daemon *, const struct job_config *);
void unit_pull(struct daemon *, const struct job_config *);

/* A notify message arrived (notify.c). */
void service_notify(struct daemon *, const struct notify_msg *);
/* Whether a unit counts as "up" for its dependents: a service ready, a
 * job whose last run succeeded. */
bool service_unit_up(struct daemon *, const char *name);

#endif
