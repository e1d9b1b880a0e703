/* Unit tests for the run ledger: migrations, batches, lost runs, queries,
 * retention, refusing files that are not ours, and write faults. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger.h"
#include "runner.h"
#include "xmalloc.h"

static char tmpdir[64];

static const char *
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-ledger-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(tmpdir));
	return tmpdir;
}

static void
cleanup(void)
{
	test_rm_tree(tmpdir);
}

static char *
db_path(void)
{
	return xstrfmt("%s/%s", tmpdir, LEDGER_FILE);
}

static struct ledger *
open_ok(void)
{
	struct ledger *l = NULL;
	char *cause = NULL;
	int r;

	r = ledger_open(tmpdir, false, &l, &cause);
	if (r < 0)
		test_fail(__FILE__, __LINE__, "open: %d %s", r, cause);
	ASSERT_NULL(cause);
	return l;
}

/* Reads one integer with a separate, raw SQLite connection. */
static long long
raw_int(const char *sql)
{
	char *path = db_path();
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v;

	ASSERT_EQ(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
	return v;
}

static void
raw_exec(const char *sql)
{
	char *path = db_path();
	sqlite3 *db;

	ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	ASSERT_EQ(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
	free(path);
}

static struct ledger_op
op_start(uint64_t id, const char *job, usec_t started, int pid)
{
	return (struct ledger_op){
		.type = LEDGER_OP_START,
		.run = {
			.id = id, .job = (char *)job, .trigger = "manual",
			.queued = started, .started = started, .pid = pid,
		},
	};
}

static struct ledger_op
op_complete(uint64_t id, const char *job, usec_t started, const char *result)
{
	struct ledger_op op = op_start(id, job, started, 100 + (int)id);

	op.type = LEDGER_OP_COMPLETE;
	op.run.ended = started + 5;
	op.run.duration = 5;
	op.run.has_exit = true;
	op.run.exit_code = strcmp(result, "success") ? 1 : 0;
	op.run.result = (char *)result;
	return op;
}

static void
write_ok(struct ledger *l, const struct ledger_op *ops, size_t n)
{
	char *cause = NULL;
	int r;

	r = ledger_write_batch(l, ops, n, &cause);
	if (r < 0)
		test_fail(__FILE__, __LINE__, "write: %d %s", r, cause);
}

static size_t
count_runs(struct ledger *l, const struct ledger_filter *f)
{
	struct ledger_run *runs;
	char *cause = NULL;
	size_t n;

	ASSERT_OK(ledger_query(l, f, &runs, &n, &cause));
	ledger_runs_free(runs, n);
	return n;
}

static bool
run_exists(struct ledger *l, uint64_t id)
{
	struct ledger_run run;
	char *cause = NULL;
	int r;

	r = ledger_get_run(l, id, &run, &cause);
	ASSERT(r == 0 || r == -ENOENT);
	ASSERT_NULL(cause);
	if (r == 0)
		ledger_run_free_contents(&run);
	return r == 0;
}

TEST(fresh_db_migrates_and_reopens)
{
	struct ledger *l;
	uint64_t max = 99;
	char *cause = NULL;

	setup();
	l = open_ok();
	ASSERT_OK(ledger_max_run_id(l, &max, &cause));
	ASSERT_EQ(max, 0);
	ASSERT(strstr(ledger_path(l), tmpdir) == ledger_path(l));
	l = ledger_close(l);
	ASSERT_NULL(l);
	ASSERT_EQ(raw_int("PRAGMA user_version"), LEDGER_VERSION);
	ASSERT_EQ(raw_int("PRAGMA application_id"), LEDGER_APPLICATION_ID);
	ASSERT_EQ(raw_int("SELECT count(*) FROM sqlite_schema WHERE "
	    "name IN ('runs', 'job_state', 'runs_job_id')"), 3);
	l = open_ok();
	ledger_close(l);
	ASSERT_EQ(raw_int("PRAGMA user_version"), LEDGER_VERSION);
	cleanup();
}

TEST(opens_in_wal_mode)
{
	unsigned char *hdr;
	char *path;
	size_t len;

	setup();
	ledger_close(open_ok());
	/* Header bytes 18 and 19 are 2 for a database in WAL mode. */
	path = db_path();
	hdr = (unsigned char *)test_read_file(path, &len);
	ASSERT(len >= 100);
	ASSERT_EQ(hdr[18], 2);
	ASSERT_EQ(hdr[19], 2);
	free(hdr);
	free(path);
	cleanup();
}

TEST(ids_continue_across_reopen_and_prune)
{
	struct ledger_op ops[5];
	struct ledger_prune p = { .max_age = 1, .now = 1000000 };
	struct ledger *l;
	uint64_t max = 0;
	size_t i, deleted = 0;
	char *cause = NULL;

	setup();
	l = open_ok();
	for (i = 0; i < 5; i++)
		ops[i] = op_complete(i + 1, "a", 100 + i, "success");
	write_ok(l, ops, 5);
	ledger_close(l);
	l = open_ok();
	ASSERT_OK(ledger_max_run_id(l, &max, &cause));
	ASSERT_EQ(max, 5);
	ASSERT_OK(ledger_prune(l, &p, &deleted, &cause));
	ASSERT_EQ(deleted, 5);
	ASSERT(!run_exists(l, 5));
	ledger_close(l);
	l = open_ok();
	ASSERT_OK(ledger_max_run_id(l, &max, &cause));
	ASSERT_EQ(max, 5);
	ledger_close(l);
	cleanup();
}

TEST(batch_of_1000_starts_and_completes)
{
	struct ledger_op *ops = xcalloc(2000, sizeof(*ops));
	struct ledger_filter all = { 0 }, failed = { .failed_only = true };
	struct ledger_run run;
	struct ledger *l;
	uint64_t max = 0;
	char *cause = NULL;
	size_t i;

	setup();
	l = open_ok();
	for (i = 0; i < 1000; i++) {
		ops[i] = op_start(i + 1, i % 2 ? "odd" : "even", 1000 + i, 7);
		ops[1000 + i] = op_complete(i + 1, i % 2 ? "odd" : "even",
		    1000 + i, i % 10 ? "success" : "failed");
	}
	write_ok(l, ops, 2000);
	ASSERT_EQ(count_runs(l, &all), 1000);
	ASSERT_EQ(count_runs(l, &failed), 100);
	ASSERT_OK(ledger_max_run_id(l, &max, &cause));
	ASSERT_EQ(max, 1000);
	ASSERT_OK(ledger_get_run(l, 10, &run, &cause));
	ASSERT_STREQ(run.job, "odd");
	ASSERT_STREQ(run.result, "success");
	ASSERT_EQ(run.ended, 1014);
	ASSERT_EQ(run.pid, 110);
	ledger_run_free_contents(&run);
	ledger_close(l);
	free(ops);
	cleanup();
}

TEST(run_fields_round_trip)
{
	static const char tail[] = "line one\nline\0two\n";
	struct ledger_op op = op_complete(42, "backup", 1000, "timeout");
	struct ledger_run run;
	struct ledger *l;
	char *cause = NULL;

	op.run.scheduled = 990;
	op.run.has_exit = false;
	op.run.signal = 9;
	op.run.reason = "timed out after 1s";
	op.run.peak_rss_kb = 12345;
	op.run.user_cpu = 111;
	op.run.system_cpu = 222;
	op.run.retry_of = 41;
	op.run.tail = (void *)tail;
	op.run.tail_len = sizeof(tail);
	setup();
	l = open_ok();
	write_ok(l, &op, 1);
	ASSERT_OK(ledger_get_run(l, 42, &run, &cause));
	ASSERT_EQ(run.id, 42);
	ASSERT_STREQ(run.trigger, "manual");
	ASSERT_EQ(run.scheduled, 990);
	ASSERT_EQ(run.queued, 1000);
	ASSERT_EQ(run.started, 1000);
	ASSERT_EQ(run.ended, 1005);
	ASSERT(!run.has_exit);
	ASSERT_EQ(run.signal, 9);
	ASSERT_STREQ(run.result, "timeout");
	ASSERT_STREQ(run.reason, "timed out after 1s");
	ASSERT_EQ(run.duration, 5);
	ASSERT_EQ(run.peak_rss_kb, 12345);
	ASSERT_EQ(run.user_cpu, 111);
	ASSERT_EQ(run.system_cpu, 222);
	ASSERT_EQ(run.retry_of, 41);
	ASSERT_EQ(run.tail_len, sizeof(tail));
	ASSERT(!memcmp(run.tail, tail, sizeof(tail)));
	ledger_run_free_contents(&run);
	ASSERT_EQ(ledger_get_run(l, 43, &run, &cause), -ENOENT);
	ASSERT_NULL(cause);
	ledger_close(l);
	cleanup();
}

TEST(start_replay_never_undoes_complete)
{
	struct ledger_op ops[2] = {
		op_complete(1, "a", 100, "success"),	/* START was lost */
		op_start(1, "a", 100, 5),		/* replayed late */
	};
	struct ledger_run run;
	struct ledger *l;
	char *cause = NULL;

	setup();
	l = open_ok();
	write_ok(l, ops, 2);
	write_ok(l, &ops[1], 1);
	ASSERT_OK(ledger_get_run(l, 1, &run, &cause));
	ASSERT_STREQ(run.result, "success");
	ASSERT_EQ(run.pid, 101);
	ledger_run_free_contents(&run);
	ledger_close(l);
	cleanup();
}

TEST(bad_op_refused_before_writing)
{
	struct ledger_op ops[2] = {
		op_start(1, "a", 100, 5),
		op_complete(2, "a", 100, "exploded"),
	};
	struct ledger *l;
	char *cause = NULL;

	setup();
	l = open_ok();
	ASSERT_EQ(ledger_write_batch(l, ops, 2, &cause), -EINVAL);
	ASSERT(strstr(cause, "op 1: unknown result"));
	free(cause);
	ASSERT(!run_exists(l, 1));
	ops[1] = op_start(0, "a", 100, 5);
	ASSERT_EQ(ledger_write_batch(l, ops, 2, &cause), -EINVAL);
	free(cause);
	ops[1] = op_complete(2, "a", 100, "success");
	ops[1].run.result = NULL;
	ASSERT_EQ(ledger_write_batch(l, ops, 2, &cause), -EINVAL);
	free(cause);
	ASSERT(!run_exists(l, 1));
	ledger_close(l);
	cleanup();
}

TEST(mark_lost_returns_unfinished_rows_once)
{
	struct ledger_op ops[5];
	struct ledger_lost *lost;
	struct ledger_run run;
	struct ledger *l;
	char *cause = NULL;
	size_t n, i;

	setup();
	l = open_ok();
	for (i = 0; i < 5; i++)
		ops[i] = op_start(i + 1, i < 3 ? "a" : "b", 100 + i,
		    1000 + (int)i);
	write_ok(l, ops, 5);
	ops[0] = op_complete(2, "a", 101, "success");
	ops[1] = op_complete(4, "b", 103, "failed");
	write_ok(l, ops, 2);
	ledger_close(l);

	l = open_ok();
	ASSERT_OK(ledger_mark_lost(l, "jobd stopped", &lost, &n, &cause));
	ASSERT_EQ(n, 3);
	ASSERT_EQ(lost[0].id, 1);
	ASSERT_EQ(lost[1].id, 3);
	ASSERT_EQ(lost[2].id, 5);
	ASSERT_EQ(lost[0].pid, 1000);
	ASSERT_EQ(lost[2].pid, 1004);
	ASSERT_STREQ(lost[1].job, "a");
	ASSERT_STREQ(lost[2].job, "b");
	ASSERT_EQ(lost[2].started, 104);
	/* What an alert of the lost run says: how it came, for which slot. */
	ASSERT_STREQ(lost[0].trigger, "manual");
	ASSERT_EQ(lost[0].scheduled, 0);
	ledger_lost_free(lost, n);
	ASSERT_OK(ledger_get_run(l, 3, &run, &cause));
	ASSERT_STREQ(run.result, "lost");
	ASSERT_STREQ(run.reason, "jobd stopped");
	ledger_run_free_contents(&run);
	ASSERT_OK(ledger_get_run(l, 4, &run, &cause));
	ASSERT_STREQ(run.result, "failed");
	ASSERT_NULL(run.reason);
	ledger_run_free_contents(&run);

	ASSERT_OK(ledger_mark_lost(l, "again", &lost, &n, &cause));
	ASSERT_EQ(n, 0);
	ledger_lost_free(lost, n);
	ASSERT_EQ(raw_int("SELECT count(*) FROM runs WHERE result = 'lost' "
	    "AND reason = 'jobd stopped'"), 3);
	ledger_close(l);
	cleanup();
}

/* Jobs a and b, interleaved; every third run of a fails; run 10 runs. */
static struct ledger *
open_history(void)
{
	struct ledger_op ops[10];
	struct ledger *l;
	size_t i;

	l = open_ok();
	for (i = 0; i < 9; i++)
		ops[i] = op_complete(i + 1, i % 2 ? "b" : "a", 1000 * (i + 1),
		    i % 2 == 0 && i % 3 == 0 ? "failed" : "success");
	ops[9] = op_start(10, "a", 10000, 1);
	write_ok(l, ops, 10);
	return l;
}

static void
query_expect(struct ledger *l, const struct ledger_filter *f,
    const uint64_t *ids, size_t nids)
{
	struct ledger_run *runs;
	char *cause = NULL;
	size_t n, i;

	ASSERT_OK(ledger_query(l, f, &runs, &n, &cause));
	ASSERT_EQ(n, nids);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(runs[i].id, ids[i]);
		ASSERT_NULL(runs[i].tail);
	}
	ledger_runs_free(runs, n);
}

TEST(query_filters_and_order)
{
	struct ledger *l;

	setup();
	l = open_history();
	query_expect(l, &(struct ledger_filter){ 0 },
	    (uint64_t[]){ 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 }, 10);
	query_expect(l, &(struct ledger_filter){ .job = "a" },
	    (uint64_t[]){ 10, 9, 7, 5, 3, 1 }, 6);
	query_expect(l, &(struct ledger_filter){ .job = "b", .limit = 2 },
	    (uint64_t[]){ 8, 6 }, 2);
	query_expect(l, &(struct ledger_filter){ .failed_only = true },
	    (uint64_t[]){ 7, 1 }, 2);
	query_expect(l, &(struct ledger_filter){ .job = "b",
	    .failed_only = true }, NULL, 0);
	query_expect(l, &(struct ledger_filter){ .since = 7000 },
	    (uint64_t[]){ 10, 9, 8, 7 }, 4);
	query_expect(l, &(struct ledger_filter){ .job = "a", .since = 4000,
	    .limit = 3 }, (uint64_t[]){ 10, 9, 7 }, 3);
	query_expect(l, &(struct ledger_filter){ .job = "nope" }, NULL, 0);
	ledger_close(l);
	cleanup();
}

TEST(prune_by_count_keeps_unfinished)
{
	struct ledger_prune p = { .job = "a", .max_runs = 2 };
	struct ledger_op op = op_start(11, "a", 100, 1);
	struct ledger *l;
	size_t deleted = 0;
	char *cause = NULL;

	setup();
	l = open_history();
	/* An old unfinished row: outside the newest 2, yet kept. */
	write_ok(l, &op, 1);
	ASSERT_OK(ledger_prune(l, &p, &deleted, &cause));
	/* a has 1 3 5 7 9 10 11; newest two are 11 and 10 (unfinished). */
	ASSERT_EQ(deleted, 5);
	query_expect(l, &(struct ledger_filter){ .job = "a" },
	    (uint64_t[]){ 11, 10 }, 2);
	query_expect(l, &(struct ledger_filter){ .job = "b" },
	    (uint64_t[]){ 8, 6, 4, 2 }, 4);
	p = (struct ledger_prune){ .max_runs = 1 };
	ASSERT_OK(ledger_prune(l, &p, &deleted, &cause));
	ASSERT_EQ(deleted, 3);
	query_expect(l, &(struct ledger_filter){ 0 },
	    (uint64_t[]){ 11, 10, 8 }, 3);
	ledger_close(l);
	cleanup();
}

TEST(prune_by_age_keeps_unfinished)
{
	struct ledger_prune p = { .max_age = 4500, .now = 10000 };
	struct ledger_op op = op_start(11, "b", 1, 1);
	struct ledger *l;
	size_t deleted = 0;
	char *cause = NULL;

	setup();
	l = open_history();
	write_ok(l, &op, 1);		/* ancient but unfinished */
	/* Rows ended before 5500 go: runs 1-5 ended at 1005..5005. */
	ASSERT_OK(ledger_prune(l, &p, &deleted, &cause));
	ASSERT_EQ(deleted, 5);
	query_expect(l, &(struct ledger_filter){ 0 },
	    (uint64_t[]){ 11, 10, 9, 8, 7, 6 }, 6);
	/* No bound at all deletes nothing. */
	p = (struct ledger_prune){ .now = 10000 };
	ASSERT_OK(ledger_prune(l, &p, &deleted, &cause));
	ASSERT_EQ(deleted, 0);
	ledger_close(l);
	cleanup();
}

static struct ledger_job_stats *
stats_ok(struct ledger *l, size_t *n)
{
	struct ledger_job_stats *v = NULL;
	char *cause = NULL;

	if (ledger_job_stats(l, &v, n, &cause) < 0)
		test_fail(__FILE__, __LINE__, "stats: %s", cause);
	return v;
}

static uint64_t
count_of(const struct ledger_job_stats *x, const char *result)
{
	return x->counts[ledger_result_index(result)];
}

/* Counts and the last verdict are kept as rows finish: once per row (a
 * COMPLETE replayed over a finished row counts nothing), skipped and
 * cancelled runs are no verdict, lost runs are, and pruning every row
 * keeps them all. */
TEST(job_stats_outlive_pruning)
{
	struct ledger_prune p = { .max_runs = 1 };
	struct ledger_op ops[] = {
		op_complete(1, "a", 100, "success"),
		op_complete(2, "a", 200, "failed"),
		op_complete(2, "a", 200, "failed"),	/* replayed */
		op_complete(3, "a", 300, "skipped"),
		op_complete(4, "b", 400, "cancelled"),
		op_start(5, "a", 500, 9),
	};
	struct ledger_job_stats *v;
	struct ledger_lost *lost;
	struct ledger *l;
	size_t n, nlost, deleted;
	char *cause = NULL;

	setup();
	l = open_ok();
	write_ok(l, ops, ELEMENTSOF(ops));
	v = stats_ok(l, &n);
	ASSERT_EQ(n, 2);
	ASSERT_STREQ(v[0].job, "a");
	ASSERT_EQ(count_of(&v[0], "success"), 1);
	ASSERT_EQ(count_of(&v[0], "failed"), 1);
	ASSERT_EQ(count_of(&v[0], "skipped"), 1);
	ASSERT_EQ(v[0].last_run, 2);
	ASSERT_STREQ(v[0].last_result, "failed");
	ASSERT_EQ(v[0].last_ended, 205);
	ASSERT_EQ(v[0].last_duration, 5);
	ASSERT_EQ(v[0].last_success, 105);
	/* Only a cancelled run: counted, no verdict. */
	ASSERT_STREQ(v[1].job, "b");
	ASSERT_EQ(count_of(&v[1], "cancelled"), 1);
	ASSERT_EQ(v[1].last_run, 0);
	ASSERT_NULL(v[1].last_result);
	ledger_job_stats_free(v, n);

	ASSERT_OK(ledger_mark_lost(l, "gone", &lost, &nlost, &cause));
	ledger_lost_free(lost, nlost);
	ASSERT_OK(ledger_prune(l, &p, &deleted, &cause));
	ASSERT_EQ(deleted, 3);
	v = stats_ok(l, &n);
	ASSERT_EQ(count_of(&v[0], "lost"), 1);
	ASSERT_EQ(count_of(&v[0], "success"), 1);
	ASSERT_EQ(v[0].last_run, 5);
	ASSERT_STREQ(v[0].last_result, "lost");
	ASSERT_EQ(v[0].last_success, 105);
	ledger_job_stats_free(v, n);
	ledger_close(l);
	cleanup();
}

/* A version 2 ledger with rows: the migration counts them and finds
 * each job's last verdict and success. */
TEST(job_stats_from_an_older_ledger)
{
	struct ledger_op ops[] = {
		op_complete(1, "a", 100, "success"),
		op_complete(2, "a", 200, "timeout"),
		op_complete(3, "a", 300, "skipped"),
	};
	struct ledger_job_stats *v;
	struct ledger *l;
	size_t n;

	setup();
	l = open_ok();
	write_ok(l, ops, ELEMENTSOF(ops));
	ledger_close(l);
	raw_exec("DROP TRIGGER runs_finished_insert;"
	    "DROP TRIGGER runs_finished_update;"
	    "DROP TABLE run_counts; DROP TABLE job_stats;"
	    "DROP TABLE alert_state; DROP TABLE alert_log;"
	    "DROP TABLE alert_counts; DROP TABLE events;"
	    "ALTER TABLE runs DROP COLUMN hook_of;"
	    "ALTER TABLE runs DROP COLUMN hook_of_job;"
	    "ALTER TABLE runs DROP COLUMN chain_first;"
	    "ALTER TABLE runs DROP COLUMN chain_first_job;"
	    "ALTER TABLE runs DROP COLUMN chain_depth;"
	    "PRAGMA user_version = 2;");
	l = open_ok();
	ASSERT_EQ(raw_int("PRAGMA user_version"), LEDGER_VERSION);
	v = stats_ok(l, &n);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(count_of(&v[0], "success"), 1);
	ASSERT_EQ(count_of(&v[0], "timeout"), 1);
	ASSERT_EQ(count_of(&v[0], "skipped"), 1);
	ASSERT_EQ(v[0].last_run, 2);
	ASSERT_STREQ(v[0].last_result, "timeout");
	ASSERT_EQ(v[0].last_success, 105);
	ledger_job_stats_free(v, n);
	ledger_close(l);
	cleanup();
}

TEST(job_state_upsert_and_get)
{
	struct ledger_op op = {
		.type = LEDGER_OP_JOB_STATE,
		.state = { .job = "a", .last_slot = 5, .skips_pending = 2 },
	};
	struct ledger_job_state js;
	struct ledger *l;
	char *cause = NULL;

	setup();
	l = open_ok();
	ASSERT_EQ(ledger_job_state_get(l, "a", &js, &cause), -ENOENT);
	ASSERT_NULL(cause);
	write_ok(l, &op, 1);
	op.state.last_slot = 6;
	op.state.paused_until = USEC_INFINITY;
	write_ok(l, &op, 1);
	ledger_close(l);
	l = open_ok();
	ASSERT_OK(ledger_job_state_get(l, "a", &js, &cause));
	ASSERT_STREQ(js.job, "a");
	ASSERT_EQ(js.last_slot, 6);
	ASSERT(js.paused_until == USEC_INFINITY);
	ASSERT_EQ(js.skips_pending, 2);
	ledger_job_state_free_contents(&js);
	ASSERT_EQ(ledger_job_state_get(l, "b", &js, &cause), -ENOENT);
	ledger_close(l);
	cleanup();
}

/* Alert states and events: written in a batch with runs, overwritten,
 * deleted, read back after a reopen in name order. */
TEST(alert_states_and_events_round_trip)
{
	struct ledger_op ops[] = {
		op_start(1, "a", 100, 5),
		{ .type = LEDGER_OP_ALERT_STATE, .alert = { .job = "b",
		    .failing = true, .since = 7 } },
		{ .type = LEDGER_OP_ALERT_STATE, .alert = { .job = "a",
		    .overdue = true, .since = 3, .overdue_since = 9 } },
		{ .type = LEDGER_OP_EVENT_SET, .event = { .name = "go",
		    .set = 11 } },
		{ .type = LEDGER_OP_EVENT_SET, .event = { .name = "done",
		    .set = 12 } },
	};
	struct ledger_op later[] = {
		{ .type = LEDGER_OP_ALERT_STATE, .alert = { .job = "b",
		    .since = 7 } },
		{ .type = LEDGER_OP_EVENT_CLEAR, .event = { .name = "go" } },
		{ .type = LEDGER_OP_EVENT_CLEAR, .event = { .name = "never" } },
		{ .type = LEDGER_OP_EVENT_SET, .event = { .name = "done",
		    .set = 13 } },
	};
	struct ledger_alert_state *a;
	struct ledger_event *e;
	struct ledger *l;
	char *cause = NULL;
	size_t n;

	setup();
	l = open_ok();
	ASSERT_OK(ledger_alert_states(l, &a, &n, &cause));
	ASSERT_EQ(n, 0);
	ledger_alert_states_free(a, n);
	write_ok(l, ops, ELEMENTSOF(ops));
	ASSERT_OK(ledger_events(l, &e, &n, &cause));
	ASSERT_EQ(n, 2);
	ASSERT_STREQ(e[0].name, "done");
	ASSERT_STREQ(e[1].name, "go");
	ASSERT_EQ(e[1].set, 11);
	ledger_events_free(e, n);
	write_ok(l, later, ELEMENTSOF(later));
	ledger_close(l);

	l = open_ok();
	ASSERT_OK(ledger_alert_states(l, &a, &n, &cause));
	ASSERT_EQ(n, 2);
	ASSERT_STREQ(a[0].job, "a");
	ASSERT(!a[0].failing && a[0].overdue);
	ASSERT_EQ(a[0].since, 3);
	ASSERT_EQ(a[0].overdue_since, 9);
	ASSERT_STREQ(a[1].job, "b");
	ASSERT(!a[1].failing && !a[1].overdue);
	ASSERT_EQ(a[1].since, 7);
	ASSERT_EQ(a[1].overdue_since, 0);
	ledger_alert_states_free(a, n);
	ASSERT_OK(ledger_events(l, &e, &n, &cause));
	ASSERT_EQ(n, 1);
	ASSERT_STREQ(e[0].name, "done");
	ASSERT_EQ(e[0].set, 13);
	ledger_events_free(e, n);
	ASSERT(run_exists(l, 1));
	ledger_close(l);
	cleanup();
}

/* A nameless alert state or event is refused with the whole batch. */
TEST(bad_alert_ops_refused_before_writing)
{
	struct ledger_op ops[2] = {
		op_start(1, "a", 100, 5),
		{ .type = LEDGER_OP_ALERT_STATE, .alert = { .job = "" } },
	};
	struct ledger *l;
	char *cause = NULL;

	setup();
	l = open_ok();
	ASSERT_EQ(ledger_write_batch(l, ops, 2, &cause), -EINVAL);
	ASSERT(strstr(cause, "op 1: no job name"));
	free(cause);
	cause = NULL;
	ops[1] = (struct ledger_op){ .type = LEDGER_OP_EVENT_SET };
	ASSERT_EQ(ledger_write_batch(l, ops, 2, &cause), -EINVAL);
	ASSERT(strstr(cause, "op 1: no event name"));
	free(cause);
	cause = NULL;
	ops[1] = (struct ledger_op){ .type = LEDGER_OP_NTYPES };
	ASSERT_EQ(ledger_write_batch(l, ops, 2, &cause), -EINVAL);
	ASSERT(strstr(cause, "op 1: unknown op type"));
	free(cause);
	ASSERT(!run_exists(l, 1));
	ledger_close(l);
	cleanup();
}

/* Opens a file that must be refused with r; checks it is left as it was. */
static void
refused_untouched(int expect, const char *what)
{
	struct ledger *l = NULL;
	char *path = db_path(), *cause = NULL, *want;
	void *before, *after;
	size_t nbefore, nafter;

	before = test_read_file(path, &nbefore);
	ASSERT_EQ(ledger_open(tmpdir, false, &l, &cause), expect);
	ASSERT_NULL(l);
	ASSERT_NOT_NULL(cause);
	want = xstrfmt("ledger '%s': ", path);
	ASSERT(strstr(cause, want) == cause);
	if (!strstr(cause, what))
		test_fail(__FILE__, __LINE__, "'%s' lacks '%s'", cause, what);
	after = test_read_file(path, &nafter);
	ASSERT_EQ(nafter, nbefore);
	ASSERT(!memcmp(before, after, nbefore));
	free(before);
	free(after);
	free(want);
	free(cause);
	free(path);
}

/* A foreign database in WAL mode whose last commit is still in the WAL:
 * checkpointing it on close would rewrite the main file. */
static void
raw_foreign_wal(void)
{
	char *path = db_path();
	sqlite3 *db;

	ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	ASSERT_EQ(sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
	    NULL), SQLITE_OK);
	ASSERT_EQ(sqlite3_exec(db, "PRAGMA journal_mode = WAL;"
	    "PRAGMA wal_autocheckpoint = 0;"
	    "CREATE TABLE bar (y); INSERT INTO bar VALUES (2);",
	    NULL, NULL, NULL), SQLITE_OK);
	ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
	free(path);
}

