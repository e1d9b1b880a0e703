/* run_in_executor: blocking work on libuv's thread pool, its completion
 * back on the loop thread.  The only way jobd runs blocking calls; a lane
 * is the same on one thread of its own (the ledger's). */
#ifndef JOBD_EXECUTOR_H
#define JOBD_EXECUTOR_H

#include <pthread.h>
#include <stdbool.h>

#include <uv.h>

/* Runs on a worker thread: must not touch daemon state. */
typedef void (*executor_work_fn)(void *data);
/* Runs on the loop thread; status is 0, or UV_ECANCELED. */
typedef void (*executor_done_fn)(void *data, int status);

struct executor {
	uv_loop_t *loop;
	unsigned queued;		/* submitted, not yet completed */
	unsigned long long completed;
};

void executor_init(struct executor *, uv_loop_t *);
void executor_submit(struct executor *, executor_work_fn work,
    executor_done_fn done, void *data);

/*
 * A lane (executor-lane.c): work runs on one dedicated thread, in the
 * order submitted, so that it never queues behind the pool's work (a job's
 * environment file on a stalled disk, a FIFO, NSS lookups).  The thread
 * takes calls through a socket and answers through it, read on the loop
 * by a uv_poll: no mutexes.  Without the thread (it could not start), work
 * goes to the fallback executor.
 */
struct executor_lane_item;

struct executor_lane {
	uv_loop_t *loop;
	struct executor *fallback;
	int sock[2];			/* [0]: the loop, [1]: the thread */
	pthread_t thread;
	uv_poll_t poll;
	bool running;			/* the thread serves */
	bool closing;
	unsigned in_flight;		/* sent, not answered */
	struct executor_lane_item *waiting, *waiting_tail;	/* not sent */
	unsigned queued;		/* submitted, not yet completed */
	unsigned long long completed;
};

/* Starts the thread; false (logged) when it cannot: then submits go to
 * fallback. */
bool executor_lane_start(struct executor_lane *, uv_loop_t *,
    struct executor *fallback);
void executor_lane_submit(struct executor_lane *, executor_work_fn work,
    executor_done_fn done, void *data);
/* Ends the thread and closes the handle; nothing may be queued. */
void executor_lane_stop(struct executor_lane *);

#endif
