/* The run ledger's file: opening STATE_DIR/ledger.db, refusing a file
 * that is not ours without writing to it, the schema and its migrations,
 * transactions and error reporting.  Rows are ledger-runs.c's.  Nothing
 * here queues, retries or logs, and everything blocks: worker threads only. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger-internal.h"
#include "xmalloc.h"

#define LEDGER_BUSY_TIMEOUT_MS 5000
#define LEDGER_STR(x) #x
#define LEDGER_XSTR(x) LEDGER_STR(x)

/* Counts the result, and keeps the job's last verdict and success. */
#define LEDGER_STATS_TRIGGER_BODY					\
	" INSERT INTO run_counts (job, result, n)"			\
	"  VALUES (NEW.job, NEW.result, 1)"				\
	"  ON CONFLICT (job, result) DO UPDATE SET n = n + 1;"		\
	" INSERT INTO job_stats (job, last_run, last_result,"		\
	"  last_started_usec, last_ended_usec, last_duration_usec,"	\
	"  last_success_usec)"						\
	"  SELECT NEW.job, NEW.id, NEW.result, NEW.started_usec,"	\
	"  NEW.ended_usec, NEW.duration_usec,"				\
	"  CASE WHEN NEW.result = 'success' THEN"			\
	"  COALESCE(NEW.ended_usec, NEW.started_usec) END"		\
	"  WHERE NEW.result IN ('success', 'failed', 'timeout', 'lost')" \
	"  ON CONFLICT (job) DO UPDATE SET"				\
	"  last_run = excluded.last_run,"				\
	"  last_result = excluded.last_result,"				\
	"  last_started_usec = excluded.last_started_usec,"		\
	"  last_ended_usec = excluded.last_ended_usec,"			\
	"  last_duration_usec = excluded.last_duration_usec,"		\
	"  last_success_usec = COALESCE(excluded.last_success_usec,"	\
	"  last_success_usec)"						\
	"  WHERE excluded.last_run >= COALESCE(last_run, 0);"

/* From schema 5: an oom is a verdict as a failure is. */
#define LEDGER_STATS_TRIGGER_BODY_5					\
	" INSERT INTO run_counts (job, result, n)"			\
	"  VALUES (NEW.job, NEW.result, 1)"				\
	"  ON CONFLICT (job, result) DO UPDATE SET n = n + 1;"		\
	" INSERT INTO job_stats (job, last_run, last_result,"		\
	"  last_started_usec, last_ended_usec, last_duration_usec,"	\
	"  last_success_usec)"						\
	"  SELECT NEW.job, NEW.id, NEW.result, NEW.started_usec,"	\
	"  NEW.ended_usec, NEW.duration_usec,"				\
	"  CASE WHEN NEW.result = 'success' THEN"			\
	"  COALESCE(NEW.ended_usec, NEW.started_usec) END"		\
	"  WHERE NEW.result IN ('success', 'failed', 'timeout',"	\
	"  'lost', 'oom')"						\
	"  ON CONFLICT (job) DO UPDATE SET"				\
	"  last_run = excluded.last_run,"				\
	"  last_result = excluded.last_result,"				\
	"  last_started_usec = excluded.last_started_usec,"		\
	"  last_ended_usec = excluded.last_ended_usec,"			\
	"  last_duration_usec = excluded.last_duration_usec,"		\
	"  last_success_usec = COALESCE(excluded.last_success_usec,"	\
	"  last_success_usec)"						\
	"  WHERE excluded.last_run >= COALESCE(last_run, 0);"

#define LEDGER_RUNS_COLUMNS_1						\
	"id, job, \"trigger\", scheduled_usec, queued_usec, started_usec," \
	" ended_usec, pid, exit_code, signal, result, reason,"		\
	" duration_usec, peak_rss_kb, user_cpu_usec, system_cpu_usec,"	\
	" output_tail, retry_of"

