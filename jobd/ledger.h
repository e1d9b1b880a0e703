/* The run ledger: one row per run and the per-job schedule state, in
 * SQLite (STATE_DIR/ledger.db, WAL mode).  Every function here blocks on
 * disk I/O: call them only from an executor work function, and only one
 * call at a time per struct ledger (the daemon keeps at most one ledger
 * job in flight).  Errors are -errno with an allocated *cause that names
 * the file; the caller logs and frees it. */
#ifndef JOBD_LEDGER_H
#define JOBD_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timeutil.h"

#define LEDGER_FILE "ledger.db"
#define LEDGER_APPLICATION_ID 0x6a6f6264	/* "jobd" */
#define LEDGER_VERSION 5			/* newest schema we know */

struct ledger;

/* The results a finished row may have, in this order. */
#define LEDGER_NRESULTS 7
extern const char *const ledger_result_name[LEDGER_NRESULTS];
/* The index of a result name, or -1. */
int ledger_result_index(const char *result);

/*
 * One row of the runs table.  For the times, pid, signal, retry_of,
 * hook_of, chain_first and chain_depth, zero means "not set" (stored as
 * NULL); exit_code counts only when has_exit.  result is NULL while the
 * run is running, else one of success, failed, timeout, cancelled, lost,
 * skipped.  Rows read back own their strings and tail
 * (ledger_run_free_contents); rows passed in are only read.
 */
struct ledger_run {
	uint64_t id;
	char *job;
	char *trigger;		/* manual, schedule, catch-up, retry, ... */
	usec_t scheduled, queued, started, ended;
	int pid;
	bool has_exit;
	int exit_code;
	int signal;
	char *result;
	char *reason;
	usec_t duration;
	uint64_t peak_rss_kb;
	usec_t user_cpu, system_cpu;
	void *tail;		/* output tail bytes, NULL when tail_len 0 */
	size_t tail_len;
	uint64_t retry_of;	/* id of the run this one retries, or 0 */
	/* A hook's run: the run whose end started it, the first run of its
	 * chain (which no hook started), and how many hooks deep it is. */
	uint64_t hook_of;
	char *hook_of_job;
	uint64_t chain_first;
	char *chain_first_job;
	unsigned chain_depth;
};

/* Per-job schedule state.  Same ownership rules as struct ledger_run. */
struct ledger_job_state {
	char *job;
	usec_t last_slot;	/* last schedule slot handled; 0: none */
	usec_t paused_until;	/* 0: not paused; USEC_INFINITY: until resume */
	unsigned skips_pending;
};

/* What alerts last told of a unit (table alert_state), so that
 * change-only alerts and the dead man's switch go on across restarts.
 * Zero times: not set. */
struct ledger_alert_state {
	char *job;
	bool failing;		/* its last verdict was a failure */
	bool overdue;		/* no success within expect_success_within= */
	usec_t since;		/* first seen with the switch */
	usec_t overdue_since;	/* when it became overdue */
};

/* A set event (table events): it is set again at the next start. */
struct ledger_event {
	char *name;
	usec_t set;		/* when it was set */
};

enum ledger_op_type {
	/* Insert the run (when it is queued, and again when it starts); on
	 * record already, only its start time and pid change, and only while
	 * it has no result, so replaying a START never undoes a COMPLETE. */
	LEDGER_OP_START,
	/* Insert or overwrite the run with every field (result required),
	 * so a COMPLETE whose START was dropped still leaves a full row. */
	LEDGER_OP_COMPLETE,
	/* Insert or overwrite the job's state. */
	LEDGER_OP_JOB_STATE,
	/* Append one alert delivery attempt to alert_log. */
	LEDGER_OP_ALERT_LOG,
	/* Insert or overwrite the unit's alert state. */
	LEDGER_OP_ALERT_STATE,
	/* Insert or overwrite a set event; delete a cleared one. */
	LEDGER_OP_EVENT_SET,
	LEDGER_OP_EVENT_CLEAR,
	LEDGER_OP_NTYPES
};

/* One attempt to deliver an alert to one sink (a row of alert_log).
 * Same ownership rules as struct ledger_run. */
