/* The scheduler: when periodic jobs run.  One timer for the earliest due
 * job (a heap ordered by firing time), catch-up of missed slots, stable
 * jitter, the overlap policy, pause/skip, and re-arming on wall-clock
 * jumps.  Decisions are made in sched_tick(), which tests drive with a
 * fake clock.  (The file is scheduler.h: sched.h would hide the system's
 * <sched.h> from pthread.h.) */
#ifndef JOBD_SCHED_H
#define JOBD_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "run-events.h"
#include "run.h"
#include "timeutil.h"

struct job;
struct record;
struct run;
struct run_ctx;
struct units;

#define SCHED_SLOT_BOOT (1u << 8)	/* next_slot is the boot run */
#define SCHED_MAX_MISSED 100000		/* slots counted when catching up */

struct sched {
	const struct run_ctx *runs;	/* the loop, the config in force */
	struct units *units;
	struct record *record;		/* slot state; slots not run */
	usec_t daemon_started;		/* when jobd started (every=) */
	struct run_subscriber sub;	/* a queued slot runs after a run */
	struct job **heap;		/* by job->sched.fire_at */
	size_t n, cap;
	uv_timer_t timer;
	uv_poll_t clock_watch;		/* timerfd: the clock was set */
	int clock_fd;
	bool started;
	usec_t (*now)(void);		/* CLOCK_REALTIME; tests fake it */
	/* Starts a run; tests replace it to watch decisions. */
	struct run *(*trigger)(struct job *, int trigger, usec_t slot);
	/* A slot recorded skipped (run id, trigger, slot, reason); by_user:
	 * jobctl skip, not a deadline, the overlap policy or a limit.  NULL:
	 * nobody asks.  Set by the owner after sched_init. */
	void (*skipped)(void *owner, struct job *, uint64_t id, int trigger,
	    usec_t slot, const char *reason, bool by_user);
	void *owner;
	/* Several nodes ([cluster]): a slot that passed every local test
	 * goes here instead of trigger; the claimer starts it (with
	 * job_trigger_slot) if this node is to run it.  NULL: one host. */
	void (*claim)(void *claim_owner, struct job *, int trigger,
	    usec_t slot);
	void *claim_owner;
	uint64_t host_hash;		/* for jitter */
	bool boot_first;		/* first jobd start since boot */
	usec_t boot_time;		/* realtime of boot */
};

struct sched_slot {
	usec_t slot;
	int trigger;			/* enum run_trigger */
};

/* Per-job scheduling state (in struct job). */
struct job_sched {
	usec_t next_slot;		/* 0: none */
	usec_t fire_at;			/* next_slot + jitter */
	unsigned flags;			/* CAL_ELAPSE_* of next_slot */
	usec_t last_slot;		/* newest slot handled (persisted) */
	usec_t paused_until;		/* 0: no; USEC_INFINITY: until resume */
	unsigned skips_pending;
	struct sched_slot *queue;	/* waiting (overlap=queue or
					 * catch-up), oldest first */
	size_t nqueue;
	size_t heap_index;		/* SIZE_MAX: not in the heap */
	bool boot_done;
	struct run_who skip_by;		/* who asked for the skips pending
					 * (not kept across restarts) */
};

void sched_init(struct sched *, const struct run_ctx *, struct units *,
    struct record *, usec_t started);
/* Hears of finished runs (sched_run_finished of their job). */
void sched_subscribe(struct sched *, struct run_hub *);
/* Arms every periodic job: catch-up from each job's last slot, then its
 * next slot.  Called once the ledger's job states are known. */
void sched_start(struct sched *);
void sched_stop(struct sched *);
/* A job was added, changed or removed by a reload. */
void sched_job_changed(struct sched *, struct job *);
void sched_job_removed(struct sched *, struct job *);
/* Fires everything due at now; returns the next firing time or 0. */
usec_t sched_tick(struct sched *, usec_t now);
/* A run of job finished: start a queued slot, if any. */
void sched_run_finished(struct sched *, struct job *);

/* jobctl pause/resume/skip. */
void sched_pause(struct sched *, struct job *, usec_t until);
void sched_resume(struct sched *, struct job *);
void sched_skip(struct sched *, struct job *, unsigned n,
    const struct run_who *who);

/* The job's calendar or every= slot strictly after `after`, 0 if none;
 * flags get CAL_ELAPSE_*. */
usec_t sched_next_regular(const struct sched *, const struct job *,
    usec_t after, unsigned *ret_flags);
/* The zone the job's schedule is read in. */
const struct tz *sched_tz(const struct sched *, const struct job *);

/* The job's stable jitter offset (hash of host and job name). */
usec_t sched_jitter(const struct sched *, const struct job *);

#endif
