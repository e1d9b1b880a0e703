/* Unit tests for what schema 4 of the ledger keeps: a run's parameters,
 * appended arguments, and who started and cancelled it; and that a
 * version 3 ledger (made the way jobd made it before) migrates in place,
 * its rows kept, with nobody recorded for them. */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "ledger.h"
#include "ledger-schema.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

static char tmpdir[] = "/tmp/jobd-ledger-audit-XXXXXX";

static struct ledger *
open_ok(void)
{
	struct ledger *l = NULL;
	char *cause = NULL;

	if (ledger_open(tmpdir, false, &l, &cause) < 0)
		test_fail(__FILE__, __LINE__, "open: %s", cause);
	return l;
}

static void
raw_exec(const char *sql)
{
	char *path = xstrfmt("%s/%s", tmpdir, LEDGER_FILE);
	sqlite3 *db;

	ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		test_fail(__FILE__, __LINE__, "%s", sqlite3_errmsg(db));
	ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
	free(path);
}

static void
write_ok(struct ledger *l, const struct ledger_op *op)
{
	char *cause = NULL;

	if (ledger_write_batch(l, op, 1, &cause) < 0)
		test_fail(__FILE__, __LINE__, "write: %s", cause);
}

static struct ledger_op
op_run(uint64_t id, const char *result)
{
	return (struct ledger_op){ .type = LEDGER_OP_COMPLETE, .run = {
	    .id = id, .job = "a", .trigger = "manual", .queued = 10,
	    .started = 10, .ended = 20, .result = (char *)result } };
}

static void
get_ok(struct ledger *l, uint64_t id, struct ledger_run *run)
{
	char *cause = NULL;

	if (ledger_get_run(l, id, run, &cause) < 0)
		test_fail(__FILE__, __LINE__, "get: %s", cause);
}

TEST(audit_fields_round_trip)
{
	char *params[] = { "WHO=bob", "EMPTY=", "NL=a\nb", NULL };
	char *args[] = { "x", "", "y z", NULL };
	struct ledger_op op = op_run(1, "cancelled");
	struct ledger_run run;
	struct ledger *l;

	ASSERT_NOT_NULL(mkdtemp(tmpdir));
	l = open_ok();
	op.run.params = params;
	op.run.args = args;
	op.run.requested_by = (struct ledger_who){ .set = true, .uid = 0,
	    .user = "root", .on_behalf_of = "jobd-web user alice" };
	op.run.cancelled_by = (struct ledger_who){ .set = true,
	    .uid = 1000 };
	write_ok(l, &op);
	get_ok(l, 1, &run);
	ASSERT(strv_equal(run.params, params));
	ASSERT(strv_equal(run.args, args));
	ASSERT(run.requested_by.set);
	ASSERT_EQ(run.requested_by.uid, 0);
	ASSERT_STREQ(run.requested_by.user, "root");
	ASSERT_STREQ(run.requested_by.on_behalf_of, "jobd-web user alice");
	ASSERT(run.cancelled_by.set);
	ASSERT_EQ(run.cancelled_by.uid, 1000);
	ASSERT_NULL(run.cancelled_by.user);
	ledger_run_free_contents(&run);
	/* Nobody asked: nothing recorded. */
	op = op_run(2, "success");
	write_ok(l, &op);
	get_ok(l, 2, &run);
	ASSERT(!run.requested_by.set && !run.cancelled_by.set);
	ASSERT_NULL(run.params);
	ASSERT_NULL(run.args);
	ledger_run_free_contents(&run);
	ledger_close(l);
	test_rm_tree(tmpdir);
}

/* A version 3 file: the runs table as schema 3 made it, with a row. */
TEST(version_3_ledger_migrates)
{
	struct ledger_op op = op_run(7, "success");
	char *params[] = { "A=1", NULL };
	struct ledger_run run;
	struct ledger *l;

	strcpy(tmpdir, "/tmp/jobd-ledger-audit-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(tmpdir));
	l = open_ok();
	ledger_close(l);
	raw_exec("DELETE FROM runs;"
	    LEDGER_AFTER_3_COLUMNS_DROP
	    "INSERT INTO runs (id, job, \"trigger\", queued_usec, result, "
	    "reason) VALUES (5, 'old', 'schedule', 3, 'failed', 'exit 1');"
	    "PRAGMA user_version = 3;");
	l = open_ok();
	get_ok(l, 5, &run);
	ASSERT_STREQ(run.job, "old");
	ASSERT_STREQ(run.result, "failed");
	ASSERT_STREQ(run.reason, "exit 1");
	ASSERT(!run.requested_by.set);
	ASSERT_NULL(run.params);
	ledger_run_free_contents(&run);
	op.run.params = params;
	write_ok(l, &op);
	get_ok(l, 7, &run);
	ASSERT(strv_equal(run.params, params));
	ledger_run_free_contents(&run);
	ledger_close(l);
	test_rm_tree(tmpdir);
}

static const struct test tests[] = {
	TEST_ENTRY(audit_fields_round_trip),
	TEST_ENTRY(version_3_ledger_migrates),
};

TEST_MAIN(tests)