TEST(foreign_sqlite_file_refused)
{
	setup();
	raw_exec("CREATE TABLE foo (x); INSERT INTO foo VALUES (1);");
	refused_untouched(-EBADMSG, "not a jobd ledger (");
	ASSERT_EQ(raw_int("SELECT x FROM foo"), 1);
	ASSERT_EQ(raw_int("PRAGMA user_version"), 0);
	raw_exec("PRAGMA application_id = 42; PRAGMA user_version = 1;"
	    "PRAGMA journal_mode = WAL;");
	refused_untouched(-EBADMSG, "application_id 0x0000002a");
	cleanup();
	setup();
	raw_foreign_wal();
	refused_untouched(-EBADMSG, "table 'bar'");
	ASSERT_EQ(raw_int("SELECT y FROM bar"), 2);
	cleanup();
}

TEST(garbage_file_refused)
{
	char *path;
	char buf[8192];
	size_t i;
	int fd;

	setup();
	srand(7);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)rand();
	path = db_path();
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ASSERT(fd >= 0);
	ASSERT_EQ(write(fd, buf, sizeof(buf)), sizeof(buf));
	close(fd);
	refused_untouched(-EBADMSG, "not an SQLite database");
	free(path);
	cleanup();
}

TEST(newer_schema_refused)
{
	struct ledger *l;

	setup();
	l = open_ok();
	ledger_close(l);
	raw_exec("PRAGMA user_version = 999");
	refused_untouched(-EPROTONOSUPPORT, "schema version 999 is newer");
	ASSERT_EQ(raw_int("PRAGMA user_version"), 999);
	cleanup();
}

