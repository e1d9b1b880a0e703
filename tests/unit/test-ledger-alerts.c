/* Unit tests for the alert log in the ledger: attempts written in a batch
 * with run rows, read back newest first (all, failed only, a limit), the
 * counts per alert, sink and status, the log pruned to its newest
 * LEDGER_ALERT_LOG_MAX rows while the counts keep every attempt (and
 * survive a reopen), and malformed rows refused before anything is
 * written. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "ledger.h"
#include "runner.h"
#include "xmalloc.h"

static char tmpdir[64];

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-ledger-alerts-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(tmpdir));
}

static struct ledger *
open_ok(void)
{
	struct ledger *l = NULL;
	char *cause = NULL;

	if (ledger_open(tmpdir, false, &l, &cause) < 0)
		test_fail(__FILE__, __LINE__, "open: %s", cause);
	return l;
}

static struct ledger_op
attempt(const char *alert, const char *sink, const char *status,
    unsigned n, const char *detail)
{
	return (struct ledger_op){ .type = LEDGER_OP_ALERT_LOG, .alert_log = {
		.at = 1700000000000000ULL + n, .alert = (char *)alert,
		.sink = (char *)sink, .event = (char *)"failed",
		.job = (char *)"backup", .run = 40 + n, .attempt = n,
		.status = (char *)status, .detail = (char *)detail,
	} };
}

static char *
dump(const struct ledger_alert *v, size_t n)
{
	char *s = xstrdup(""), *t;
	size_t i;

	for (i = 0; i < n; i++) {
		t = xstrfmt("%s%s/%s/%s #%u run %llu %s [%s];", s, v[i].alert,
		    v[i].sink, v[i].event, v[i].attempt,
		    (unsigned long long)v[i].run, v[i].status,
		    v[i].detail ? v[i].detail : "-");
		free(s);
		s = t;
	}
	return s;
}

TEST(write_read)
{
	struct ledger *l;
	struct ledger_alert *v = NULL;
	char *cause = NULL, *s;
	size_t n;
	struct ledger_op ops[] = {
		{ .type = LEDGER_OP_COMPLETE, .run = { .id = 41,
		    .job = (char *)"backup", .result = (char *)"failed" } },
		attempt("ops", "webhook", "failed", 1, "HTTP 500"),
		attempt("ops", "webhook", "sent", 2, "HTTP 200"),
		attempt("ops", "mail", "dropped", 0, NULL),
	};

	setup();
	l = open_ok();
	ASSERT_OK(ledger_write_batch(l, ops, ELEMENTSOF(ops), &cause));
	ASSERT_OK(ledger_alert_log(l, false, 0, &v, &n, &cause));
	s = dump(v, n);
	ASSERT_STREQ(s, "ops/mail/failed #0 run 40 dropped [-];"
	    "ops/webhook/failed #2 run 42 sent [HTTP 200];"
	    "ops/webhook/failed #1 run 41 failed [HTTP 500];");
	ASSERT_STREQ(v[0].job, "backup");
	ASSERT_EQ(v[1].at, 1700000000000002ULL);
	ASSERT(v[0].id > v[1].id);
	free(s);
	ledger_alerts_free(v, n);
	ASSERT_OK(ledger_alert_log(l, true, 0, &v, &n, &cause));
	s = dump(v, n);
	ASSERT_STREQ(s, "ops/mail/failed #0 run 40 dropped [-];"
	    "ops/webhook/failed #1 run 41 failed [HTTP 500];");
	free(s);
	ledger_alerts_free(v, n);
	ASSERT_OK(ledger_alert_log(l, false, 1, &v, &n, &cause));
	ASSERT_EQ(n, 1);
	ASSERT_STREQ(v[0].sink, "mail");
	ledger_alerts_free(v, n);
	ledger_close(l);
	test_rm_tree(tmpdir);
}

TEST(no_job_no_run)
{
	struct ledger *l;
	struct ledger_alert *v = NULL;
	char *cause = NULL;
	size_t n;
	struct ledger_op op = attempt("t", "command", "sent", 1, "run 7");

	op.alert_log.job = NULL;
	op.alert_log.run = 0;
	op.alert_log.event = (char *)"test";
	setup();
	l = open_ok();
	ASSERT_OK(ledger_write_batch(l, &op, 1, &cause));
	ASSERT_OK(ledger_alert_log(l, false, 0, &v, &n, &cause));
	ASSERT_EQ(n, 1);
	ASSERT_NULL(v[0].job);
	ASSERT_EQ(v[0].run, 0);
	ASSERT_STREQ(v[0].event, "test");
	ledger_alerts_free(v, n);
	ledger_close(l);
	test_rm_tree(tmpdir);
}

static char *
counts_dump(struct ledger *l)
{
	struct ledger_alert_count *c = NULL;
	char *cause = NULL, *s = xstrdup(""), *t;
	size_t n, i;

	ASSERT_OK(ledger_alert_counts(l, &c, &n, &cause));
	for (i = 0; i < n; i++) {
		t = xstrfmt("%s%s/%s/%s=%llu;", s, c[i].alert, c[i].sink,
		    c[i].status, (unsigned long long)c[i].n);
		free(s);
		s = t;
	}
	ledger_alert_counts_free(c, n);
	return s;
}

TEST(prune_and_count)
{
	size_t total = LEDGER_ALERT_LOG_MAX + 50, i, n;
	struct ledger_op *ops = xcalloc(total, sizeof(*ops));
	struct ledger_alert *v = NULL;
	struct ledger *l;
	char *cause = NULL, *s;

	for (i = 0; i < total; i++)
		ops[i] = attempt(i % 2 ? "a" : "b", "webhook", i % 3 ? "sent" :
		    "failed", (unsigned)i, NULL);
	setup();
	l = open_ok();
	ASSERT_OK(ledger_write_batch(l, ops, total, &cause));
	ASSERT_OK(ledger_alert_log(l, false, 0, &v, &n, &cause));
	ASSERT_EQ(n, LEDGER_ALERT_LOG_MAX);
	/* The newest are kept. */
	ASSERT_EQ(v[0].attempt, total - 1);
	ASSERT_EQ(v[n - 1].attempt, total - LEDGER_ALERT_LOG_MAX);
	ledger_alerts_free(v, n);
	s = counts_dump(l);
	/* 10050 attempts: i % 3 == 0 failed (3350), half of each to a. */
	ASSERT_STREQ(s, "a/webhook/failed=1675;a/webhook/sent=3350;"
	    "b/webhook/failed=1675;b/webhook/sent=3350;");
	free(s);
	ledger_close(l);
	/* The counts outlive the daemon. */
	l = open_ok();
	s = counts_dump(l);
	ASSERT_STREQ(s, "a/webhook/failed=1675;a/webhook/sent=3350;"
	    "b/webhook/failed=1675;b/webhook/sent=3350;");
	free(s);
	ledger_close(l);
	free(ops);
	test_rm_tree(tmpdir);
}

