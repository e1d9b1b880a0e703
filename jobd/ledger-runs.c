/* The run ledger's rows: the cached statements, and writing, reading,
 * marking lost and pruning runs and job state through them.  Blocking:
 * worker threads only, one call at a time per ledger. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ledger-internal.h"
#include "xmalloc.h"

const char *const ledger_result_name[LEDGER_NRESULTS] = {
	"success", "failed", "timeout", "cancelled", "lost", "skipped",
	"oom",
};

/* Column order shared by every statement that reads or writes a run. */
#define RUN_COLUMNS_BASE						\
	"id, job, \"trigger\", scheduled_usec, queued_usec, started_usec, " \
	"ended_usec, pid, exit_code, signal, result, reason, duration_usec, " \
	"peak_rss_kb, user_cpu_usec, system_cpu_usec, retry_of, hook_of, " \
	"hook_of_job, chain_first, chain_first_job, chain_depth"
#define RUN_COLUMNS RUN_COLUMNS_BASE ", output_tail"
#define RUN_INSERT							\
	"INSERT INTO runs (" RUN_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, " \
	"?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, " \
	"?20, ?21, ?22, ?23) "
#define QUERY_WHERE							\
	" (?2 = 0 OR (result IS NOT NULL AND"				\
	" result NOT IN ('success', 'cancelled')))"			\
	" AND COALESCE(started_usec, queued_usec, scheduled_usec, 0) >= ?3" \
	" AND (?5 IS NULL OR result = ?5)"				\
	" ORDER BY id DESC LIMIT ?4"

