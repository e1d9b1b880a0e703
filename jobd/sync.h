/* asyncio's Lock, Semaphore and Event for runs: admission objects on the
 * loop thread.  A run takes all it needs at once or nothing, and waits in
 * one FIFO queue; a waiter blocked on a resource holds back later waiters
 * that want the same resource, so each resource is served in order. */
#ifndef JOBD_SYNC_H
#define JOBD_SYNC_H

#include <stdbool.h>
#include <sys/queue.h>

#include <jansson.h>
#include <uv.h>

struct daemon;
struct run;

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

struct sync {
	struct daemon *daemon;
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

void sync_init(struct sync *, struct daemon *);
void sync_free(struct sync *);
/* Closes the handle (shutdown, while the loop runs). */
void sync_close(struct sync *);
/* Whether the run's job needs admission at all. */
bool sync_needed(const struct run *);
/* Admits now (true) or queues the run (false; run->waiting_for says
 * why).  An admitted run goes on with run_admitted(). */
bool sync_request(struct sync *, struct run *);
/* A queued run was cancelled or timed out. */
void sync_withdraw(struct sync *, struct run *);
/* Something other than a release may let waiters start (a unit a job
 * waits for became ready). */
void sync_retry(struct sync *);
/* A finished run gives back what it held, and waiters move up. */
void sync_release(struct sync *, struct run *);

/* Events: set returns true when it went from clear to set. */
bool sync_event_set(struct sync *, const char *name);
void sync_event_clear(struct sync *, const char *name);
bool sync_event_is_set(struct sync *, const char *name);

/* locks, semaphores and events with holders and waiters, for status. */
json_t *sync_json(struct sync *);

#endif