TEST(malformed)
{
	struct ledger_op ok = attempt("a", "mail", "sent", 1, NULL);
	struct ledger_op bad[] = {
		attempt("a", "mail", "lost", 1, NULL),
		attempt("", "mail", "sent", 1, NULL),
		attempt("a", NULL, "sent", 1, NULL),
		attempt("a", "mail", NULL, 1, NULL),
	};
	struct ledger_alert *v = NULL;
	struct ledger *l;
	char *cause = NULL;
	size_t i, n;

	setup();
	l = open_ok();
	for (i = 0; i < ELEMENTSOF(bad); i++) {
		struct ledger_op two[2] = { ok, bad[i] };

		CASE("bad row %zu", i);
		ASSERT_EQ(ledger_write_batch(l, two, 2, &cause), -EINVAL);
		ASSERT_NOT_NULL(strstr(cause, "op 1: alert row"));
		free(cause);
		cause = NULL;
	}
	/* Nothing of a refused batch was written. */
	ASSERT_OK(ledger_alert_log(l, false, 0, &v, &n, &cause));
	ASSERT_EQ(n, 0);
	ledger_alerts_free(v, n);
	ledger_close(l);
	test_rm_tree(tmpdir);
}

static const struct test tests[] = {
	TEST_ENTRY(write_read),
	TEST_ENTRY(no_job_no_run),
	TEST_ENTRY_TIMEOUT(prune_and_count, 60),
	TEST_ENTRY(malformed),
};

TEST_MAIN(tests)
