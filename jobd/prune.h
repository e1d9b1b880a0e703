/* Retention: each job's finished runs beyond its limits (the job's own
 * history_max_runs= and history_max_age=, else [jobd]'s) leave the ledger,
 * once when it opens and every PRUNE_INTERVAL after. */
#ifndef JOBD_PRUNE_H
#define JOBD_PRUNE_H

#include <uv.h>

#include "timeutil.h"

#define PRUNE_INTERVAL (10 * USEC_PER_MINUTE)

struct record;
struct run_ctx;

struct prune {
	uv_timer_t timer;		/* does not keep the loop alive */
	struct record *record;
	const struct run_ctx *runs;	/* the config in force */
};

void prune_init(struct prune *, uv_loop_t *, struct record *,
    const struct run_ctx *);
/* Prunes now, then every PRUNE_INTERVAL. */
void prune_start(struct prune *);
void prune_close(struct prune *);

#endif
