/* Unit tests for a hook's chain in the ledger (schema 4 on): the run that
 * started a hook's run and its chain's first run, with their jobs and the
 * depth, round trip through a queued row, its completion, ledger_get_run
 * and ledger_query; a run no hook started keeps them empty; a schema 3
 * ledger migrates with its rows kept and chains empty. */
#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#include "ledger.h"
#include "runner.h"
#include "xmalloc.h"

static char tmpdir[64];

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-ledger-chain-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(tmpdir));
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

static void
write_ok(struct ledger *l, const struct ledger_op *ops, size_t n)
{
	char *cause = NULL;
	int r;

	r = ledger_write_batch(l, ops, n, &cause);
	if (r < 0)
		test_fail(__FILE__, __LINE__, "write: %d %s", r, cause);
}

/* Run id of job, a hook two deep when chained. */
static struct ledger_op
op_run(enum ledger_op_type type, uint64_t id, const char *job, bool chained)
{
	struct ledger_op op = {
		.type = type,
		.run = { .id = id, .job = (char *)job, .trigger = "dependency",
		    .queued = 100 * id, .started = 100 * id + 1 },
	};

	if (type == LEDGER_OP_COMPLETE) {
		op.run.ended = 100 * id + 5;
		op.run.result = (char *)"success";
	}
	if (chained) {
		op.run.hook_of = id - 1;
		op.run.hook_of_job = (char *)"b";
		op.run.chain_first = id - 2;
		op.run.chain_first_job = (char *)"a";
		op.run.chain_depth = 2;
	}
	return op;
}

static void
assert_chain(const struct ledger_run *r, bool chained)
{
	if (!chained) {
		ASSERT_EQ(r->hook_of, 0);
		ASSERT_NULL(r->hook_of_job);
		ASSERT_EQ(r->chain_first, 0);
		ASSERT_NULL(r->chain_first_job);
		ASSERT_EQ(r->chain_depth, 0);
		return;
	}
	ASSERT_EQ(r->hook_of, r->id - 1);
	ASSERT_STREQ(r->hook_of_job, "b");
	ASSERT_EQ(r->chain_first, r->id - 2);
	ASSERT_STREQ(r->chain_first_job, "a");
	ASSERT_EQ(r->chain_depth, 2);
}

TEST(chain_round_trips)
{
	struct ledger_op ops[] = {
		op_run(LEDGER_OP_COMPLETE, 1, "a", false),
		op_run(LEDGER_OP_START, 3, "c", true),
		op_run(LEDGER_OP_COMPLETE, 3, "c", true),
		op_run(LEDGER_OP_START, 4, "d", true),
	};
	struct ledger_filter f = { .job = "c" };
	struct ledger_run run, *runs = NULL;
	struct ledger *l;
	char *cause = NULL;
	size_t n = 0;

	setup();
	l = open_ok();
	write_ok(l, ops, ELEMENTSOF(ops));
	ASSERT_OK(ledger_get_run(l, 1, &run, &cause));
	assert_chain(&run, false);
	ledger_run_free_contents(&run);
	/* Queued (START) only: the chain is there before the end. */
	ASSERT_OK(ledger_get_run(l, 4, &run, &cause));
	ASSERT_NULL(run.result);
	assert_chain(&run, true);
	ledger_run_free_contents(&run);
	ASSERT_OK(ledger_get_run(l, 3, &run, &cause));
	ASSERT_STREQ(run.result, "success");
	assert_chain(&run, true);
	ledger_run_free_contents(&run);
	ASSERT_OK(ledger_query(l, &f, &runs, &n, &cause));
	ASSERT_EQ(n, 1);
	assert_chain(&runs[0], true);
	ledger_runs_free(runs, n);
	ledger_close(l);
	test_rm_tree(tmpdir);
}

TEST(schema_3_migrates_with_rows_kept)
{
	struct ledger_op ops[] = {
		op_run(LEDGER_OP_COMPLETE, 5, "a", false),
		op_run(LEDGER_OP_COMPLETE, 7, "c", true),
	};
	struct ledger_run run;
	struct ledger *l;
	char *cause = NULL;

	setup();
	l = open_ok();
	write_ok(l, ops, 1);
	ledger_close(l);
	raw_exec("ALTER TABLE runs DROP COLUMN hook_of;"
	    "ALTER TABLE runs DROP COLUMN hook_of_job;"
	    "ALTER TABLE runs DROP COLUMN chain_first;"
	    "ALTER TABLE runs DROP COLUMN chain_first_job;"
	    "ALTER TABLE runs DROP COLUMN chain_depth;"
	    "PRAGMA user_version = 3");
	l = open_ok();
	ASSERT_OK(ledger_get_run(l, 5, &run, &cause));
	ASSERT_STREQ(run.job, "a");
	ASSERT_STREQ(run.result, "success");
	assert_chain(&run, false);
	ledger_run_free_contents(&run);
	write_ok(l, &ops[1], 1);
	ASSERT_OK(ledger_get_run(l, 7, &run, &cause));
	assert_chain(&run, true);
	ledger_run_free_contents(&run);
	ledger_close(l);
	test_rm_tree(tmpdir);
}

static const struct test tests[] = {
	TEST_ENTRY(chain_round_trips),
	TEST_ENTRY(schema_3_migrates_with_rows_kept),
};

TEST_MAIN(tests)