struct ledger_alert {
	uint64_t id;		/* read back only */
	usec_t at;		/* when the attempt ended (or was dropped) */
	char *alert;		/* [alert NAME] */
	char *sink;		/* webhook, mail or command */
	char *event;		/* failed, recovered, ..., test */
	char *job;		/* NULL: none (a test) */
	uint64_t run;		/* the run it is about; 0: none */
	unsigned attempt;	/* 1, 2, ...; 0 for a delivery dropped unsent */
	char *status;		/* sent, failed or dropped */
	char *detail;		/* HTTP status, error, exit status; or NULL */
};

/* alert_log keeps this many newest rows; alert_counts counts every row
 * ever added, pruned or not. */
#define LEDGER_ALERT_LOG_MAX 10000

struct ledger_op {
	enum ledger_op_type type;
	union {
		struct ledger_run run;		/* START, COMPLETE */
		struct ledger_job_state state;	/* JOB_STATE */
		struct ledger_alert alert_log;	/* ALERT_LOG */
		struct ledger_alert_state alert;	/* ALERT_STATE */
		struct ledger_event event;	/* EVENT_SET, EVENT_CLEAR */
	};
};

/* Whether the op writes a run's row (START, COMPLETE). */
static inline bool
ledger_op_is_run(const struct ledger_op *op)
{
	return op->type == LEDGER_OP_START || op->type == LEDGER_OP_COMPLETE;
}

/* What ledger_mark_lost() changed: enough to look for orphans. */
struct ledger_lost {
	uint64_t id;
	char *job;
	int pid;		/* 0 if the run never had one */
	usec_t started;		/* to tell the old process from pid reuse */
	char *trigger;		/* NULL: not on record */
	usec_t scheduled;	/* its slot, or 0 */
};

struct ledger_filter {
	const char *job;	/* NULL: every job */
	bool failed_only;	/* finished, neither success nor cancelled */
	usec_t since;		/* 0, or started (else queued) at or after */
	size_t limit;		/* newest first; 0: no limit */
	const char *result;	/* NULL, or only runs with this result */
	/* Nonzero: the last per_job finished runs of each job (of job, if
	 * set) in job order, oldest first; the other fields are ignored. */
	unsigned per_job;
};

struct ledger_prune {
	const char *job;	/* NULL: every job in the ledger */
	unsigned max_runs;	/* keep the newest N rows per job; 0: all */
	usec_t max_age;		/* drop finished rows older; 0/INFINITY: none */
	usec_t now;		/* realtime "now" for max_age */
};

/*
 * Opens (creating and migrating if needed) STATE_DIR/ledger.db; the
 * directory must exist.  synchronous=FULL if sync_full, else NORMAL.
 * A file that is not a jobd ledger is never written to: -EBADMSG for a
 * non-SQLite, foreign or damaged file, -EPROTONOSUPPORT for a schema newer
 * than LEDGER_VERSION; other errors as from write_batch.
 */
int ledger_open(const char *state_dir, bool sync_full, struct ledger **ret,
    char **cause);
/*
 * The ledger's own state (table jobd_state, made by the migration to
 * version 2).  instance: a random id every run of this state directory
 * carries as JOBD_INSTANCE=.  reserved: run ids up to here may have been
 * handed out; a new daemon continues above it and above every row.  base:
 * the last daemon handed out ids above this one only.
 */
struct ledger_meta {
	char *instance;
	uint64_t reserved;
	uint64_t base;
};
int ledger_meta_get(struct ledger *, struct ledger_meta *ret, char **cause);
void ledger_meta_free_contents(struct ledger_meta *);
/* A daemon begins: its ids are above base, reserved up to upto (the
 * reservation is never lowered here). */
int ledger_ids_begin(struct ledger *, uint64_t base, uint64_t upto,
    char **cause);
/* Raises the reservation to upto (never lowers it); with exact, sets it
 * (at a clean stop, to the last id handed out: ids above are free). */
int ledger_reserve_ids(struct ledger *, uint64_t upto, bool exact,
    char **cause);
/* Whether a row with this id is on record. */
int ledger_run_exists(struct ledger *, uint64_t id, bool *ret,
    char **cause);
int ledger_set_instance(struct ledger *, const char *instance,
    char **cause);

/* Closes; accepts NULL and returns NULL. */
struct ledger *ledger_close(struct ledger *);
const char *ledger_path(const struct ledger *);

/* Highest run id ever written (0 if none), deleted rows included, so new
 * ids keep increasing across restarts and pruning. */
int ledger_max_run_id(struct ledger *, uint64_t *ret, char **cause);