static const char *const ledger_sql[ST_N] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	/* A run is on record from its queueing; its start fills in the
	 * rest, never over a result. */
	[ST_START] = RUN_INSERT "ON CONFLICT (id) DO UPDATE SET "
	    "started_usec = excluded.started_usec, pid = excluded.pid "
	    "WHERE result IS NULL",
	[ST_COMPLETE] = RUN_INSERT "ON CONFLICT (id) DO UPDATE SET "
	    "job = excluded.job, \"trigger\" = excluded.\"trigger\", "
	    "scheduled_usec = excluded.scheduled_usec, "
	    "queued_usec = excluded.queued_usec, "
	    "started_usec = excluded.started_usec, "
	    "ended_usec = excluded.ended_usec, pid = excluded.pid, "
	    "exit_code = excluded.exit_code, signal = excluded.signal, "
	    "result = excluded.result, reason = excluded.reason, "
	    "duration_usec = excluded.duration_usec, "
	    "peak_rss_kb = excluded.peak_rss_kb, "
	    "user_cpu_usec = excluded.user_cpu_usec, "
	    "system_cpu_usec = excluded.system_cpu_usec, "
	    "retry_of = excluded.retry_of, hook_of = excluded.hook_of, "
	    "hook_of_job = excluded.hook_of_job, "
	    "chain_first = excluded.chain_first, "
	    "chain_first_job = excluded.chain_first_job, "
	    "chain_depth = excluded.chain_depth, "
	    "output_tail = excluded.output_tail",
	[ST_STATE_PUT] = "INSERT INTO job_state (job, last_slot_usec, "
	    "paused_until_usec, skips_pending) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (job) DO UPDATE SET "
	    "last_slot_usec = excluded.last_slot_usec, "
	    "paused_until_usec = excluded.paused_until_usec, "
	    "skips_pending = excluded.skips_pending",
	[ST_STATE_GET] = "SELECT last_slot_usec, paused_until_usec, "
	    "skips_pending FROM job_state WHERE job = ?1",
	[ST_GET] = "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1",
	/* ?1 is bound but unused here, so both queries take one binding. */
	[ST_QUERY_ALL] = "SELECT " RUN_COLUMNS_BASE ", NULL FROM runs WHERE"
	    QUERY_WHERE,
	[ST_QUERY_JOB] = "SELECT " RUN_COLUMNS_BASE ", NULL FROM runs "
	    "WHERE job = ?1 AND" QUERY_WHERE,
	/* job_stats has a row for every job that finished a run; each job's
	 * newest rows are an index search on runs_job_id. */
	[ST_QUERY_RECENT] = "SELECT " RUN_COLUMNS_BASE ", NULL FROM runs "
	    "WHERE id IN (SELECT r.id FROM job_stats s JOIN runs r ON r.id IN "
	    "(SELECT x.id FROM runs x WHERE x.job = s.job AND x.result IS NOT "
	    "NULL ORDER BY x.id DESC LIMIT ?6) WHERE ?1 IS NULL OR "
	    "s.job = ?1) ORDER BY job, id",
	/* sqlite_sequence remembers ids of rows that were pruned since. */
	[ST_MAX_ID] = "SELECT max(COALESCE((SELECT max(id) FROM runs), 0), "
	    "COALESCE((SELECT seq FROM sqlite_sequence "
	    "WHERE name = 'runs'), 0))",
	[ST_UNFINISHED] = "SELECT id, job, pid, started_usec, \"trigger\", "
	    "scheduled_usec FROM runs WHERE result IS NULL ORDER BY id",
	/* When a lost run ended is not known: not when jobd noticed. */
	[ST_MARK_LOST] = "UPDATE runs SET result = 'lost', reason = ?1, "
	    "ended_usec = NULL, duration_usec = NULL WHERE result IS NULL",
	[ST_JOBS] = "SELECT DISTINCT job FROM runs",
	[ST_PRUNE] = "DELETE FROM runs WHERE job = ?1 AND result IS NOT NULL "
	    "AND (id NOT IN (SELECT id FROM runs WHERE job = ?1 "
	    "ORDER BY id DESC LIMIT ?2) OR COALESCE(ended_usec, "
	    "started_usec, queued_usec, scheduled_usec, 0) < ?3)",
	[ST_META_GET] = "SELECT instance, run_id_reserved, run_id_base "
	    "FROM jobd_state WHERE id = 1",
	[ST_EXISTS] = "SELECT 1 FROM runs WHERE id = ?1",
	[ST_IDS_BEGIN] = "UPDATE jobd_state SET run_id_base = ?1, "
	    "run_id_reserved = max(run_id_reserved, ?2) WHERE id = 1",
	[ST_RESERVE] = "UPDATE jobd_state SET run_id_reserved = "
	    "max(run_id_reserved, ?1) WHERE id = 1",
	[ST_RESERVE_SET] = "UPDATE jobd_state SET run_id_reserved = ?1 "
	    "WHERE id = 1",
	[ST_INSTANCE_SET] = "UPDATE jobd_state SET instance = ?1 WHERE id = 1",
	[ST_ALERT_LOG_PUT] = "INSERT INTO alert_log (at_usec, alert, sink, event, "
	    "job, run, attempt, status, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9)",
	[ST_ALERT_PUT] = "INSERT INTO alert_state (job, failing, overdue, "
	    "since_usec, overdue_usec) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (job) DO UPDATE SET failing = excluded.failing, "
	    "overdue = excluded.overdue, since_usec = excluded.since_usec, "
	    "overdue_usec = excluded.overdue_usec",
	[ST_EVENT_PUT] = "INSERT INTO events (name, set_usec) VALUES (?1, ?2) "
	    "ON CONFLICT (name) DO UPDATE SET set_usec = excluded.set_usec",
	[ST_EVENT_DELETE] = "DELETE FROM events WHERE name = ?1",
};

int
ledger_prepare(struct ledger *l, char **cause)
{
	int i, rc;

	for (i = 0; i < ST_N; i++) {
		rc = sqlite3_prepare_v3(l->db, ledger_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &l->stmt[i], NULL);
		if (rc != SQLITE_OK)
			return ledger_fail(l, rc, "cannot prepare", cause);
	}
	return 0;
}

static void
bind_opt(sqlite3_stmt *st, int i, uint64_t v, int *rc)
{
	if (*rc != SQLITE_OK)
		return;
	if (v)
		*rc = sqlite3_bind_int64(st, i, (sqlite3_int64)v);
	else
		*rc = sqlite3_bind_null(st, i);
}