TEST(damaged_ledger_refused)
{
	struct ledger_op *ops = xcalloc(200, sizeof(*ops));
	struct ledger *l;
	char junk[4096], *path;
	size_t i;
	int fd;

	setup();
	l = open_ok();
	for (i = 0; i < 200; i++)
		ops[i] = op_complete(i + 1, "a", 100 + i, "success");
	write_ok(l, ops, 200);
	ledger_close(l);		/* checkpoints the WAL into the file */
	memset(junk, 0xa5, sizeof(junk));
	path = db_path();
	fd = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT(fd >= 0);
	ASSERT_EQ(pwrite(fd, junk, sizeof(junk), 4096 * 3), sizeof(junk));
	close(fd);
	refused_untouched(-EBADMSG, "not a jobd ledger (damaged");
	free(path);
	free(ops);
	cleanup();
}

/* A write fault fails the whole batch, keeps older rows, and lifts. */
static void
fault_then_recover(enum ledger_fault fault, int expect, const char *what)
{
	static char big[8192];
	struct ledger_op ops[3] = {
		op_start(1, "a", 100, 5),
		op_start(2, "a", 101, 6),
		op_complete(1, "a", 100, "success"),
	};
	struct ledger *l;
	char *cause = NULL;

	setup();
	l = open_ok();
	write_ok(l, ops, 1);
	ASSERT_OK(ledger_inject_fault(l, fault, &cause));
	ops[2].run.tail = big;	/* needs new pages */
	ops[2].run.tail_len = sizeof(big);
	ASSERT_EQ(ledger_write_batch(l, &ops[1], 2, &cause), expect);
	ASSERT_NOT_NULL(cause);
	if (!strstr(cause, ledger_path(l)) || !strstr(cause, what))
		test_fail(__FILE__, __LINE__, "cause '%s'", cause);
	free(cause);
	cause = NULL;
	ASSERT(run_exists(l, 1));
	ASSERT(!run_exists(l, 2));
	ASSERT_EQ(count_runs(l, &(struct ledger_filter){ 0 }), 1);
	ASSERT_OK(ledger_inject_fault(l, LEDGER_FAULT_NONE, &cause));
	write_ok(l, &ops[1], 2);
	ASSERT(run_exists(l, 2));
	ASSERT_EQ(count_runs(l, &(struct ledger_filter){ .job = "a" }), 2);
	ledger_close(l);
	cleanup();
}

