/* Memory that bursts freed, given back to the kernel.  glibc keeps freed
 * chunks in the middle of the heap (a config load, a thousand spawns,
 * parsing replies) and the RSS stays at the burst's peak: with 1000
 * services that was 11.6 MiB where 4.6 MiB were in use. */
#ifndef JOBD_HEAP_H
#define JOBD_HEAP_H

#include <stdbool.h>

#include <uv.h>

#include "timeutil.h"

struct executor;

struct heap {
	struct executor *executor;
	uv_timer_t timer;		/* the next trim, when rate-limited */
	bool busy;			/* a trim is on the executor */
	bool again;			/* asked for while busy */
	usec_t last;			/* monotonic end of the last trim, or
					 * 0: none yet */
	unsigned churn;			/* runs freed since the last trim */
};

/* Sets malloc's thresholds (see heap.c) and the timer. */
void heap_init(struct heap *, uv_loop_t *, struct executor *);
/* A burst is over: trim on the executor, at once or when the last trim
 * is HEAP_TRIM_INTERVAL old. */
void heap_trim_soon(struct heap *);
/* n runs were freed: many of them make a burst. */
void heap_churned(struct heap *, unsigned n);
void heap_close(struct heap *);

#define HEAP_TRIM_INTERVAL (2 * USEC_PER_SEC)
#define HEAP_TRIM_RUNS 256

#endif
