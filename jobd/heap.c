/* Giving freed heap memory back: malloc_trim() on the executor after the
 * bursts that callers report (start-up, reload, large replies, many runs
 * ended), coalesced and at most once per HEAP_TRIM_INTERVAL, so that a
 * steady load costs one trim every two seconds, not one per event. */
#include <malloc.h>

#include "executor.h"
#include "heap.h"

void
heap_init(struct heap *h, uv_loop_t *loop, struct executor *ex)
{
	*h = (struct heap){ .executor = ex };
	uv_timer_init(loop, &h->timer);
	h->timer.data = h;
	uv_unref((uv_handle_t *)&h->timer);
	/* Fixed thresholds turn off glibc's dynamic ones, which grow to
	 * 32 MiB after large buffers are freed and then keep every buffer
	 * below that in the heap.  Above 1 MiB a buffer is its own mapping,
	 * returned to the kernel when freed; below, malloc_trim() returns
	 * its pages. */
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024);
}

static void
heap_trim_work(void *data)
{
	(void)data;
	malloc_trim(0);
}

static void
heap_trim_done(void *data, int status)
{
	struct heap *h = data;

	(void)status;
	h->busy = false;
	h->last = now_monotonic();
	if (h->again) {
		h->again = false;
		heap_trim_soon(h);
	}
}

static void
heap_timer_cb(uv_timer_t *t)
{
	struct heap *h = t->data;

	h->busy = true;
	h->churn = 0;
	executor_submit(h->executor, heap_trim_work, heap_trim_done, h);
}

void
heap_trim_soon(struct heap *h)
{
	usec_t now = now_monotonic(), due = h->last + HEAP_TRIM_INTERVAL;

	/* Not started (a refused config, unit tests): nothing to trim for. */
	if (!h->executor)
		return;
	if (h->busy) {
		h->again = true;
		return;
	}
	if (uv_is_active((uv_handle_t *)&h->timer) ||
	    uv_is_closing((uv_handle_t *)&h->timer))
		return;
	if (h->last && now < due) {
		uv_timer_start(&h->timer, heap_timer_cb,
		    (due - now + USEC_PER_MSEC - 1) / USEC_PER_MSEC, 0);
		return;
	}
	heap_timer_cb(&h->timer);
}

void
heap_churned(struct heap *h, unsigned n)
{
	h->churn += n;
	if (h->churn >= HEAP_TRIM_RUNS)
		heap_trim_soon(h);
}

void
heap_close(struct heap *h)
{
	uv_close((uv_handle_t *)&h->timer, NULL);
}