static void
bind_int(sqlite3_stmt *st, int i, int64_t v, int *rc)
{
	if (*rc == SQLITE_OK)
		*rc = sqlite3_bind_int64(st, i, v);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s, int *rc)
{
	if (*rc == SQLITE_OK)
		*rc = sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* Binds a run as ?1..?23 in RUN_COLUMNS order; the memory must outlive
 * the step (ledger_exec_stmt clears the bindings). */
static int
ledger_bind_run(sqlite3_stmt *st, const struct ledger_run *run)
{
	int rc = SQLITE_OK;

	bind_int(st, 1, (int64_t)run->id, &rc);
	bind_text(st, 2, run->job, &rc);
	bind_text(st, 3, run->trigger, &rc);
	bind_opt(st, 4, run->scheduled, &rc);
	bind_opt(st, 5, run->queued, &rc);
	bind_opt(st, 6, run->started, &rc);
	bind_opt(st, 7, run->ended, &rc);
	bind_opt(st, 8, (uint64_t)run->pid, &rc);
	if (run->has_exit)
		bind_int(st, 9, run->exit_code, &rc);
	bind_opt(st, 10, (uint64_t)run->signal, &rc);
	bind_text(st, 11, run->result, &rc);
	bind_text(st, 12, run->reason, &rc);
	bind_int(st, 13, (int64_t)run->duration, &rc);
	bind_int(st, 14, (int64_t)run->peak_rss_kb, &rc);
	bind_int(st, 15, (int64_t)run->user_cpu, &rc);
	bind_int(st, 16, (int64_t)run->system_cpu, &rc);
	bind_opt(st, 17, run->retry_of, &rc);
	bind_opt(st, 18, run->hook_of, &rc);
	bind_text(st, 19, run->hook_of_job, &rc);
	bind_opt(st, 20, run->chain_first, &rc);
	bind_text(st, 21, run->chain_first_job, &rc);
	bind_opt(st, 22, run->chain_depth, &rc);
	if (rc == SQLITE_OK && run->tail_len > 0)
		rc = sqlite3_bind_blob(st, 23, run->tail, (int)run->tail_len,
		    SQLITE_STATIC);
	return rc;
}

/* Reads a row in RUN_COLUMNS order. */
static void
ledger_read_run(sqlite3_stmt *st, struct ledger_run *run)
{
	const void *tail;
	int len;

	memset(run, 0, sizeof(*run));
	run->id = (uint64_t)sqlite3_column_int64(st, 0);
	run->job = ledger_column_dup(st, 1);
	run->trigger = ledger_column_dup(st, 2);
	run->scheduled = (usec_t)sqlite3_column_int64(st, 3);
	run->queued = (usec_t)sqlite3_column_int64(st, 4);
	run->started = (usec_t)sqlite3_column_int64(st, 5);
	run->ended = (usec_t)sqlite3_column_int64(st, 6);
	run->pid = sqlite3_column_int(st, 7);
	run->has_exit = sqlite3_column_type(st, 8) != SQLITE_NULL;
	run->exit_code = sqlite3_column_int(st, 8);
	run->signal = sqlite3_column_int(st, 9);
	run->result = ledger_column_dup(st, 10);
	run->reason = ledger_column_dup(st, 11);
	run->duration = (usec_t)sqlite3_column_int64(st, 12);
	run->peak_rss_kb = (uint64_t)sqlite3_column_int64(st, 13);
	run->user_cpu = (usec_t)sqlite3_column_int64(st, 14);
	run->system_cpu = (usec_t)sqlite3_column_int64(st, 15);
	run->retry_of = (uint64_t)sqlite3_column_int64(st, 16);
	run->hook_of = (uint64_t)sqlite3_column_int64(st, 17);
	run->hook_of_job = ledger_column_dup(st, 18);
	run->chain_first = (uint64_t)sqlite3_column_int64(st, 19);
	run->chain_first_job = ledger_column_dup(st, 20);
	run->chain_depth = (unsigned)sqlite3_column_int(st, 21);
	tail = sqlite3_column_blob(st, 22);
	len = sqlite3_column_bytes(st, 22);
	if (tail && len > 0) {
		run->tail = xmalloc((size_t)len);
		memcpy(run->tail, tail, (size_t)len);
		run->tail_len = (size_t)len;
	}
}

int
ledger_result_index(const char *result)
{
	int i;

	for (i = 0; i < LEDGER_NRESULTS; i++)
		if (!strcmp(result, ledger_result_name[i]))
			return i;
	return -1;
}

static bool
ledger_result_valid(const char *result)
{
	return ledger_result_index(result) >= 0;
}

/* Why a run's or job state's op would be refused, or NULL. */
const char *
ledger_row_invalid(const struct ledger_op *op)
{
	const struct ledger_run *run = &op->run;

	if (op->type == LEDGER_OP_JOB_STATE)
		return op->state.job && *op->state.job ? NULL : "no job name";
	if (!ledger_op_is_run(op))
		return "unknown op type";
	if (run->id == 0 || run->id > INT64_MAX)
		return "run id out of range";
	if (!run->job || !*run->job)
		return "run without a job name";
	if (op->type == LEDGER_OP_COMPLETE && !run->result)
		return "completed run without a result";
	if (run->result && !ledger_result_valid(run->result))
		return "unknown result";
	if (run->tail_len > INT_MAX || (run->tail_len && !run->tail))
		return "bad output tail";
	return NULL;
}

int
ledger_row_apply(struct ledger *l, const struct ledger_op *op)
{
	const struct ledger_job_state *js = &op->state;
	enum ledger_stmt id;
	int rc = SQLITE_OK;

	if (op->type == LEDGER_OP_JOB_STATE) {
		id = ST_STATE_PUT;
		bind_text(l->stmt[id], 1, js->job, &rc);
		bind_opt(l->stmt[id], 2, js->last_slot, &rc);
		bind_opt(l->stmt[id], 3, js->paused_until, &rc);
		bind_int(l->stmt[id], 4, js->skips_pending, &rc);
	} else {
		id = op->type == LEDGER_OP_START ? ST_START : ST_COMPLETE;
		rc = ledger_bind_run(l->stmt[id], &op->run);
	}
	if (rc != SQLITE_OK) {
		sqlite3_clear_bindings(l->stmt[id]);
		return rc;
	}
	return ledger_exec_stmt(l, id);
}

void
ledger_lost_free(struct ledger_lost *lost, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(lost[i].job);
		free(lost[i].trigger);
	}
	free(lost);
}

