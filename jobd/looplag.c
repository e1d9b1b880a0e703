/* Loop lag, measured the simplest honest way: a timer asks to fire every
 * LOOPLAG_INTERVAL and records how late each tick is.  Anything that
 * blocks the loop thread (a disk write, an NSS lookup) shows up here, which
 * is why jobctl status --daemon reports it. */
#include <stdlib.h>
#include <string.h>

#include "looplag.h"

static void
looplag_tick_cb(uv_timer_t *t)
{
	struct looplag *l = t->data;
	usec_t now = now_monotonic();
	usec_t lag = now > l->expected ? now - l->expected : 0;

	l->last = lag;
	l->count++;
	l->sum += lag;
	if (lag > l->max)
		l->max = lag;
	l->samples[l->next] = lag;
	l->next = (l->next + 1) % LOOPLAG_SAMPLES;
	if (l->n < LOOPLAG_SAMPLES)
		l->n++;
	l->expected = now + LOOPLAG_INTERVAL;
}

void
looplag_start(struct looplag *l, uv_loop_t *loop)
{
	memset(l, 0, sizeof(*l));
	uv_timer_init(loop, &l->timer);
	l->timer.data = l;
	/* Lag is not a reason to keep the loop alive at shutdown. */
	uv_unref((uv_handle_t *)&l->timer);
	l->expected = now_monotonic() + LOOPLAG_INTERVAL;
	uv_timer_start(&l->timer, looplag_tick_cb,
	    LOOPLAG_INTERVAL / USEC_PER_MSEC, LOOPLAG_INTERVAL / USEC_PER_MSEC);
}

void
looplag_stop(struct looplag *l)
{
	uv_close((uv_handle_t *)&l->timer, NULL);
}

static int
usec_cmp(const void *a, const void *b)
{
	usec_t x = *(const usec_t *)a, y = *(const usec_t *)b;

	return x < y ? -1 : x > y;
}

usec_t
looplag_percentile(const struct looplag *l, unsigned p)
{
	usec_t sorted[LOOPLAG_SAMPLES];
	unsigned i;

	if (l->n == 0)
		return 0;
	memcpy(sorted, l->samples, l->n * sizeof(sorted[0]));
	qsort(sorted, l->n, sizeof(sorted[0]), usec_cmp);
	i = (l->n * p + 99) / 100;
	return sorted[i ? i - 1 : 0];
}
