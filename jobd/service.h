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
#include "service-restart.h"
#include "timeutil.h"

struct job;
struct job_config;
struct notify;
struct notify_msg;
struct probe;
struct probe_ctx;
struct service;
struct units;

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

/* What services get from their owner (daemon.c): the notify socket, the
 * registry (to find a notification's sender), and whom to tell. */
struct service_ctx {
	struct notify *notify;
	struct probe_ctx *probes;	/* probe= */
	struct units *units;
	/* A service changed state (the event stream, dependencies). */
	void (*changed)(void *owner, struct service *);
	/* Dependencies (deps.c). */
	const char *(*required_down)(void *owner, const struct job_config *);
	const char *(*waiting_for)(void *owner, const struct job_config *);
	void (*pull)(void *owner, const struct job_config *);
	void *owner;
};

/* Owned by its job (job->service); freed after its timers closed. */
struct service {
	struct job *job;
	const struct service_ctx *ctx;
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
	struct service_starts starts;	/* for the start limit */
	usec_t ready_at;		/* realtime */
	usec_t next_restart;		/* realtime, in backoff */
	int last_exit_status;		/* -1: none */
	char *last_result;
	char *status_text;		/* STATUS= */
	char *reason;			/* why failed or not started */
	int errnum;			/* ERRNO= */
	uv_timer_t timer;		/* backoff, start timeout, stable */
	uv_timer_t *watchdog;		/* watchdog_sec= only */
	struct probe *probe;		/* probe=, while its process lives */
	unsigned probe_failures;	/* consecutive, since ready */
	struct service_probe_last {
		bool ok;
		usec_t at;		/* realtime; 0: no check yet */
		char *detail;
	} probe_last;
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

struct service *service_new(struct job *, const struct service_ctx *);
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

/* Ready (or reloading): up for its dependents. */
bool service_is_up(const struct service *);
/* Failed, or stopped and not wanted: down for its requirers. */
bool service_is_down(const struct service *);
/* Has a process, or is on its way up (not stopped, not failed): what a
 * reload restarts for a new exec context. */
bool service_is_active(const struct service *);
/* A dependent's wants=/requires= pulls it up (unless failed). */
void service_pull(struct service *);
/* A unit changed: a waiting service starts if it may, a running one
 * whose requires= unit went down stops. */
void service_recheck(struct service *);

/* A notification from the notify socket (its callback, ctx the
 * service_ctx): applied to the sender's service, kept for a moment when
 * no service knows the sender yet (service-notify.c). */
bool service_notify(void *ctx, const struct notify_msg *);

/* Every service at once (services.c): start what autostarts, stop all
 * at shutdown, whether any still has a process, and a new configuration
 * (services added, removed, and those in restart restarted). */
void services_start_all(struct units *);
void services_stop_all(struct units *);
bool services_any_running(const struct units *);
void services_apply_config(struct units *, const struct service_ctx *,
    bool started, char **restart);

#endif
