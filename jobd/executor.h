/* run_in_executor: blocking work on libuv's thread pool, its completion
 * back on the loop thread.  The only way jobd runs blocking calls. */
#ifndef JOBD_EXECUTOR_H
#define JOBD_EXECUTOR_H

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

#endif
