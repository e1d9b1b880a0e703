/* The loop side of the run ledger: every run's row queued on the loop and
 * written in batches on the ledger's own thread, one ledger call at a
 * time; run ids, reserved in the ledger before they are handed out. */
#ifndef JOBD_RECORD_H
#define JOBD_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "executor.h"
#include "ledger.h"
#include "run-events.h"

struct run;
struct run_chain;
struct run_ctx;

#define RECORD_QUEUE_MAX 10000		/* rows waiting for the disk */
/* Run ids reserved at a time (plus one per job in the config, for the
 * services and boot jobs that start at once); the next block is reserved
 * when half of this one is left. */
#define RECORD_ID_BLOCK 10000
#define RECORD_INSTANCE_MAX 64

struct record_task;
struct record_waiter;

struct record {
	const struct run_ctx *runs;	/* the loop, the config in force */
	void (*idle_cb)(void *owner);	/* closed and nothing in flight */
	/* Runs found lost at an open (record_on_lost), or NULL. */
	void (*lost_cb)(void *owner, const struct ledger_lost *,
	    size_t n);
	void *owner;
	struct run_subscriber sub;	/* rows: queued, started, finished */
	struct ledger *ledger;		/* NULL when not open */
	struct executor_lane lane;	/* the ledger's thread */
	char *state_dir;
	bool busy;			/* a ledger call is in flight */
	bool closing;
	bool sync_full;			/* synchronous=FULL */
	bool boot_first;		/* first open since the machine booted */
	struct ledger_op *queue;	/* written next, oldest first */
	size_t nqueue, cap;
	struct record_task *tasks, *tasks_tail;
	size_t dropped;			/* rows lost to the bound */
	uint64_t enqueued;		/* rows ever queued */
	uint64_t settled;		/* of those, tried (written or not) */
	struct record_waiter *waiters, *waiters_tail;	/* record_flush */
	int error;			/* last write error, 0 when healthy */
	char *error_text;
	uv_timer_t retry;
	usec_t retry_delay;
	unsigned long long written;
	/* Run ids (record-ids.c). */
	char instance_env[sizeof("JOBD_INSTANCE=") + RECORD_INSTANCE_MAX];
	uint64_t last_id;		/* the last one handed out */
	uint64_t id_base;		/* ours are above (open failed) */
	uint64_t id_reserved;		/* on disk: ids up to here are ours */
	uint64_t id_reserving;		/* a reservation up to here in flight */
	usec_t id_retry_at;		/* after a failed reservation */
	bool ids_unreserved;		/* past the reservation: warned */
};

/* Opens the ledger on its thread, marks unfinished rows lost and stops
 * their orphaned processes; done(owner, r) runs on the loop (r < 0: the
 * ledger could not be opened and its reason has been logged).  idle(owner)
 * comes once it is closed and nothing is in flight (record_close). */
void record_open(struct record *, const struct run_ctx *,
    const char *state_dir, bool sync_full, void (*done)(void *owner, int r),
    void (*idle)(void *owner), void *owner);
/* cb(owner, lost, n) hears of the runs each open finds lost: the rows the
 * last daemon left unfinished and the runs found running but not on
 * record (valid during the call).  Call it after record_open, before the
 * loop runs. */
void record_on_lost(struct record *,
    void (*cb)(void *owner, const struct ledger_lost *, size_t n));
/* Writes every run's row: when it is queued, starts and finishes. */
void record_subscribe(struct record *, struct run_hub *);
/* The next run id.  Below the reservation on disk, so that a restart
 * after kill -9 never hands it out again; past it (the ledger could not
 * reserve in time), from a floor derived from the clock. */
uint64_t record_next_run_id(struct record *);
/* "JOBD_INSTANCE=ID" for a run's environment. */
const char *record_instance_env(const struct record *);
/* Runs queued and not yet in the ledger (distinct run ids). */
size_t record_pending_runs(const struct record *);