/* The runs' columns from schema 4 on (the hook chain's added). */
#define LEDGER_RUNS_COLUMNS_4						\
	LEDGER_RUNS_COLUMNS_1 ", hook_of, hook_of_job, chain_first,"	\
	" chain_first_job, chain_depth"

/* ledger_migrations[i] takes user_version i to i + 1, in one transaction
 * with the version bump.  Never edit a released step; append a new one. */
static const char *const ledger_migrations[] = {
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" job TEXT NOT NULL,"
	" \"trigger\" TEXT,"
	" scheduled_usec INTEGER, queued_usec INTEGER,"
	" started_usec INTEGER, ended_usec INTEGER,"
	" pid INTEGER, exit_code INTEGER, signal INTEGER,"
	" result TEXT CHECK (result IN ('success', 'failed', 'timeout',"
	"  'cancelled', 'lost', 'skipped')),"
	" reason TEXT,"
	" duration_usec INTEGER, peak_rss_kb INTEGER,"
	" user_cpu_usec INTEGER, system_cpu_usec INTEGER,"
	" output_tail BLOB,"
	" retry_of INTEGER);"
	"CREATE INDEX runs_job_id ON runs (job, id);"
	"CREATE INDEX runs_unfinished ON runs (id) WHERE result IS NULL;"
	"CREATE TABLE job_state ("
	" job TEXT PRIMARY KEY,"
	" last_slot_usec INTEGER,"
	" paused_until_usec INTEGER,"
	" skips_pending INTEGER NOT NULL DEFAULT 0);",
	/* 2: the instance id every run carries (JOBD_INSTANCE=, so that an
	 * orphan sweep never touches another jobd's runs), the run ids
	 * reserved ahead of use, and where the last daemon's ids began. */
	"CREATE TABLE jobd_state ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" instance TEXT NOT NULL,"
	" run_id_base INTEGER NOT NULL DEFAULT 0,"
	" run_id_reserved INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO jobd_state (id, instance)"
	" VALUES (1, lower(hex(randomblob(16))));",
	/* 3: what must outlive pruning and restarts.  run_counts and
	 * job_stats are kept by triggers on runs: a row counts once, when
	 * its result is first set (a COMPLETE replayed over a finished row,
	 * or pruning, changes nothing).  job_stats holds each job's last
	 * verdict (success, failed, timeout, lost; not skipped or
	 * cancelled) and last success.  alert_state: what alerts last told
	 * of each job (change-only alerts, notify_on=change, overdue).
	 * alert_log: the newest delivery attempts; alert_counts: all of
	 * them counted.  events: the set events. */
	"CREATE TABLE run_counts ("
	" job TEXT NOT NULL, result TEXT NOT NULL, n INTEGER NOT NULL,"
	" PRIMARY KEY (job, result)) WITHOUT ROWID;"
	"CREATE TABLE job_stats ("
	" job TEXT PRIMARY KEY,"
	" last_run INTEGER, last_result TEXT,"
	" last_started_usec INTEGER, last_ended_usec INTEGER,"
	" last_duration_usec INTEGER, last_success_usec INTEGER);"
	"INSERT INTO run_counts (job, result, n)"
	" SELECT job, result, count(*) FROM runs"
	" WHERE result IS NOT NULL GROUP BY job, result;"
	"INSERT INTO job_stats (job, last_run, last_result,"
	" last_started_usec, last_ended_usec, last_duration_usec)"
	" SELECT job, id, result, started_usec, ended_usec, duration_usec"
	" FROM runs r WHERE id = (SELECT max(id) FROM runs WHERE"
	" job = r.job AND result IN ('success', 'failed', 'timeout',"
	" 'lost'));"
	"UPDATE job_stats SET last_success_usec = (SELECT"
	" COALESCE(ended_usec, started_usec) FROM runs WHERE"
	" runs.job = job_stats.job AND result = 'success'"
	" ORDER BY id DESC LIMIT 1);"
	"CREATE TRIGGER runs_finished_insert AFTER INSERT ON runs"
	" WHEN NEW.result IS NOT NULL BEGIN"
	LEDGER_STATS_TRIGGER_BODY
	" END;"
	"CREATE TRIGGER runs_finished_update AFTER UPDATE OF result ON runs"
	" WHEN OLD.result IS NULL AND NEW.result IS NOT NULL BEGIN"
	LEDGER_STATS_TRIGGER_BODY
	" END;"
	"CREATE TABLE alert_state ("
	" job TEXT PRIMARY KEY,"
	" failing INTEGER NOT NULL DEFAULT 0,"
	" overdue INTEGER NOT NULL DEFAULT 0,"
	" since_usec INTEGER, overdue_usec INTEGER);"
	"CREATE TABLE alert_log ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" at_usec INTEGER NOT NULL,"
	" alert TEXT NOT NULL, sink TEXT NOT NULL, event TEXT NOT NULL,"
	" job TEXT, run INTEGER, attempt INTEGER NOT NULL,"
	" status TEXT NOT NULL CHECK (status IN ('sent', 'failed',"
	"  'dropped')),"
	" detail TEXT);"
	/* Every attempt counted as it is added (the metrics' counters),
	 * and only the newest LEDGER_ALERT_LOG_MAX kept. */
	"CREATE TABLE alert_counts ("
	" alert TEXT NOT NULL, sink TEXT NOT NULL, status TEXT NOT NULL,"
	" n INTEGER NOT NULL,"
	" PRIMARY KEY (alert, sink, status)) WITHOUT ROWID;"
	"CREATE TRIGGER alert_log_insert AFTER INSERT ON alert_log BEGIN"
	" INSERT INTO alert_counts (alert, sink, status, n)"
	"  VALUES (NEW.alert, NEW.sink, NEW.status, 1)"
	"  ON CONFLICT (alert, sink, status) DO UPDATE SET n = n + 1;"
	" DELETE FROM alert_log WHERE id <= NEW.id - "
	LEDGER_XSTR(LEDGER_ALERT_LOG_MAX) ";"
	" END;"
	"CREATE TABLE events ("
	" name TEXT PRIMARY KEY, set_usec INTEGER NOT NULL);",
	/* 4: hooks chain (a hook's run starts its own hooks): a hook's run
	 * keeps the run that started it and its chain's first run, with
	 * their jobs (show RUN names them after pruning too). */
	"ALTER TABLE runs ADD COLUMN hook_of INTEGER;"
	"ALTER TABLE runs ADD COLUMN hook_of_job TEXT;"
	"ALTER TABLE runs ADD COLUMN chain_first INTEGER;"
	"ALTER TABLE runs ADD COLUMN chain_first_job TEXT;"
	"ALTER TABLE runs ADD COLUMN chain_depth INTEGER;",
	/* 5: the result oom (issue 21's cgroup limits).  SQLite changes a
	 * CHECK only by copying the table; its indexes and triggers go with
	 * the old one and are made again, and AUTOINCREMENT's counter is
	 * carried over (pruning may have left it above the largest id). */
	"CREATE TABLE runs_5 ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" job TEXT NOT NULL,"
	" \"trigger\" TEXT,"
	" scheduled_usec INTEGER, queued_usec INTEGER,"
	" started_usec INTEGER, ended_usec INTEGER,"
	" pid INTEGER, exit_code INTEGER, signal INTEGER,"
	" result TEXT CHECK (result IN ('success', 'failed', 'timeout',"
	"  'cancelled', 'lost', 'skipped', 'oom')),"
	" reason TEXT,"
	" duration_usec INTEGER, peak_rss_kb INTEGER,"
	" user_cpu_usec INTEGER, system_cpu_usec INTEGER,"
	" output_tail BLOB,"
	" retry_of INTEGER,"
	" hook_of INTEGER, hook_of_job TEXT, chain_first INTEGER,"
	" chain_first_job TEXT, chain_depth INTEGER);"
	"INSERT INTO runs_5 (" LEDGER_RUNS_COLUMNS_4 ")"
	" SELECT " LEDGER_RUNS_COLUMNS_4 " FROM runs;"
	/* sqlite_sequence has no key: one row for runs_5, made if the
	 * copy made none, then the larger counter. */
	"INSERT INTO sqlite_sequence (name, seq) SELECT 'runs_5', 0"
	" WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence"
	" WHERE name = 'runs_5');"
	"UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM"
	" sqlite_sequence WHERE name IN ('runs', 'runs_5'))"
	" WHERE name = 'runs_5';"
	"DROP TABLE runs;"
	"ALTER TABLE runs_5 RENAME TO runs;"
	"CREATE INDEX runs_job_id ON runs (job, id);"
	"CREATE INDEX runs_unfinished ON runs (id) WHERE result IS NULL;"
	"CREATE TRIGGER runs_finished_insert AFTER INSERT ON runs"
	" WHEN NEW.result IS NOT NULL BEGIN"
	LEDGER_STATS_TRIGGER_BODY_5
	" END;"
	"CREATE TRIGGER runs_finished_update AFTER UPDATE OF result ON runs"
	" WHEN OLD.result IS NULL AND NEW.result IS NOT NULL BEGIN"
	LEDGER_STATS_TRIGGER_BODY_5
	" END;",
};

