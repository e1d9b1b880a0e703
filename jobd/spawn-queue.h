/* Spawns that wait for a free slot of the spawn threads, oldest first.
 * With SPAWN_IN_FLIGHT calls out, a submit used to wait for an answer on
 * the loop thread: a burst of 1000 runs held the loop until nearly all of
 * them were spawned.  Now the owner of a spawn that would wait (a run)
 * queues it here before it makes anything for it (no pipe, no
 * descriptor), and is told to go on once a slot is free. */
#ifndef JOBD_SPAWN_QUEUE_H
#define JOBD_SPAWN_QUEUE_H

#include <stdbool.h>
#include <sys/queue.h>

#include <uv.h>

/* Embedded in what waits; go is called on the loop when its turn comes. */
struct spawn_wait {
	void (*go)(struct spawn_wait *);
	bool queued;
	TAILQ_ENTRY(spawn_wait) entry;
};

struct spawn_queue {
	uv_loop_t *loop;
	uv_check_t check;		/* after each turn's answers */
	bool open;
	TAILQ_HEAD(, spawn_wait) waits;
};

void spawn_queue_init(struct spawn_queue *, uv_loop_t *);
/* True when w must wait (it is queued: go comes later); false when a
 * slot is free now and the caller spawns at once. */
bool spawn_queue_wait(struct spawn_queue *, struct spawn_wait *);
/* Takes w out of the queue, if it is in it (a run cancelled meanwhile). */
void spawn_queue_cancel(struct spawn_queue *, struct spawn_wait *);
/* Closes the handle; nothing may wait. */
void spawn_queue_close(struct spawn_queue *);

#endif
