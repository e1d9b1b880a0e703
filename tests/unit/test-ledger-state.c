/* Unit tests for the ledger's own state (schema 2): the instance id, the
 * run id reservation, the private file modes, the migrations from schema 1
 * and from schema 3 (the result oom), lost rows without an end and rows
 * written from a run's queueing. */
#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger.h"
#include "runner.h"
#include "xmalloc.h"

static char tmpdir[64];

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-ledger-state-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(tmpdir));
}

static void
cleanup(void)
{
	test_rm_tree(tmpdir);
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
	return l;
}

static void
raw_exec(const char *sql)
{
	char *path = xstrfmt("%s/%s", tmpdir, LEDGER_FILE);
	sqlite3 *db;

	ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	ASSERT_EQ(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
	free(path);
}

static struct ledger_meta
meta_of(struct ledger *l)
{
	struct ledger_meta m = { 0 };
	char *cause = NULL;

	ASSERT_OK(ledger_meta_get(l, &m, &cause));
	ASSERT_NOT_NULL(m.instance);
	return m;
}

static int
mode_of(const char *suffix)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s%s", tmpdir, LEDGER_FILE, suffix);
	if (stat(path, &st) < 0)
		return -1;
	return (int)(st.st_mode & 07777);
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

static struct ledger_op
op_start(uint64_t id, usec_t started, int pid)
{
	return (struct ledger_op){
		.type = LEDGER_OP_START,
		.run = {
			.id = id, .job = "a", .trigger = "manual",
			.queued = 100, .started = started, .pid = pid,
		},
	};
}

TEST(files_are_private_whatever_the_umask)
{
	struct ledger_op op = op_start(1, 200, 5);
	mode_t old = umask(0);
	struct ledger *l;

	setup();
	l = open_ok();
	write_ok(l, &op, 1);
	ASSERT_EQ(mode_of(""), 0600);
	ASSERT_EQ(mode_of("-wal"), 0600);
	ASSERT_EQ(mode_of("-shm"), 0600);
	ledger_close(l);
	umask(old);
	cleanup();
}

TEST(instance_is_random_and_kept)
{
	struct ledger_meta a, b;
	struct ledger *l;

	setup();
	l = open_ok();
	a = meta_of(l);
	ASSERT_EQ(strlen(a.instance), 32);
	ASSERT_EQ(strspn(a.instance, "0123456789abcdef"), 32);
	ASSERT_EQ(a.reserved, 0);
	ASSERT_EQ(a.base, 0);
	ledger_close(l);
	l = open_ok();
	b = meta_of(l);
	ASSERT_STREQ(a.instance, b.instance);
	ledger_meta_free_contents(&b);
	ledger_close(l);
	cleanup();
	/* Another state directory, another instance. */
	setup();
	l = open_ok();
	b = meta_of(l);
	ASSERT(strcmp(a.instance, b.instance) != 0);
	ledger_meta_free_contents(&a);
	ledger_meta_free_contents(&b);
	ASSERT_OK(ledger_set_instance(l, "feedface", NULL));
	a = meta_of(l);
	ASSERT_STREQ(a.instance, "feedface");
	ledger_meta_free_contents(&a);
	ledger_close(l);
	cleanup();
}

TEST(reservation_rises_and_is_set_at_a_clean_stop)
{
	struct ledger_meta m;
	struct ledger *l;
	char *cause = NULL;

	setup();
	l = open_ok();
	ASSERT_OK(ledger_ids_begin(l, 5, 100, &cause));
	m = meta_of(l);
	ASSERT_EQ(m.base, 5);
	ASSERT_EQ(m.reserved, 100);
	ledger_meta_free_contents(&m);
	/* Never lowered by a reservation, nor by a new beginning. */
	ASSERT_OK(ledger_reserve_ids(l, 50, false, &cause));
	ASSERT_OK(ledger_ids_begin(l, 7, 60, &cause));
	m = meta_of(l);
	ASSERT_EQ(m.reserved, 100);
	ASSERT_EQ(m.base, 7);
	ledger_meta_free_contents(&m);
	ASSERT_OK(ledger_reserve_ids(l, 200, false, &cause));
	ASSERT_OK(ledger_reserve_ids(l, 42, true, &cause));
	ledger_close(l);
	l = open_ok();
	m = meta_of(l);
	ASSERT_EQ(m.reserved, 42);
	ledger_meta_free_contents(&m);
	ASSERT_EQ(ledger_ids_begin(l, 10, 9, &cause), -EINVAL);
	ASSERT_NOT_NULL(cause);
	free(cause);
	cause = NULL;
	ASSERT_EQ(ledger_reserve_ids(l, (uint64_t)INT64_MAX + 1, false,
	    &cause), -EINVAL);
	free(cause);
	ledger_close(l);
	cleanup();
}

TEST(schema_1_migrates_with_runs_kept)
{
	struct ledger_op op = op_start(7, 200, 5);
	struct ledger_meta m;
	struct ledger *l;
	uint64_t max = 0;
	bool exists = false;

	setup();
	l = open_ok();
	write_ok(l, &op, 1);
	ledger_close(l);
	/* What jobd before schema 2 left (without schema 3's tables and
	 * schema 4's columns). */
	raw_exec("DROP TABLE jobd_state; DROP TRIGGER runs_finished_insert;"
	    "DROP TRIGGER runs_finished_update; DROP TABLE run_counts;"
	    "DROP TABLE job_stats; DROP TABLE alert_state;"
	    "DROP TABLE alert_log; DROP TABLE alert_counts; DROP TABLE events;"
	    "ALTER TABLE runs DROP COLUMN hook_of;"
	    "ALTER TABLE runs DROP COLUMN hook_of_job;"
	    "ALTER TABLE runs DROP COLUMN chain_first;"
	    "ALTER TABLE runs DROP COLUMN chain_first_job;"
	    "ALTER TABLE runs DROP COLUMN chain_depth;"
	    "PRAGMA user_version = 1");
	l = open_ok();
	m = meta_of(l);
	ASSERT_EQ(strlen(m.instance), 32);
	ASSERT_EQ(m.reserved, 0);
	ledger_meta_free_contents(&m);
	ASSERT_OK(ledger_max_run_id(l, &max, NULL));
	ASSERT_EQ(max, 7);
	ASSERT_OK(ledger_run_exists(l, 7, &exists, NULL));
	ASSERT(exists);
	ASSERT_OK(ledger_run_exists(l, 8, &exists, NULL));
	ASSERT(!exists);
	ledger_close(l);
	cleanup();
}

static long long
raw_int(const char *sql)
{
	char *path = xstrfmt("%s/%s", tmpdir, LEDGER_FILE);
	sqlite3_stmt *st;
	long long v = -1;
	sqlite3 *db;

	ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
	free(path);
	return v;
}

/* Schema 3's runs table refuses 'oom'; migrations 4 (the hook chain's
 * columns) and 5 copy it into one that takes it, with its rows, AUTOINCREMENT's counter, indexes and the
 * counting triggers. */
TEST(schema_3_migrates_to_take_oom)
{
	struct ledger_op op = op_start(7, 200, 5);
	struct ledger *l;

	setup();
	l = open_ok();
	write_ok(l, &op, 1);
	ledger_close(l);
	raw_exec("CREATE TABLE r3 ("
	    " id INTEGER PRIMARY KEY AUTOINCREMENT, job TEXT NOT NULL,"
	    " \"trigger\" TEXT, scheduled_usec INTEGER, queued_usec INTEGER,"
	    " started_usec INTEGER, ended_usec INTEGER, pid INTEGER,"
	    " exit_code INTEGER, signal INTEGER, result TEXT CHECK (result IN"
	    " ('success', 'failed', 'timeout', 'cancelled', 'lost',"
	    " 'skipped')), reason TEXT, duration_usec INTEGER,"
	    " peak_rss_kb INTEGER, user_cpu_usec INTEGER,"
	    " system_cpu_usec INTEGER, output_tail BLOB, retry_of INTEGER);"
	    "INSERT INTO r3 SELECT id, job, \"trigger\", scheduled_usec,"
	    " queued_usec, started_usec, ended_usec, pid, exit_code, signal,"
	    " result, reason, duration_usec, peak_rss_kb, user_cpu_usec,"
	    " system_cpu_usec, output_tail, retry_of FROM runs;"
	    " DROP TABLE runs;"
	    "ALTER TABLE r3 RENAME TO runs;"
	    "UPDATE sqlite_sequence SET seq = 500 WHERE name = 'runs';"
	    "PRAGMA user_version = 3;");
	ASSERT_EQ(raw_int("SELECT count(*) FROM sqlite_master WHERE type ="
	    " 'trigger'"), 1);		/* alert_log's only */
	l = open_ok();
	ASSERT_EQ(raw_int("PRAGMA user_version"), LEDGER_VERSION);
	ASSERT_EQ(raw_int("SELECT pid FROM runs WHERE id = 7"), 5);
	ASSERT_EQ(raw_int("SELECT seq FROM sqlite_sequence WHERE name ="
	    " 'runs'"), 500);
	ASSERT_EQ(raw_int("SELECT count(*) FROM sqlite_master WHERE type ="
	    " 'index' AND name IN ('runs_job_id', 'runs_unfinished')"), 2);
	op.type = LEDGER_OP_COMPLETE;
	op.run.ended = 300;
	op.run.has_exit = true;
	op.run.signal = 9;
	op.run.result = "oom";
	op.run.reason = "killed by the OOM killer at memory_max=1.0M";
	write_ok(l, &op, 1);
	ledger_close(l);
	ASSERT_EQ(raw_int("SELECT count(*) FROM runs WHERE id = 7 AND"
	    " result = 'oom'"), 1);
	/* The triggers count it and make it the job's last verdict. */
	ASSERT_EQ(raw_int("SELECT n FROM run_counts WHERE job = 'a' AND"
	    " result = 'oom'"), 1);
	ASSERT_EQ(raw_int("SELECT last_run FROM job_stats WHERE job = 'a'"
	    " AND last_result = 'oom'"), 7);
	cleanup();
}

TEST(schema_2_without_its_table_refused)
{
	struct ledger *l = NULL;
	char *cause = NULL;

	setup();
	ledger_close(open_ok());
	raw_exec("DROP TABLE jobd_state");
	ASSERT_EQ(ledger_open(tmpdir, false, &l, &cause), -EBADMSG);
	ASSERT(strstr(cause, "jobd_state"));
	free(cause);
	cleanup();
}

TEST(queued_row_takes_its_start_never_over_a_result)
{
	struct ledger_op ops[3] = {
		op_start(1, 0, 0),		/* queued */
		op_start(1, 300, 42),		/* started */
	};
	struct ledger_run run;
	struct ledger *l;

	setup();
	l = open_ok();
	write_ok(l, &ops[0], 1);
	ASSERT_OK(ledger_get_run(l, 1, &run, NULL));
	ASSERT_EQ(run.started, 0);
	ASSERT_EQ(run.pid, 0);
	ledger_run_free_contents(&run);
	write_ok(l, &ops[1], 1);
	ASSERT_OK(ledger_get_run(l, 1, &run, NULL));
	ASSERT_EQ(run.started, 300);
	ASSERT_EQ(run.pid, 42);
	ASSERT_NULL(run.result);
	ledger_run_free_contents(&run);
	ops[2] = op_start(1, 300, 42);
	ops[2].type = LEDGER_OP_COMPLETE;
	ops[2].run.result = "success";
	ops[2].run.ended = 400;
	write_ok(l, &ops[2], 1);
	write_ok(l, &ops[0], 1);	/* a late replay */
	ASSERT_OK(ledger_get_run(l, 1, &run, NULL));
	ASSERT_STREQ(run.result, "success");
	ASSERT_EQ(run.started, 300);
	ASSERT_EQ(run.ended, 400);
	ledger_run_free_contents(&run);
	ledger_close(l);
	cleanup();
}

TEST(lost_row_has_no_end)
{
	struct ledger_op op = op_start(3, 300, 42);
	struct ledger_lost *lost = NULL;
	struct ledger_run run;
	struct ledger *l;
	size_t n = 0;

	setup();
	l = open_ok();
	op.run.ended = 999;	/* a START never says when it ended */
	op.run.duration = 5;
	write_ok(l, &op, 1);
	ASSERT_OK(ledger_mark_lost(l, "gone", &lost, &n, NULL));
	ASSERT_EQ(n, 1);
	ledger_lost_free(lost, n);
	ASSERT_OK(ledger_get_run(l, 3, &run, NULL));
	ASSERT_STREQ(run.result, "lost");
	ASSERT_EQ(run.ended, 0);
	ASSERT_EQ(run.duration, 0);
	ASSERT_EQ(run.started, 300);
	ledger_run_free_contents(&run);
	ledger_close(l);
	cleanup();
}

static const struct test tests[] = {
	TEST_ENTRY(files_are_private_whatever_the_umask),
	TEST_ENTRY(instance_is_random_and_kept),
	TEST_ENTRY(reservation_rises_and_is_set_at_a_clean_stop),
	TEST_ENTRY(schema_1_migrates_with_runs_kept),
	TEST_ENTRY(schema_3_migrates_to_take_oom),
	TEST_ENTRY(schema_2_without_its_table_refused),
	TEST_ENTRY(queued_row_takes_its_start_never_over_a_result),
	TEST_ENTRY(lost_row_has_no_end),
};

TEST_MAIN(tests)
