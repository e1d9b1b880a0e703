/* A run: one execution of a job, asyncio's Task for a process.  The state
 * machine lives in run.c; everything else reads runs and sends events,
 * and hears of them through the run hub (run-events.h). */
#ifndef JOBD_RUN_H
#define JOBD_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <uv.h>

#include "cgroup.h"
#include "output.h"
#include "proc.h"
#include "spawn-queue.h"
#include "tail.h"
#include "timeutil.h"

struct job;
struct job_config;
struct run;
struct run_ctx;

enum run_state {
	RUN_PENDING,		/* created; resolving its exec context */
	RUN_RUNNING,
	RUN_STOPPING,		/* stop signal sent to the process group */
	RUN_KILLING,		/* SIGKILL sent */
	RUN_DRAINING,		/* exited; waiting for its pipes to close */
	RUN_FINISHED,
	RUN_NSTATES,
};

enum run_trigger {
	TRIGGER_MANUAL,
	TRIGGER_SCHEDULE,
	TRIGGER_CATCH_UP,
	TRIGGER_RETRY,
	TRIGGER_DEPENDENCY,
	TRIGGER_EVENT,
	TRIGGER_BOOT,
	TRIGGER_ALERT,		/* an [alert NAME]'s command= */
	TRIGGER_NTRIGGERS,
};

enum run_result {
	RESULT_NONE,
	RESULT_SUCCESS,
	RESULT_FAILED,
	RESULT_TIMEOUT,
	RESULT_CANCELLED,
	RESULT_LOST,
	RESULT_SKIPPED,
	RESULT_OOM,		/* the OOM killer ended a process of it */
	RESULT_NRESULTS,
};

enum run_event {
	RUN_EV_READY,		/* exec context resolved: spawn now */
	RUN_EV_EXITED,
	RUN_EV_OUTPUT_EOF,	/* both pipes closed */
	RUN_EV_TIMEOUT,		/* the state's deadline passed */
	RUN_EV_CANCEL,
	RUN_EV_SHUTDOWN,
	RUN_NEVENTS,
};

extern const char *const run_state_name[RUN_NSTATES];
extern const char *const run_trigger_name[TRIGGER_NTRIGGERS];
extern const char *const run_result_name[RESULT_NRESULTS];

/* How a hook's run came to be (hooks.c): the run whose end started it,
 * and the chain's first run, which no hook started.  depth: hooks deep,
 * 1 for a hook of the first run. */
struct run_chain {
	uint64_t hook_of;
	char *hook_of_job;
	uint64_t first;
	char *first_job;
	unsigned depth;
};

/* Someone awaiting a run: a control connection for `start --wait`, `wait`
 * or `logs --follow`.  line_cb may be NULL; done_cb is called once, when
 * the run finishes, after which the observer is no longer registered. */
struct run_observer {
	void (*line_cb)(struct run_observer *, const struct tail_line *);
	void (*done_cb)(struct run_observer *, struct run *);
	/* The process was spawned (its pid is known). */
	void (*started_cb)(struct run_observer *, struct run *);
	/* ready=fd:N: the service wrote its newline. */
	void (*ready_cb)(struct run_observer *, struct run *);
	struct run *run;
	TAILQ_ENTRY(run_observer) entry;
};

TAILQ_HEAD(run_observers, run_observer);

/* Owned by its job: on job->runs while unfinished, then on job->history. */
struct run {
	uint64_t id;
	struct job *job;		/* its owner (run.c does not look in) */
	const char *name;		/* the job's */
	struct run_ctx *ctx;		/* what the owner gave */
	enum run_state state;
	enum run_trigger trigger;
	enum run_result result;
	char *reason;			/* why it failed or was cancelled */

