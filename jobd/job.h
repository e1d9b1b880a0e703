/* A job: a definition from the config plus its runtime state (its runs,
 * unfinished and a bounded history of finished ones), and what every job
 * and run gets from its owner: struct run_ctx. */
#ifndef JOBD_JOB_H
#define JOBD_JOB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <uv.h>

#include "run-ctx.h"
#include "run.h"
#include "scheduler.h"

struct job_config;
struct service;

#define JOB_HISTORY_MAX 16		/* finished runs kept in memory */
/* Runs not finished (pending included): past this, Start is refused and
 * scheduled slots are recorded as skipped. */
#define JOB_MAX_RUNS 10000

/* What alerts know of a job or service (alert-policy.c and
 * alert-overdue.c keep it; the ledger's alert_state keeps it across
 * restarts). */
struct job_alert {
	bool failing;			/* the last verdict failed (a service:
					 * failed, not ready since) */
	bool overdue;			/* no success within
					 * expect_success_within= */
	usec_t since;			/* first seen with the switch */
	usec_t overdue_since;		/* realtime; 0: not overdue */
	usec_t last_success;		/* realtime; 0: none known */
	usec_t deadline;		/* a success is due by then; 0: none */
	size_t heap_index;		/* SIZE_MAX: no deadline armed */
};

/* Owned by the registry (units.h).  A job removed from the config by a
 * reload stays until its last run has finished, then is freed. */
struct job {
	struct run_ctx *ctx;
	char *name;
	const struct job_config *config;	/* NULL once removed */
	struct run_list runs;		/* unfinished, oldest first */
	struct run_list history;	/* finished, oldest first */
	unsigned nhistory;
	unsigned nactive;
	unsigned nadmitted;		/* runs holding admission */
	usec_t last_started;		/* realtime start of the newest run */
	enum run_result last_result;	/* for notify_on=change */
	struct job_sched sched;
	struct job_alert alert;
	struct service *service;	/* [service NAME] only */
	TAILQ_ENTRY(job) entry;
};

TAILQ_HEAD(job_list, job);

struct job *job_new(struct run_ctx *, const struct job_config *);
/* Starts a run now; returns it (never NULL: a failed spawn is a run that
 * finished as failed). */
struct run *job_trigger(struct job *, enum run_trigger);
/* The same for a scheduled slot: the run knows its slot (usec). */
struct run *job_trigger_slot(struct job *, enum run_trigger, usec_t slot);
/* The general form of the above. */
struct run *job_trigger_full(struct job *, enum run_trigger,
    const struct run_opts *);
/* Starts a run watched by o from before its spawn (services). */
struct run *job_trigger_observed(struct job *, enum run_trigger,
    struct run_observer *o);
struct run *job_last_run(const struct job *);
struct run *job_last_finished(const struct job *);
/* The jobs' own subscriber: a finished run moves to the history, a
 * closed one may be dropped from it (and a removed job freed).  The owner
 * subscribes it first, before anything that reads the history. */
void job_subscribe(struct run_ctx *);
/* Frees the job if it was removed and nothing of it remains active. */
void job_maybe_free(struct job *);
void job_free(struct job *);

#endif
