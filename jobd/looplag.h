/* The loop's own lag: how late a repeating timer fires, as the current
 * value and a p99 over the recent past. */
#ifndef JOBD_LOOPLAG_H
#define JOBD_LOOPLAG_H

#include <stdint.h>

#include <uv.h>

#include "timeutil.h"

#define LOOPLAG_INTERVAL (100 * USEC_PER_MSEC)
#define LOOPLAG_SAMPLES 600		/* one minute at the interval */

struct looplag {
	uv_timer_t timer;
	usec_t expected;		/* monotonic time of the next tick */
	usec_t last;
	usec_t samples[LOOPLAG_SAMPLES];
	unsigned n, next;
	usec_t max;
	/* Every tick since start, for the metrics' summary. */
	uint64_t count;
	usec_t sum;
};

void looplag_start(struct looplag *, uv_loop_t *);
void looplag_stop(struct looplag *);
/* The p-th percentile (0-100) of the kept samples. */
usec_t looplag_percentile(const struct looplag *, unsigned p);

#endif
