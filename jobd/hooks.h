/* Failure handling after a run: retries with exponential backoff, and the
 * on_failure= / on_success= jobs (with notify_on=change, only when the
 * result changed), which chain: a hook's run starts its own hooks. */
#ifndef JOBD_HOOKS_H
#define JOBD_HOOKS_H

#include <stdbool.h>
#include <stddef.h>

#include "run-events.h"

/* A hook this many hooks deep is started; one deeper is not (a skipped
 * run of it says why).  --check refuses cycles; this bounds a chain that
 * a reload between two links made endless. */
#define HOOKS_CHAIN_MAX 16

struct job_config;
struct ledger_job_stats;
struct record;
struct retry;
struct run;
struct run_ctx;
struct units;

struct hooks {
	struct units *units;
	const struct run_ctx *runs;	/* the loop; stopping; run ids */
	struct record *record;		/* hooks past the bound */
	struct retry *retries;		/* pending */
	struct run_subscriber sub;	/* every finished run */
};

/* Hears of every finished run: a retry is scheduled, or the hooks start
 * (a retried run's hooks wait for the last attempt). */
void hooks_init(struct hooks *, struct units *, const struct run_ctx *,
    struct record *, struct run_hub *);
/* Cancels pending retries (shutdown). */
void hooks_stop(struct hooks *);
/* Whether a finished run gets another attempt (retry=): then it is no
 * verdict yet, for hooks and alerts alike. */
bool hooks_will_retry(const struct run_ctx *, const struct job_config *,
    const struct run *);
/* At start: each job's last verdict on record (job_stats), for
 * notify_on=change to compare with. */
void hooks_load_results(struct hooks *, const struct ledger_job_stats *,
    size_t n);

#endif