_Static_assert(ELEMENTSOF(ledger_migrations) == LEDGER_VERSION,
    "one migration step per schema version");

/* Maps an SQLite result code to -errno. */
static int
ledger_errno(struct ledger *l, int rc)
{
	int e = sqlite3_system_errno(l->db);

	switch (rc & 0xff) {
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EBADMSG;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_TOOBIG:
	case SQLITE_RANGE:
		return -EINVAL;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return e > 0 ? -e : -EIO;
	default:
		return -EIO;
	}
}

/* Reports SQLite's latest error on the connection; call before anything
 * else runs on it, which would replace the message. */
int
ledger_fail(struct ledger *l, int rc, const char *what, char **cause)
{
	if (cause)
		*cause = xstrfmt("ledger '%s': %s: %s", l->path, what,
		    sqlite3_errmsg(l->db));
	return ledger_errno(l, rc);
}

/* Refuses a file that is not ours; takes ownership of detail. */
static int
ledger_refuse(struct ledger *l, char *detail, char **cause)
{
	if (cause)
		*cause = xstrfmt("ledger '%s': not a jobd ledger (%s); "
		    "leaving it untouched", l->path, detail);
	free(detail);
	return -EBADMSG;
}

/* Steps a statement that returns no rows we need, then readies it for the
 * next use (dropping bindings that point into the caller's memory). */
