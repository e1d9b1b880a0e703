/* The daemon: every module, created and wired to the others (daemon.c),
 * started (daemon-startup.c) and stopped (daemon-shutdown.c) on one loop.
 * Only those and main.c see this struct; every other module gets what it
 * uses at start. */
#ifndef JOBD_DAEMON_H
#define JOBD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "alerts.h"
#include "alert-policy.h"
#include "bus.h"
#include "logs-hub.h"
#include "cgroup.h"
#include "cluster.h"
#include "config.h"
#include "deps.h"
#include "escape.h"
#include "executor.h"
#include "figures.h"
#include "heap.h"
#include "hooks.h"
#include "looplag.h"
#include "manager.h"
#include "method.h"
#include "probe.h"
#include "prune.h"
#include "notify.h"
#include "record.h"
#include "reload.h"
#include "run-ctx.h"
#include "scheduler.h"
#include "service.h"
#include "signals.h"
#include "sync.h"
#include "transient.h"
#include "units.h"
#include "watch.h"

struct control;

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
	char *config_path;
	char *socket_path;
	char *state_dir;
	char *exec_helper;		/* jobd-exec */
	usec_t started;
	/* The modules, in the order they hear of a run's news. */
	struct run_ctx runs;		/* what jobs and runs get */
	struct units units;
	struct record record;
	struct sync sync;
	struct hooks hooks;
	struct alert_policy alert_policy;	/* what is worth an alert */
	struct sched sched;
	struct watches watches;
	struct deps deps;
	struct figures figures;		/* counts for the metrics */
	struct bus bus;
	struct logs_hub logs;		/* Tail's followers */
	struct alerts alerts;		/* delivery: webhooks, mail, commands */
	struct run_subscriber sub;	/* closed runs: shutdown goes on */
	struct service_ctx services;	/* what services get */
	struct probe_ctx probes;	/* services' health probes */
	struct notify notify;		/* sd_notify for services */
	struct manager manager;		/* sd_notify to our own manager */
	struct cgroup cgroup;		/* per-run cgroups, when delegated */
	struct escape escape;		/* what left a run's process group */
	struct method_ctx methods;	/* what the protocol layer gets */
	struct control *control;
	struct looplag looplag;
	struct reload reload;		/* the config in force, reloads */
	struct transient transient;	/* jobctl run's jobs */
	struct signals signals;		/* all handles open while these are */
	struct prune prune;		/* retention, every 10 minutes */
	struct cluster *cluster;	/* [cluster]; NULL: one host */
	bool cluster_left;
	int exit_code;
};

/* Loads the config, listens, and installs signal handlers.  Returns 0, or
 * an exit code (2: bad config, 1: runtime failure) after logging why. */
int daemon_start(struct daemon *, uv_loop_t *, const struct daemon_options *);
/* Runs the loop until shutdown finished; returns the exit code. */
int daemon_run(struct daemon *);
/* Stops accepting work and cancels every run; the loop ends once they
 * closed.  A second call does nothing. */
void daemon_shutdown(struct daemon *);

/* Between daemon.c and the files of its start and stop.  The first
 * config and the paths it leaves open (0, or 2 after logging why): */
int daemon_load_initial(struct daemon *, const struct daemon_options *);
void daemon_notify_open(struct daemon *);
/* record_open()'s done: the rest of the start. */
void daemon_ledger_ready(void *daemon, int r);
/* Ends the shutdown once no run is open and the ledger is idle. */
void daemon_maybe_finish(struct daemon *);

#endif