TEST(read_only_write_fails_then_recovers)
{
	fault_then_recover(LEDGER_FAULT_READONLY, -EROFS, "readonly");
}

TEST(full_write_fails_then_recovers)
{
	fault_then_recover(LEDGER_FAULT_FULL, -ENOSPC, "full");
}

TEST(mark_lost_fails_cleanly_when_read_only)
{
	struct ledger_op op = op_start(1, "a", 100, 5);
	struct ledger_lost *lost = NULL;
	struct ledger *l;
	char *cause = NULL;
	size_t n = 0;

	setup();
	l = open_ok();
	write_ok(l, &op, 1);
	ASSERT_OK(ledger_inject_fault(l, LEDGER_FAULT_READONLY, &cause));
	ASSERT_EQ(ledger_mark_lost(l, "x", &lost, &n, &cause), -EROFS);
	ASSERT_NOT_NULL(cause);
	free(cause);
	ASSERT_NULL(lost);
	ASSERT_OK(ledger_inject_fault(l, LEDGER_FAULT_NONE, &cause));
	ASSERT_OK(ledger_mark_lost(l, "x", &lost, &n, &cause));
	ASSERT_EQ(n, 1);
	ledger_lost_free(lost, n);
	ledger_close(l);
	cleanup();
}

TEST(missing_state_dir_is_an_error)
{
	struct ledger *l = NULL;
	char *cause = NULL;
	int r;

	r = ledger_open("/nonexistent/jobd-state", false, &l, &cause);
	ASSERT(r < 0);
	ASSERT_NULL(l);
	ASSERT(strstr(cause, "/nonexistent/jobd-state/ledger.db"));
	free(cause);
}