	usec_t scheduled;		/* the slot it runs for, or 0 */
	uint64_t retry_of;		/* first attempt of a retried run */
	unsigned attempt;
	bool is_hook;			/* a hook's or an alert's: no
					 * retry, no alert */
	struct run_chain *chain;	/* a hook's; NULL otherwise */
	bool is_service;		/* a service's process */
	usec_t pending_timeout;		/* waiting for admission at most */
	char *cgroup;			/* its cgroup directory, or NULL */
	struct cgroup_usage usage;	/* read from the cgroup at the end */
	uint64_t memory_max;		/* its memory_max=, or 0 */
	usec_t queued, started, ended;	/* CLOCK_REALTIME */
	usec_t started_mono;
	int pid;
	bool exited;
	int exit_code;			/* valid when exited && !signal */
	int signal;			/* the signal that ended it, or 0 */
	bool cancelled, timed_out;
	bool forced_failure;		/* run_fail(): failed, not cancelled */

	/* Copied from the job's config when the run was created, so that a
	 * reload never changes a run in flight. */
	struct run_exec *exec;

	struct proc proc;		/* its process, once spawned */
	bool resolving;			/* its exec context, on the executor */
	bool spawning;			/* proc_spawn has not answered */
	struct spawn_wait spawn_wait;	/* queued for a spawn slot */
	uv_timer_t timer;		/* the current state's deadline */
	uv_pipe_t *ready_pipe;		/* ready=fd:N only (not in every
					 * run: 264 bytes) */
	int kill_signal;		/* stop with this instead of
					 * stop_signal (the watchdog's ABRT) */
	unsigned open_handles;
	bool closing;

	/* Admission (sync.c). */
	bool admitted, sync_queued;
	char *waiting_for;		/* why it is pending, or NULL */
	char **held_sems;
	TAILQ_ENTRY(run) sync_entry;

	struct output output;
	struct tail tail;
	struct run_observers observers;
	TAILQ_ENTRY(run) entry;
};

TAILQ_HEAD(run_list, run);

/* Creates a pending run of job and starts it. */
/* How a run came to be, besides its trigger. */
struct run_opts {
	usec_t slot;			/* the scheduled slot, or 0 */
	struct run_observer *observer;	/* registered before the spawn */
	uint64_t retry_of;		/* the first attempt, for retries */
	unsigned attempt;		/* 0: first attempt */
	bool is_hook;			/* started by on_failure/on_success */
	const struct run_chain *chain;	/* hooks: copied into the run */
	const char *stdin_data;		/* hooks: the tail on stdin */
	char **env;			/* hooks: JOBD_TRIGGER_* */
};

/* A pending run of job (named name, defined by jc, whose runs it is
 * on); the owner publishes it queued and asks for its admission. */
struct run *run_new(struct run_ctx *, struct job *, const char *name,
    const struct job_config *jc, enum run_trigger, uint64_t id,
    const struct run_opts *);
/* Waiting for admission (a lock, a limit, an event): pending until
 * admitted, or skipped at the job's pending_timeout=. */
void run_wait_admission(struct run *, usec_t pending_timeout);
/* Admitted: resolves the exec context if needed (on the executor), then
 * spawns. */
void run_admitted(struct run *);
void run_event(struct run *, enum run_event);
void run_observe(struct run *, struct run_observer *);
void run_unobserve(struct run_observer *);
bool run_is_active(const struct run *);
/* A pending run that will not start: finished as skipped with reason. */
void run_skip(struct run *, const char *reason);
/* Stops the run with sig (then SIGKILL after stop_timeout). */
void run_stop_with(struct run *, int sig);
/* Stops it as a failure with this reason (a service's watchdog or start
 * timeout), with sig, or its stop_signal when sig is 0. */
void run_fail(struct run *, const char *reason, int sig);
/* exit code, or 128+signal; -1 when the run has neither. */
int run_exit_status(const struct run *);
/* Frees a finished run whose handles are closed (history eviction). */
void run_free(struct run *);
/* Whether run_free may be called now. */
bool run_is_freeable(const struct run *);
/* A copy of a hook's chain (its strings too), and its release. */
struct run_chain *run_chain_dup(const struct run_chain *);
void run_chain_free(struct run_chain *);

/* run-limits.c: a new run's cgroup gets its unit's limits (or the run
 * fails without running); a finished run whose cgroup saw an OOM kill
 * is an oom, not a failed. */
struct job_limits;
void run_limits_setup(struct run *, const struct job_limits *);
void run_limits_verdict(struct run *);

#endif