/* Collects the unfinished rows; inside mark_lost's transaction. */
static int
ledger_unfinished(struct ledger *l, struct ledger_lost **ret, size_t *ret_n)
{
	sqlite3_stmt *st = l->stmt[ST_UNFINISHED];
	struct ledger_lost *lost = NULL, *x;
	size_t n = 0, alloc = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		lost = ledger_grow(lost, &alloc, n, sizeof(*lost));
		x = &lost[n++];
		x->id = (uint64_t)sqlite3_column_int64(st, 0);
		x->job = ledger_column_dup(st, 1);
		x->pid = sqlite3_column_int(st, 2);
		x->started = (usec_t)sqlite3_column_int64(st, 3);
		x->trigger = ledger_column_dup(st, 4);
		x->scheduled = (usec_t)sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		ledger_lost_free(lost, n);
		return rc;
	}
	*ret = lost;
	*ret_n = n;
	return SQLITE_OK;
}

int
ledger_mark_lost(struct ledger *l, const char *reason,
    struct ledger_lost **ret, size_t *ret_n, char **cause)
{
	struct ledger_lost *lost = NULL;
	size_t n = 0;
	int r, rc;

	if ((r = ledger_begin(l, cause)) < 0)
		return r;
	rc = ledger_unfinished(l, &lost, &n);
	if (rc == SQLITE_OK && n > 0) {
		rc = sqlite3_bind_text(l->stmt[ST_MARK_LOST], 1, reason, -1,
		    SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = ledger_exec_stmt(l, ST_MARK_LOST);
	}
	if (rc != SQLITE_OK)
		r = ledger_abort(l, rc, "mark lost", cause);
	else
		r = ledger_commit(l, "mark lost", cause);
	if (r < 0) {
		ledger_lost_free(lost, n);
		return r;
	}
	*ret = lost;
	*ret_n = n;
	return 0;
}

void
ledger_run_free_contents(struct ledger_run *run)
{
	free(run->job);
	free(run->trigger);
	free(run->result);
	free(run->reason);
	free(run->tail);
	free(run->hook_of_job);
	free(run->chain_first_job);
	memset(run, 0, sizeof(*run));
}

void
ledger_runs_free(struct ledger_run *runs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ledger_run_free_contents(&runs[i]);
	free(runs);
}

int
ledger_query(struct ledger *l, const struct ledger_filter *f,
    struct ledger_run **ret, size_t *ret_n, char **cause)
{
	sqlite3_stmt *st = l->stmt[f->per_job ? ST_QUERY_RECENT :
	    f->job ? ST_QUERY_JOB : ST_QUERY_ALL];
	struct ledger_run *runs = NULL;
	size_t n = 0, alloc = 0;
	int r, rc = SQLITE_OK;