static const struct test tests[] = {
	TEST_ENTRY(fresh_db_migrates_and_reopens),
	TEST_ENTRY(opens_in_wal_mode),
	TEST_ENTRY(ids_continue_across_reopen_and_prune),
	TEST_ENTRY(batch_of_1000_starts_and_completes),
	TEST_ENTRY(run_fields_round_trip),
	TEST_ENTRY(start_replay_never_undoes_complete),
	TEST_ENTRY(bad_op_refused_before_writing),
	TEST_ENTRY(mark_lost_returns_unfinished_rows_once),
	TEST_ENTRY(query_filters_and_order),
	TEST_ENTRY(prune_by_count_keeps_unfinished),
	TEST_ENTRY(prune_by_age_keeps_unfinished),
	TEST_ENTRY(job_stats_outlive_pruning),
	TEST_ENTRY(job_stats_from_an_older_ledger),
	TEST_ENTRY(job_state_upsert_and_get),
	TEST_ENTRY(alert_states_and_events_round_trip),
	TEST_ENTRY(bad_alert_ops_refused_before_writing),
	TEST_ENTRY(foreign_sqlite_file_refused),
	TEST_ENTRY(garbage_file_refused),
	TEST_ENTRY(newer_schema_refused),
	TEST_ENTRY(damaged_ledger_refused),
	TEST_ENTRY(read_only_write_fails_then_recovers),
	TEST_ENTRY(full_write_fails_then_recovers),
	TEST_ENTRY(mark_lost_fails_cleanly_when_read_only),
	TEST_ENTRY(missing_state_dir_is_an_error),
};

TEST_MAIN(tests)
