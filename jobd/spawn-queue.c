/* The queue of spawns waiting for a spawn thread's slot (spawn-queue.h):
 * a uv_check handle, active only while something waits, hands out the
 * slots the answers of this loop turn freed, oldest first.  The loop
 * never waits: it polls for the spawn threads' answers meanwhile. */
#include "spawn-queue.h"
#include "spawn-thread.h"

static void
spawn_queue_check_cb(uv_check_t *h)
{
	struct spawn_queue *q = h->data;
	struct spawn_wait *w;

	while ((w = TAILQ_FIRST(&q->waits)) && !spawn_thread_full()) {
		TAILQ_REMOVE(&q->waits, w, entry);
		w->queued = false;
		w->go(w);
	}
	if (TAILQ_EMPTY(&q->waits))
		uv_check_stop(&q->check);
}

void
spawn_queue_init(struct spawn_queue *q, uv_loop_t *loop)
{
	*q = (struct spawn_queue){ .loop = loop };
	TAILQ_INIT(&q->waits);
}

bool
spawn_queue_wait(struct spawn_queue *q, struct spawn_wait *w)
{
	/* Behind others, even when a slot is free: in order. */
	if (!spawn_thread_full() && TAILQ_EMPTY(&q->waits))
		return false;
	if (!q->open) {
		uv_check_init(q->loop, &q->check);
		q->check.data = q;
		q->open = true;
	}
	TAILQ_INSERT_TAIL(&q->waits, w, entry);
	w->queued = true;
	uv_check_start(&q->check, spawn_queue_check_cb);
	return true;
}

void
spawn_queue_cancel(struct spawn_queue *q, struct spawn_wait *w)
{
	if (!w->queued)
		return;
	TAILQ_REMOVE(&q->waits, w, entry);
	w->queued = false;
	if (TAILQ_EMPTY(&q->waits) && q->open)
		uv_check_stop(&q->check);
}

void
spawn_queue_close(struct spawn_queue *q)
{
	if (!q->open)
		return;
	q->open = false;
	uv_close((uv_handle_t *)&q->check, NULL);
}