	bind_text(st, 1, f->job, &rc);
	bind_int(st, 2, f->failed_only, &rc);
	bind_int(st, 3, (int64_t)MIN(f->since, (usec_t)INT64_MAX), &rc);
	bind_int(st, 4, f->limit && f->limit <= INT64_MAX ?
	    (int64_t)f->limit : -1, &rc);
	bind_text(st, 5, f->result, &rc);
	if (f->per_job)
		bind_int(st, 6, f->per_job, &rc);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		runs = ledger_grow(runs, &alloc, n, sizeof(*runs));
		ledger_read_run(st, &runs[n++]);
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE) {
		r = ledger_fail(l, rc, "query", cause);
		ledger_runs_free(runs, n);
	} else
		r = 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (r < 0)
		return r;
	*ret = runs;
	*ret_n = n;
	return 0;
}

int
ledger_get_run(struct ledger *l, uint64_t id, struct ledger_run *ret,
    char **cause)
{
	sqlite3_stmt *st = l->stmt[ST_GET];
	int r = 0, rc = SQLITE_OK;

	bind_int(st, 1, (int64_t)MIN(id, (uint64_t)INT64_MAX), &rc);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ledger_read_run(st, ret);
	else if (rc == SQLITE_DONE)
		r = -ENOENT;
	else
		r = ledger_fail(l, rc, "read run", cause);
	sqlite3_reset(st);
	return r;
}

int
ledger_max_run_id(struct ledger *l, uint64_t *ret, char **cause)
{
	sqlite3_stmt *st = l->stmt[ST_MAX_ID];
	int r = 0, rc;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = (uint64_t)sqlite3_column_int64(st, 0);
	else
		r = ledger_fail(l, rc, "read max run id", cause);
	sqlite3_reset(st);
	return r;
}

/* Every job with rows, for a prune of all jobs. */
static int
ledger_jobs(struct ledger *l, char ***ret, size_t *ret_n)
{
	sqlite3_stmt *st = l->stmt[ST_JOBS];
	char **jobs = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		jobs = ledger_grow(jobs, &alloc, n, sizeof(*jobs));
		jobs[n++] = ledger_column_dup(st, 0);
	}
	sqlite3_reset(st);
	*ret = jobs;
	*ret_n = n;
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
ledger_prune_job(struct ledger *l, const char *job,
    const struct ledger_prune *p, size_t *deleted)
{
	sqlite3_stmt *st = l->stmt[ST_PRUNE];
	int64_t cutoff = 0;
	int rc = SQLITE_OK;

	/* Rows ended before cutoff go; cutoff 0 matches nothing. */
	if (p->max_age && p->max_age != USEC_INFINITY && p->max_age < p->now)
		cutoff = (int64_t)MIN(p->now - p->max_age, (usec_t)INT64_MAX);
	bind_text(st, 1, job, &rc);
	bind_int(st, 2, p->max_runs ? (int64_t)p->max_runs : -1, &rc);
	bind_int(st, 3, cutoff, &rc);
	if (rc == SQLITE_OK)
		rc = ledger_exec_stmt(l, ST_PRUNE);
	else
		sqlite3_clear_bindings(st);
	if (rc == SQLITE_OK)
		*deleted += (size_t)sqlite3_changes(l->db);
	return rc;
}

int
ledger_prune(struct ledger *l, const struct ledger_prune *p,
    size_t *ret_deleted, char **cause)
{
	char **jobs = NULL;
	size_t i, njobs = 0, deleted = 0;
	int r, rc;

	if ((r = ledger_begin(l, cause)) < 0)
		return r;
	if (p->job)
		rc = ledger_prune_job(l, p->job, p, &deleted);
	else
		rc = ledger_jobs(l, &jobs, &njobs);
	for (i = 0; i < njobs && rc == SQLITE_OK; i++)
		rc = ledger_prune_job(l, jobs[i], p, &deleted);
	for (i = 0; i < njobs; i++)
		free(jobs[i]);
	free(jobs);
	if (rc != SQLITE_OK)
		return ledger_abort(l, rc, "prune", cause);
	if ((r = ledger_commit(l, "prune", cause)) < 0)
		return r;
	if (ret_deleted)
		*ret_deleted = deleted;
	return 0;
}

