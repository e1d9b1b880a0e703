/* What runs, and the jobs that own them, get from their owner (daemon.c)
 * once: the loop and executor, the configuration in force, the registry,
 * the news of runs, and what a spawn needs.  Nothing here calls the owner
 * but the functions it gave. */
#ifndef JOBD_RUN_CTX_H
#define JOBD_RUN_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "run-events.h"
#include "spawn-queue.h"

struct cgroup;
struct config;
struct escape;
struct executor;
struct heap;
struct job;
struct run;
struct units;

struct run_ctx {
	uv_loop_t *loop;
	struct executor *executor;
	const struct config *config;	/* in force; the owner swaps it */
	struct units *units;
	struct run_hub hub;		/* every run's news */
	struct heap *heap;		/* trims after bursts */
	struct escape *escape;		/* what left a run's process group */
	const struct cgroup *cgroup;	/* per-run cgroups, when delegated */
	const char *exec_helper;	/* jobd-exec */
	const char *notify_socket;	/* NULL: none could be opened */
	const char *state_dir;		/* STATE_DIR/logs/NAME.log */
	const unsigned *logfile_gen;	/* bumped by SIGUSR1 */
	bool foreground;		/* echo output to stderr */
	bool stopping;			/* shutdown began: start nothing */
	uint64_t (*next_id)(void *owner);	/* durable run ids */
	const char *(*instance_env)(void *owner);	/* JOBD_INSTANCE=... */
	/* A new run asks for admission (locks, limits, dependencies): the
	 * owner calls run_admitted() now or later, or ends the run. */
	void (*admit)(void *owner, struct run *);
	/* A job is about to be freed: the owner frees its service. */
	void (*freeing)(void *owner, struct job *);
	void *owner;
	struct run_subscriber sub;	/* the jobs' own (job_subscribe) */
	struct spawn_queue spawnq;	/* runs waiting for a spawn slot */
};

void run_ctx_init(struct run_ctx *);
/* Closes what the runs opened for all of them (the spawn queue's
 * handle); no run may be waiting to spawn. */
void run_ctx_close(struct run_ctx *);

#endif
