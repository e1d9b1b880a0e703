/* asyncio's Lock, Semaphore and Event for runs: admission objects on the
 * loop thread.  A run takes all it needs at once or nothing, and waits in
 * one FIFO queue; a waiter blocked on a resource holds back later waiters
 * that want the same resource, so each resource is served in order. */
#ifndef JOBD_SYNC_H
#define JOBD_SYNC_H

#include <stdbool.h>
#include <sys/queue.h>

#include <uv.h>

#include "run-events.h"

struct job_config;
struct run;
struct run_ctx;

struct sync_lock {
	char *name;
	struct run *holder;
};

struct sync_sem {
	char *name;
	unsigned held;
};

struct sync_event {
	char *name;
	bool set;
};

TAILQ_HEAD(sync_waiters, run);

/* What admission asks its owner: the dependencies of units (deps.c), and
 * where its news go (the event stream). */
struct sync_ops {
	const char *(*waiting_for)(void *owner, const struct job_config *);
	const char *(*required_down)(void *owner, const struct job_config *);
	void (*pull)(void *owner, const struct job_config *);
	void (*acquired)(void *owner, const struct run *, char **locks,
	    char **semaphores);
	void (*released)(void *owner, const struct run *, char **semaphores);
	/* An event went from clear to set or back (the owner keeps it in
	 * the ledger); NULL: nobody asks. */
	void (*event_changed)(void *owner, const char *name, bool set);
	void *owner;
};

struct sync {
	const struct run_ctx *runs;	/* the loop, the config in force */
	struct sync_ops ops;
	struct run_subscriber sub;	/* finished runs give back */
	struct sync_lock *locks;
	size_t nlocks;
	struct sync_sem *sems;
	size_t nsems;
	struct sync_event *events;
	size_t nevents;
	struct sync_waiters waiting;	/* FIFO */
	uv_idle_t idle;			/* a pump at the next loop turn */
	bool idle_open;
	unsigned running;		/* runs admitted, all jobs */
};

void sync_init(struct sync *, const struct run_ctx *,
    const struct sync_ops *);
/* Hears of finished runs: a queued one leaves the queue, an admitted one
 * gives back what it held, and waiters move up. */
void sync_subscribe(struct sync *, struct run_hub *);
void sync_free(struct sync *);
/* Closes the handle (shutdown, while the loop runs). */
void sync_close(struct sync *);
/* A new run (the run context's admit): its wants= and requires= units
 * pulled up, then run_admitted() now, or queued (waiting_for says why),
 * or skipped when a required unit is down. */
void sync_admit(struct sync *, struct run *);
/* Something other than a release may let waiters start (a unit a job
 * waits for became ready). */
void sync_retry(struct sync *);

/* Events: set returns true when it went from clear to set.  Set and
 * clear tell event_changed when they change it. */
bool sync_event_set(struct sync *, const char *name);
void sync_event_clear(struct sync *, const char *name);
/* An event that was set before a restart: set again, silently (no
 * event_changed; what the caller starts on a set, it does not start). */
void sync_event_restore(struct sync *, const char *name);
bool sync_event_is_set(struct sync *, const char *name);

/* For status: a semaphore by name (made if new), its limit, and whether a
 * waiting run waits for the lock or semaphore name (kind "lock" or
 * "semaphore"). */
struct sync_sem *sync_semaphore(struct sync *, const char *name);
unsigned sync_semaphore_limit(const struct sync *, const char *name);
bool sync_waits_for(const struct run *, const char *kind,
    const char *name);

#endif