int
ledger_job_state_get(struct ledger *l, const char *job,
    struct ledger_job_state *ret, char **cause)
{
	sqlite3_stmt *st = l->stmt[ST_STATE_GET];
	int r = 0, rc = SQLITE_OK;

	bind_text(st, 1, job, &rc);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ret->job = xstrdup(job);
		ret->last_slot = (usec_t)sqlite3_column_int64(st, 0);
		ret->paused_until = (usec_t)sqlite3_column_int64(st, 1);
		ret->skips_pending = (unsigned)sqlite3_column_int64(st, 2);
	} else if (rc == SQLITE_DONE)
		r = -ENOENT;
	else
		r = ledger_fail(l, rc, "read job state", cause);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

void
ledger_job_state_free_contents(struct ledger_job_state *js)
{
	free(js->job);
	memset(js, 0, sizeof(*js));
}

int
ledger_meta_get(struct ledger *l, struct ledger_meta *ret, char **cause)
{
	sqlite3_stmt *st = l->stmt[ST_META_GET];
	int r = 0, rc;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ret->instance = ledger_column_dup(st, 0);
		ret->reserved = (uint64_t)sqlite3_column_int64(st, 1);
		ret->base = (uint64_t)sqlite3_column_int64(st, 2);
	} else {
		r = ledger_fail(l, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc,
		    "read jobd_state", cause);
	}
	sqlite3_reset(st);
	return r;
}

void
ledger_meta_free_contents(struct ledger_meta *m)
{
	free(m->instance);
	memset(m, 0, sizeof(*m));
}

/* One statement with one integer or text binding, in its own
 * transaction (an UPDATE is one already). */
static int
ledger_update_one(struct ledger *l, enum ledger_stmt id, int64_t v,
    const char *text, const char *what, char **cause)
{
	int rc = SQLITE_OK;

	if (text)
		bind_text(l->stmt[id], 1, text, &rc);
	else
		bind_int(l->stmt[id], 1, v, &rc);
	if (rc == SQLITE_OK)
		rc = ledger_exec_stmt(l, id);
	else
		sqlite3_clear_bindings(l->stmt[id]);
	if (rc != SQLITE_OK)
		return ledger_fail(l, rc, what, cause);
	return 0;
}

int
ledger_reserve_ids(struct ledger *l, uint64_t upto, bool exact, char **cause)
{
	if (upto > INT64_MAX) {
		if (cause)
			*cause = xstrfmt("ledger '%s': run id %llu out of "
			    "range", l->path, (unsigned long long)upto);
		return -EINVAL;
	}
	return ledger_update_one(l, exact ? ST_RESERVE_SET : ST_RESERVE,
	    (int64_t)upto, NULL, "reserve run ids", cause);
}

int
ledger_ids_begin(struct ledger *l, uint64_t base, uint64_t upto,
    char **cause)
{
	sqlite3_stmt *st = l->stmt[ST_IDS_BEGIN];
	int rc = SQLITE_OK;

	if (upto > INT64_MAX || base > upto) {
		if (cause)
			*cause = xstrfmt("ledger '%s': run ids %llu..%llu out "
			    "of range", l->path, (unsigned long long)base,
			    (unsigned long long)upto);
		return -EINVAL;
	}
	bind_int(st, 1, (int64_t)base, &rc);
	bind_int(st, 2, (int64_t)upto, &rc);
	if (rc == SQLITE_OK)
		rc = ledger_exec_stmt(l, ST_IDS_BEGIN);
	else
		sqlite3_clear_bindings(st);
	if (rc != SQLITE_OK)
		return ledger_fail(l, rc, "reserve run ids", cause);
	return 0;
}

int
ledger_run_exists(struct ledger *l, uint64_t id, bool *ret, char **cause)
{
	sqlite3_stmt *st = l->stmt[ST_EXISTS];
	int r = 0, rc = SQLITE_OK;

	bind_int(st, 1, (int64_t)MIN(id, (uint64_t)INT64_MAX), &rc);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		*ret = rc == SQLITE_ROW;
	else
		r = ledger_fail(l, rc, "read run", cause);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

int
ledger_set_instance(struct ledger *l, const char *instance, char **cause)
{
	return ledger_update_one(l, ST_INSTANCE_SET, 0, instance,
	    "set instance", cause);
}