/*
 * Applies ops in one transaction: all or nothing.  On failure nothing is
 * applied and the caller may keep the ops and retry: -ENOSPC (disk or
 * database full), -EROFS (read-only), -EIO, -EBUSY, -ENOMEM.  -EINVAL
 * means a malformed op (checked before anything is written): do not retry.
 */
int ledger_write_batch(struct ledger *, const struct ledger_op *ops,
    size_t n, char **cause);

/* At startup: every unfinished row (result NULL) becomes "lost" with the
 * given reason and no end (when it ended is not known), in one
 * transaction.  Returns those rows, oldest first. */
int ledger_mark_lost(struct ledger *, const char *reason,
    struct ledger_lost **ret, size_t *ret_n, char **cause);
void ledger_lost_free(struct ledger_lost *, size_t n);

/* Runs matching f, newest (highest id) first.  Tails are not loaded
 * (tail NULL); use ledger_get_run for one run's tail. */
int ledger_query(struct ledger *, const struct ledger_filter *f,
    struct ledger_run **ret, size_t *ret_n, char **cause);
void ledger_runs_free(struct ledger_run *, size_t n);

/* One run with its tail; -ENOENT (and no cause) if there is none. */
int ledger_get_run(struct ledger *, uint64_t id, struct ledger_run *ret,
    char **cause);
void ledger_run_free_contents(struct ledger_run *);

/* Retention, in one transaction; never deletes unfinished rows. */
int ledger_prune(struct ledger *, const struct ledger_prune *p,
    size_t *ret_deleted, char **cause);

/* -ENOENT (and no cause) if the job has no state on record. */
int ledger_job_state_get(struct ledger *, const char *job,
    struct ledger_job_state *ret, char **cause);
void ledger_job_state_free_contents(struct ledger_job_state *);

/*
 * What the ledger keeps of each job beyond its rows, so that it survives
 * pruning and restarts (tables job_stats and run_counts, kept by triggers
 * as rows finish): the last verdict (success, failed, timeout or lost;
 * skipped and cancelled runs are no verdict), the last success, and how
 * many runs ended with each result.  Zero times: none.
 */
struct ledger_job_stats {
	char *job;
	uint64_t last_run;		/* 0: no verdict yet */
	char *last_result;		/* NULL: none */
	usec_t last_started, last_ended, last_duration;
	usec_t last_success;		/* when it ended (else started) */
	uint64_t counts[LEDGER_NRESULTS];	/* by ledger_result_name */
};
/* Every job on record, in name order. */
int ledger_job_stats(struct ledger *, struct ledger_job_stats **ret,
    size_t *ret_n, char **cause);
void ledger_job_stats_free(struct ledger_job_stats *, size_t n);

/* ledger-alert-log.c.  The newest attempts first, at most limit (0: all);
 * failed_only: failed and dropped ones. */
int ledger_alert_log(struct ledger *, bool failed_only, size_t limit,
    struct ledger_alert **ret, size_t *ret_n, char **cause);
void ledger_alerts_free(struct ledger_alert *, size_t n);
/* Attempts ever recorded per alert, sink and status (alert_counts). */
struct ledger_alert_count {
	char *alert, *sink, *status;
	uint64_t n;
};
int ledger_alert_counts(struct ledger *, struct ledger_alert_count **ret,
    size_t *ret_n, char **cause);
void ledger_alert_counts_free(struct ledger_alert_count *, size_t n);
/* Every unit's alert state, and every set event, in name order (read
 * once at start: ledger-alert-state.c). */
int ledger_alert_states(struct ledger *, struct ledger_alert_state **ret,
    size_t *ret_n, char **cause);
void ledger_alert_states_free(struct ledger_alert_state *, size_t n);
int ledger_events(struct ledger *, struct ledger_event **ret,
    size_t *ret_n, char **cause);
void ledger_events_free(struct ledger_event *, size_t n);

/* Fault injection for tests: READONLY makes writes fail as on a read-only
 * file system (-EROFS), FULL as on a full one (-ENOSPC); NONE lifts it. */
enum ledger_fault {
	LEDGER_FAULT_NONE,
	LEDGER_FAULT_READONLY,
	LEDGER_FAULT_FULL,
	LEDGER_NFAULTS
};
int ledger_inject_fault(struct ledger *, enum ledger_fault, char **cause);

#endif