/* Reads the schedule state of each job in names (taken); cb gets them in
 * the same order, job NULL where none is on record, and may keep the
 * strings it takes out (it must NULL them). */
void record_load_states(struct record *, char **names,
    void (*cb)(void *, struct ledger_job_state *, size_t), void *ctx);
/* Reads every job's lasting figures (ledger_job_stats); cb gets r (0 or
 * -errno, -ENOTCONN without a ledger) and the rows, valid during the
 * call only. */
void record_load_stats(struct record *,
    void (*cb)(void *, int r, const struct ledger_job_stats *, size_t),
    void *ctx);
/* Applies retention rules (takes rules and their job names). */
void record_prune(struct record *, struct ledger_prune *rules, size_t n);
/* A run's row: when it is queued (job.c), then when it starts. */
void record_run_queued(struct record *, const struct run *);
void record_run_started(struct record *, const struct run *);
/* cb(ctx, r) once every row queued so far is written (r 0), or could not
 * be (r < 0: the ledger is failing or closed; the rows stay queued); at
 * once when there is nothing to wait for.  A Start reply waits for it, so
 * that no client holds a run id the ledger does not have. */
void record_flush(struct record *, void (*cb)(void *ctx, int r),
    void *ctx);
void record_run_finished(struct record *, const struct run *);
/* A slot that was not run, as a skipped run with its reason. */
void record_run_skipped(struct record *, uint64_t id, const char *job,
    const char *trigger, usec_t slot, const char *reason);
/* A hook not started (its chain is too deep), as a skipped run of its
 * job with the chain it would have been on and the reason. */
void record_hook_skipped(struct record *, uint64_t id, const char *job,
    const struct run_chain *, const char *reason);
/* A job's schedule state (last slot handled, pause, skips). */
void record_job_state(struct record *, const char *job, usec_t last_slot,
    usec_t paused_until, unsigned skips);

/* The alert log (record-alert-log.c): one delivery attempt, queued and
 * written with the run rows; the newest attempts (see ledger_alert_log);
 * the counts of all attempts.  Rows and counts are freed after cb; r is
 * 0 or -errno, -ENOTCONN without a ledger. */
void record_alert_attempt(struct record *, const struct ledger_alert *);
typedef void (*record_alerts_cb)(void *ctx, int r,
    const struct ledger_alert *rows, size_t n);
void record_query_alerts(struct record *, bool failed_only, size_t limit,
    record_alerts_cb, void *ctx);
typedef void (*record_alert_counts_cb)(void *ctx, int r,
    const struct ledger_alert_count *counts, size_t n);
void record_load_alert_counts(struct record *, record_alert_counts_cb,
    void *ctx);
/* A unit's alert state, and an event set (at, realtime) or cleared:
 * written with the next batch (record-alert-state.c). */
void record_alert_state(struct record *, const struct ledger_alert_state *);
void record_event(struct record *, const char *name, bool set, usec_t at);
/* Read every unit's alert state, or every set event; cb gets r (0 or
 * -errno, -ENOTCONN without a ledger) and the rows, valid during the
 * call only. */
void record_load_alert_states(struct record *,
    void (*cb)(void *, int r, const struct ledger_alert_state *, size_t),
    void *ctx);
void record_load_events(struct record *,
    void (*cb)(void *, int r, const struct ledger_event *, size_t),
    void *ctx);

/* Queries, answered on the loop; the results are freed after cb. */
typedef void (*record_query_cb)(void *ctx, int r, struct ledger_run *runs,
    size_t n);
void record_query(struct record *, const struct ledger_filter *,
    record_query_cb, void *ctx);
void record_get_run(struct record *, uint64_t id, record_query_cb, void *ctx);
/* Writes what is queued (one attempt) and closes the ledger. */
void record_close(struct record *);
/* Frees what is left after the loop ended. */
void record_free(struct record *);
/* True once closed and nothing is in flight. */
bool record_idle(const struct record *);

#endif