int
ledger_exec_stmt(struct ledger *l, enum ledger_stmt id)
{
	sqlite3_stmt *st = l->stmt[id];
	int rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Reports rc and rolls back the transaction, if SQLite has not already. */
int
ledger_abort(struct ledger *l, int rc, const char *what, char **cause)
{
	int r;

	r = ledger_fail(l, rc, what, cause);
	if (!sqlite3_get_autocommit(l->db))
		(void)ledger_exec_stmt(l, ST_ROLLBACK);
	return r;
}

int
ledger_begin(struct ledger *l, char **cause)
{
	int rc;

	rc = ledger_exec_stmt(l, ST_BEGIN);
	if (rc != SQLITE_OK)
		return ledger_fail(l, rc, "cannot begin a transaction", cause);
	return 0;
}

int
ledger_commit(struct ledger *l, const char *what, char **cause)
{
	int rc;

	rc = ledger_exec_stmt(l, ST_COMMIT);
	if (rc != SQLITE_OK)
		return ledger_abort(l, rc, what, cause);
	return 0;
}


static int
ledger_query_int(struct ledger *l, const char *sql, long long *ret)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(l->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	return sqlite3_finalize(st);
}

/* PRAGMA quick_check: 0, or a refusal quoting the first problem. */
static int
ledger_quick_check(struct ledger *l, char **cause)
{
	sqlite3_stmt *st;
	char *detail = NULL;
	const char *msg;
	int rc;

	rc = sqlite3_prepare_v2(l->db, "PRAGMA quick_check(1)", -1, &st,
	    NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		msg = (const char *)sqlite3_column_text(st, 0);
		if (!msg || strcmp(msg, "ok"))
			detail = xstrfmt("damaged: %s", msg ? msg : "?");
	} else
		detail = xstrfmt("damaged: %s", sqlite3_errmsg(l->db));
	sqlite3_finalize(st);
	if (detail)
		return ledger_refuse(l, detail, cause);
	return 0;
}

/* Describes a database of another program by one of its tables. */
static char *
ledger_foreign(struct ledger *l)
{
	sqlite3_stmt *st;
	char *detail = NULL;

	if (sqlite3_prepare_v2(l->db, "SELECT name FROM sqlite_schema "
	    "ORDER BY name LIMIT 1", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		detail = xstrfmt("an SQLite database of another program, "
		    "with table '%s'", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return detail ? detail : xstrdup("an SQLite database of another "
	    "program");
}

/* Decides whether the file is empty (version 0), a jobd ledger (its
 * version), or something to refuse; only reads, never writes. */
static int
ledger_verify(struct ledger *l, int *ret_version, char **cause)
{
	long long app = 0, version = 0, objects = 0, tables = 0;
	int rc;

	rc = ledger_query_int(l, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK)
		rc = ledger_query_int(l, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = ledger_query_int(l, "SELECT count(*) FROM sqlite_schema",
		    &objects);
	if ((rc & 0xff) == SQLITE_NOTADB)
		return ledger_refuse(l, xstrdup("not an SQLite database"),
		    cause);
	if (rc != SQLITE_OK)
		return ledger_fail(l, rc, "cannot read", cause);
	if (app == 0 && version == 0 && objects == 0) {
		*ret_version = 0;
		return 0;
	}
	if (app == 0)
		return ledger_refuse(l, ledger_foreign(l), cause);
	if (app != LEDGER_APPLICATION_ID)
		return ledger_refuse(l, xstrfmt("an SQLite database with "
		    "application_id 0x%08llx, jobd's is 0x%08x", app,
		    LEDGER_APPLICATION_ID), cause);
	if (version > LEDGER_VERSION) {
		if (cause)
			*cause = xstrfmt("ledger '%s': schema version %lld is "
			    "newer than this jobd knows (%d); leaving it "
			    "untouched", l->path, version, LEDGER_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (version < 1)
		return ledger_refuse(l, xstrdup("no schema version"), cause);
	if ((rc = ledger_quick_check(l, cause)) < 0)
		return rc;
	rc = ledger_query_int(l, "SELECT count(*) FROM sqlite_schema WHERE "
	    "type = 'table' AND name IN ('runs', 'job_state', 'jobd_state')",
	    &tables);
	if (rc != SQLITE_OK)
		return ledger_fail(l, rc, "cannot read", cause);
	if (tables != (version >= 2 ? 3 : 2))
		return ledger_refuse(l, xstrdup("tables runs, job_state or "
		    "jobd_state missing"), cause);
	*ret_version = (int)version;
	return 0;
}

/* The file is ours: WAL, durability, and the page bound faults lower. */
static int
ledger_setup(struct ledger *l, bool sync_full, char **cause)
{
	const char *sync = sync_full ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL";
	int rc;

	sqlite3_db_config(l->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
	rc = sqlite3_exec(l->db, "PRAGMA journal_mode = WAL", NULL, NULL,
	    NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(l->db, sync, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = ledger_query_int(l, "PRAGMA max_page_count",
		    &l->max_page_count);
	if (rc != SQLITE_OK)
		return ledger_fail(l, rc, "cannot set up", cause);
	return 0;
}

/* Runs migration steps from version up to LEDGER_VERSION. */
static int
ledger_migrate(struct ledger *l, int version, char **cause)
{
	char *sql, *what;
	int rc, r;

	for (; version < LEDGER_VERSION; version++) {
		sql = xstrfmt("BEGIN IMMEDIATE; %s PRAGMA application_id = %d;"
		    " PRAGMA user_version = %d; COMMIT;",
		    ledger_migrations[version], LEDGER_APPLICATION_ID,
		    version + 1);
		rc = sqlite3_exec(l->db, sql, NULL, NULL, NULL);
		free(sql);
		if (rc == SQLITE_OK)
			continue;
		what = xstrfmt("cannot migrate schema %d to %d", version,
		    version + 1);
		r = ledger_fail(l, rc, what, cause);
		free(what);
		if (!sqlite3_get_autocommit(l->db))
			sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		return r;
	}
	return 0;
}

/* A new ledger is created 0600 here, not by SQLite (0644 less the umask):
 * it holds the output tail of every run.  SQLite gives the -wal and -shm
 * files it creates later the mode of the database file.  An existing file
 * is left as it is (the caller tightens its mode). */
static void
ledger_create_private(const char *path)
{
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd >= 0)
		close(fd);
	/* Any error is SQLite's to report, with its own words. */
}

int
ledger_open(const char *state_dir, bool sync_full, struct ledger **ret,
    char **cause)
{
	struct ledger *l = xcalloc(1, sizeof(*l));
	int rc, r, version = 0;

	l->path = xstrfmt("%s/%s", state_dir, LEDGER_FILE);
	ledger_create_private(l->path);
	rc = sqlite3_open_v2(l->path, &l->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		r = ledger_fail(l, rc, "cannot open", cause);
		ledger_close(l);
		return r;
	}
	sqlite3_busy_timeout(l->db, LEDGER_BUSY_TIMEOUT_MS);
	/* Until the file is known to be ours, closing must not checkpoint
	 * a foreign WAL into it. */
	sqlite3_db_config(l->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	if ((r = ledger_verify(l, &version, cause)) < 0 ||
	    (r = ledger_setup(l, sync_full, cause)) < 0 ||
	    (r = ledger_migrate(l, version, cause)) < 0 ||
	    (r = ledger_prepare(l, cause)) < 0) {
		ledger_close(l);
		return r;
	}
	*ret = l;
	return 0;
}

struct ledger *
ledger_close(struct ledger *l)
{
	int i;

	if (!l)
		return NULL;
	for (i = 0; i < ST_N; i++)
		sqlite3_finalize(l->stmt[i]);
	sqlite3_close_v2(l->db);
	free(l->path);
	free(l);
	return NULL;
}

const char *
ledger_path(const struct ledger *l)
{
	return l->path;
}


int
ledger_inject_fault(struct ledger *l, enum ledger_fault fault, char **cause)
{
	char *sql;
	int rc;

	switch (fault) {
	case LEDGER_FAULT_READONLY:
		sql = xstrdup("PRAGMA query_only = 1");
		break;
	case LEDGER_FAULT_FULL:
		/* SQLite never goes below the current size: no room left. */
		sql = xstrdup("PRAGMA max_page_count = 1");
		break;
	default:
		sql = xstrfmt("PRAGMA query_only = 0; "
		    "PRAGMA max_page_count = %lld", l->max_page_count);
		break;
	}
	rc = sqlite3_exec(l->db, sql, NULL, NULL, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return ledger_fail(l, rc, "inject fault", cause);
	return 0;
}
