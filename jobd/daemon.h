/* The daemon: the loop, its signals, the lifecycle (start, reload,
 * shutdown) and every object reachable from it. */
#ifndef JOBD_DAEMON_H
#define JOBD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "bus.h"
#include "cgroup.h"
#include "config.h"
#include "escape.h"
#include "executor.h"
#include "heap.h"
#include "job.h"
#include "looplag.h"
#include "manager.h"
#include "notify.h"
#include "record.h"
#include "sync.h"

struct control;
struct retry;
struct watch;

#define DAEMON_PRUNE_INTERVAL (10 * USEC_PER_MINUTE)
/* Runs not finished (pending included): past this, Start is refused and
 * scheduled slots are recorded as skipped. */
#define DAEMON_MAX_RUNS 10000

struct daemon_options {
	const char *config_path;
	const char *socket_path;	/* NULL: config, then default */
	const char *state_dir;		/* NULL: config, then default */
	bool foreground;		/* echo job output to stderr */
};

struct daemon {
	uv_loop_t *loop;
	struct executor executor;
	struct heap heap;		/* trims after bursts */
	struct config *config;
	char *config_path;
	char *socket_path;
	char *state_dir;
	char *exec_helper;		/* jobd-exec, or NULL: not found */
	bool foreground;
	bool stopping;			/* shutdown began */
	bool deps_busy, deps_again;	/* service_deps_changed() guard */
	unsigned nservices_deps;	/* services with after=/requires= */
	bool services_started;
	struct notify notify;		/* sd_notify for services */
	struct manager manager;		/* sd_notify to our own manager */
	struct cgroup cgroup;		/* per-run cgroups, when delegated */
	struct escape escape;		/* what left a run's process group */
	unsigned reload_gen;		/* reloads requested */
	unsigned reload_applied;	/* newest reload applied */
	usec_t started;
	struct job_list jobs;		/* in name order */
	unsigned nruns_open;		/* runs not yet closed */
	struct control *control;
	uv_signal_t sig_hup, sig_term, sig_int, sig_usr1;
	unsigned logfile_gen;		/* SIGUSR1: log files reopen */
	usec_t journal_check_at;	/* next look for journald's socket */
	bool journal_present;
	bool signals_open;
	struct looplag looplag;
	struct record record;
	struct sched sched;
	struct sync sync;		/* locks, semaphores, events */
	struct bus bus;			/* the Events stream */
	struct retry *retries;		/* pending retries (hooks.c) */
	struct watch *watches;		/* path triggers (watch.c) */
	uv_timer_t prune_timer;		/* retention, every 10 minutes */
	int exit_code;
};

/* Loads the config, listens, and installs signal handlers.  Returns 0, or
 * an exit code (2: bad config, 1: runtime failure) after logging why. */
int daemon_start(struct daemon *, uv_loop_t *, const struct daemon_options *);
/* Runs the loop until shutdown finished; returns the exit code. */
int daemon_run(struct daemon *);

struct job *daemon_find_job(struct daemon *, const char *name);
struct run *daemon_find_run(struct daemon *, uint64_t id);
uint64_t daemon_next_run_id(struct daemon *);

/* Reload: read the config on the executor, then apply it or keep the old
 * one.  done gets the errors (NULL when applied); it may be NULL. */
struct reload_plan {
	char **added, **removed, **changed, **unchanged;
	char **restarted, **updated;	/* the changed, split */
};
typedef void (*daemon_reload_cb)(void *ctx, int r, char **errors,
    const struct reload_plan *plan);
void daemon_reload(struct daemon *, bool dry_run, daemon_reload_cb, void *ctx);

void daemon_shutdown(struct daemon *);
/* Called when a run finished; shutdown waits for the last one. */
void daemon_run_closed(struct daemon *);

#endif
