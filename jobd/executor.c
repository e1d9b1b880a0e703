/* The executor: a thin wrapper over uv_queue_work that counts what is in
 * flight (for the daemon's status and for shutdown, which must not close
 * the loop while work is queued). */
#include <assert.h>

#include "executor.h"
#include "xmalloc.h"

struct executor_item {
	uv_work_t req;
	struct executor *executor;
	executor_work_fn work;
	executor_done_fn done;
	void *data;
};

static void
executor_work_cb(uv_work_t *req)
{
	struct executor_item *it = container_of(req, struct executor_item,
	    req);

	it->work(it->data);
}

static void
executor_after_cb(uv_work_t *req, int status)
{
	struct executor_item *it = container_of(req, struct executor_item,
	    req);

	it->executor->queued--;
	it->executor->completed++;
	if (it->done)
		it->done(it->data, status);
	free(it);
}

void
executor_init(struct executor *e, uv_loop_t *loop)
{
	*e = (struct executor){ .loop = loop };
}

void
executor_submit(struct executor *e, executor_work_fn work,
    executor_done_fn done, void *data)
{
	struct executor_item *it = xcalloc(1, sizeof(*it));
	int r;

	it->executor = e;
	it->work = work;
	it->done = done;
	it->data = data;
	r = uv_queue_work(e->loop, &it->req, executor_work_cb,
	    executor_after_cb);
	/* uv_queue_work fails only for a NULL work callback. */
	assert(r == 0);
	(void)r;
	e->queued++;
}
