/* The alert policy: what is worth telling, and when.  It hears of every
 * run's end (a run hub subscriber), of services entering failed and
 * coming back, of slots the scheduler skipped and of runs found lost at
 * start, and keeps each unit's alert state (failing, overdue) in struct
 * job and, through its owner, in the ledger.  It decides; it delivers
 * nothing: each alert_event goes to the send callback with the unit's
 * alert= names.  alert-policy.c decides on runs, services and missed
 * slots; alert-overdue.c is the dead man's switch (one timer for the
 * earliest deadline of every job with expect_success_within=). */
#ifndef JOBD_ALERT_POLICY_H
#define JOBD_ALERT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "alert-event.h"
#include "run-events.h"
#include "timeutil.h"

struct job;
struct ledger_alert_state;
struct ledger_job_stats;
struct ledger_lost;
struct run_ctx;
struct service;
struct units;

/* What the policy gets from its owner (daemon.c). */
struct alert_policy_ops {
	/* An alert to deliver to each alert of names (the unit's alert=,
	 * never empty); e and names are valid during the call only. */
	void (*send)(void *owner, const struct alert_event *e,
	    char *const *alert_names);
	/* A unit's alert state changed: keep it (the ledger). */
	void (*save)(void *owner, const struct ledger_alert_state *);
	void *owner;
};

struct alert_policy {
	const struct run_ctx *runs;	/* the loop, the config, stopping */
	struct units *units;
	struct alert_policy_ops ops;
	struct run_subscriber sub;	/* every run's end */
	usec_t (*now)(void);		/* CLOCK_REALTIME; tests fake it */
	/* The dead man's switch (alert-overdue.c). */
	struct job **heap;		/* by job->alert.deadline */
	size_t n, cap;
	uv_timer_t timer;
	bool started;			/* states loaded, deadlines armed */
	bool stopped;			/* shutdown: the timer is closed */
	uint64_t sent;			/* events handed to send */
};

/* No handle is opened until alert_policy_start. */
void alert_policy_init(struct alert_policy *, const struct run_ctx *,
    struct units *, const struct alert_policy_ops *);
/* Hears of every run's end; subscribe after the record and the jobs
 * (and after hooks: a retried run is no verdict yet). */
void alert_policy_subscribe(struct alert_policy *, struct run_hub *);

/* At start, before any run can end: what the ledger kept.  Each job's
 * last success (job_stats), then the alert states; then start, which
 * arms the dead man's switch of every job (and notes when a job is first
 * seen with it). */
void alert_policy_load_stats(struct alert_policy *,
    const struct ledger_job_stats *, size_t n);
void alert_policy_load_states(struct alert_policy *,
    const struct ledger_alert_state *, size_t n);
void alert_policy_start(struct alert_policy *);
/* Shutdown: the timer closed, nothing armed any more. */
void alert_policy_stop(struct alert_policy *);
/* Frees what is left after the loop ended. */
void alert_policy_free(struct alert_policy *);

/* A reload: the job's definition changed (expect_success_within= may be
 * new, another or gone), or it was removed. */
void alert_policy_job_changed(struct alert_policy *, struct job *);
void alert_policy_job_removed(struct alert_policy *, struct job *);

/* A service changed state: failed (entered), recovered (ready again). */
void alert_policy_service_changed(struct alert_policy *, struct service *);
/* A slot the scheduler recorded skipped: missed, unless by_user. */
void alert_policy_slot_skipped(struct alert_policy *, struct job *,
    uint64_t id, int trigger, usec_t slot, const char *reason,
    bool by_user);
/* Runs found lost when the ledger opened: missed. */
void alert_policy_lost(struct alert_policy *, const struct ledger_lost *,
    size_t n);

/* alert-overdue.c: the jobs whose deadline passed at now become overdue;
 * returns the next deadline, or 0.  The timer calls it; tests call it
 * with a fake clock. */
usec_t alert_policy_tick(struct alert_policy *, usec_t now);
/* Puts the job's deadline in force (after a success, a reload, a load),
 * re-arming the timer. */
void alert_policy_arm(struct alert_policy *, struct job *);
/* Hands e (taken, freed after) to send when the unit's alert_on= has its
 * kind and alert= names someone (alert-policy.c). */
void alert_policy_send(struct alert_policy *, const struct job *,
    struct alert_event *);
/* Keeps the job's alert state (alert-policy.c). */
void alert_policy_save(struct alert_policy *, const struct job *);

#endif
