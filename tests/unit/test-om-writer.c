/* Tests for common/om-writer.c: the exact text of a small fixed state in
 * both dialects (family names, HELP/TYPE/UNIT, _created left out of
 * 0.0.4, # EOF), label values escaped and repaired, and numbers at their
 * limits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "macro.h"
#include "om-writer.h"
#include "runner.h"

/* A small fixed state: what method-metrics.c writes, in miniature. */
static char *
fixed_state(enum om_dialect d)
{
	const struct om_label job[] = { { "job", "backup" } };
	const struct om_label runs[] = {
		{ "job", "backup" }, { "result", "success" },
	};
	const struct om_label q[] = { { "quantile", "0.99" } };
	const struct om_label ver[] = { { "version", "0.1.0" } };
	const struct om_label svc[] = { { "service", "web" } };
	struct om_writer w;

	om_init(&w, d);
	om_family(&w, "jobd_job_last_success_timestamp_seconds", OM_GAUGE,
	    "seconds", "When the job last succeeded.");
	om_sample_usec(&w, "", job, 1, 1700000000123456ULL);
	om_family(&w, "jobd_job_runs", OM_COUNTER, NULL, "Runs ended.");
	om_sample_u64(&w, "_total", runs, 2, 42);
	om_family(&w, "jobd_service_restarts", OM_COUNTER, NULL,
	    "Restarts.");
	om_sample_u64(&w, "_total", svc, 1, 3);
	om_sample_usec(&w, "_created", svc, 1, 1700000000000000ULL);
	om_family(&w, "jobd_loop_lag_seconds", OM_SUMMARY, "seconds",
	    "Loop lag.");
	om_sample_usec(&w, "", q, 1, 1500);
	om_sample_usec(&w, "_sum", NULL, 0, 2000000);
	om_sample_u64(&w, "_count", NULL, 0, 7);
	om_family(&w, "jobd_build", OM_INFO, NULL, "The build.");
	om_sample_u64(&w, "_info", ver, 1, 1);
	om_end(&w);
	return om_steal(&w, NULL);
}

TEST(openmetrics_exact)
{
	char *t = fixed_state(OM_OPENMETRICS);

	ASSERT_STREQ(t,
	    "# HELP jobd_job_last_success_timestamp_seconds When the job "
	    "last succeeded.\n"
	    "# TYPE jobd_job_last_success_timestamp_seconds gauge\n"
	    "# UNIT jobd_job_last_success_timestamp_seconds seconds\n"
	    "jobd_job_last_success_timestamp_seconds{job=\"backup\"} "
	    "1700000000.123456\n"
	    "# HELP jobd_job_runs Runs ended.\n"
	    "# TYPE jobd_job_runs counter\n"
	    "jobd_job_runs_total{job=\"backup\",result=\"success\"} 42\n"
	    "# HELP jobd_service_restarts Restarts.\n"
	    "# TYPE jobd_service_restarts counter\n"
	    "jobd_service_restarts_total{service=\"web\"} 3\n"
	    "jobd_service_restarts_created{service=\"web\"} "
	    "1700000000.000000\n"
	    "# HELP jobd_loop_lag_seconds Loop lag.\n"
	    "# TYPE jobd_loop_lag_seconds summary\n"
	    "# UNIT jobd_loop_lag_seconds seconds\n"
	    "jobd_loop_lag_seconds{quantile=\"0.99\"} 0.001500\n"
	    "jobd_loop_lag_seconds_sum 2.000000\n"
	    "jobd_loop_lag_seconds_count 7\n"
	    "# HELP jobd_build The build.\n"
	    "# TYPE jobd_build info\n"
	    "jobd_build_info{version=\"0.1.0\"} 1\n"
	    "# EOF\n");
	free(t);
}

TEST(prometheus_exact)
{
	char *t = fixed_state(OM_PROMETHEUS);

	ASSERT_STREQ(t,
	    "# HELP jobd_job_last_success_timestamp_seconds When the job "
	    "last succeeded.\n"
	    "# TYPE jobd_job_last_success_timestamp_seconds gauge\n"
	    "jobd_job_last_success_timestamp_seconds{job=\"backup\"} "
	    "1700000000.123456\n"
	    "# HELP jobd_job_runs_total Runs ended.\n"
	    "# TYPE jobd_job_runs_total counter\n"
	    "jobd_job_runs_total{job=\"backup\",result=\"success\"} 42\n"
	    "# HELP jobd_service_restarts_total Restarts.\n"
	    "# TYPE jobd_service_restarts_total counter\n"
	    "jobd_service_restarts_total{service=\"web\"} 3\n"
	    "# HELP jobd_loop_lag_seconds Loop lag.\n"
	    "# TYPE jobd_loop_lag_seconds summary\n"
	    "jobd_loop_lag_seconds{quantile=\"0.99\"} 0.001500\n"
	    "jobd_loop_lag_seconds_sum 2.000000\n"
	    "jobd_loop_lag_seconds_count 7\n"
	    "# HELP jobd_build_info The build.\n"
	    "# TYPE jobd_build_info gauge\n"
	    "jobd_build_info{version=\"0.1.0\"} 1\n");
	free(t);
}

static const struct {
	const char *value;
	const char *written;
} escapes[] = {
	{ "plain-name_1.@", "plain-name_1.@" },
	{ "", "" },
	{ "a\\b", "a\\\\b" },
	{ "say \"hi\"", "say \\\"hi\\\"" },
	{ "two\nlines", "two\\nlines" },
	{ "\\\"\n", "\\\\\\\"\\n" },
	{ "tab\there", "tab\xef\xbf\xbdhere" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },		/* valid UTF-8 kept */
	{ "bad\xff", "bad\xef\xbf\xbd" },		/* invalid replaced */
	{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },	/* overlong */
	{ "\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd" },	/* cut short */
};

TEST(label_values_escaped)
{
	struct om_writer w;
	char want[128];
	size_t i;

	for (i = 0; i < ELEMENTSOF(escapes); i++) {
		const struct om_label l[] = { { "job", escapes[i].value } };

		CASE("row %zu", i);
		om_init(&w, OM_OPENMETRICS);
		om_family(&w, "x", OM_GAUGE, NULL, "h");
		om_sample_u64(&w, "", l, 1, 1);
		snprintf(want, sizeof(want), "# HELP x h\n# TYPE x gauge\n"
		    "x{job=\"%s\"} 1\n", escapes[i].written);
		ASSERT_STREQ(w.buf, want);
		om_done(&w);
	}
}

TEST(numbers)
{
	const struct om_label a[] = { { "a", "1" }, { "b", "2" },
	    { "c", "3" } };
	struct om_writer w;

	om_init(&w, OM_OPENMETRICS);
	om_family(&w, "n", OM_GAUGE, NULL, "h");
	om_sample_u64(&w, "", NULL, 0, 0);
	om_sample_u64(&w, "", NULL, 0, UINT64_MAX);
	om_sample_usec(&w, "", NULL, 0, 0);
	om_sample_usec(&w, "", NULL, 0, 1);
	om_sample_usec(&w, "", a, 3, 999999);
	om_sample_usec(&w, "", NULL, 0, UINT64_MAX);
	om_end(&w);
	ASSERT_STREQ(w.buf, "# HELP n h\n# TYPE n gauge\n"
	    "n 0\n"
	    "n 18446744073709551615\n"
	    "n 0.000000\n"
	    "n 0.000001\n"
	    "n{a=\"1\",b=\"2\",c=\"3\"} 0.999999\n"
	    "n 18446744073709.551615\n"
	    "# EOF\n");
	om_done(&w);
}

TEST(dialect_names)
{
	ASSERT_EQ(om_dialect_from_string("openmetrics"), OM_OPENMETRICS);
	ASSERT_EQ(om_dialect_from_string("prometheus"), OM_PROMETHEUS);
	ASSERT_EQ(om_dialect_from_string("OpenMetrics"), -1);
	ASSERT_EQ(om_dialect_from_string(""), -1);
}

/* An empty writer still hands out a string. */
/* A cluster node's node="NAME" goes first on every sample, with or
 * without labels of its own. */
TEST(common_labels)
{
	static const struct om_label node[] = { { "node", "web-1" } };
	const struct om_label job[] = { { "job", "a\"b" } };
	struct om_writer w;
	char *t;

	om_init(&w, OM_OPENMETRICS);
	om_common_labels(&w, node, 1);
	om_family(&w, "jobd_runs", OM_COUNTER, NULL, "Runs.");
	om_sample_u64(&w, "_total", job, 1, 3);
	om_sample_u64(&w, "_total", NULL, 0, 4);
	om_end(&w);
	t = om_steal(&w, NULL);
	ASSERT_STREQ(t, "# HELP jobd_runs Runs.\n# TYPE jobd_runs counter\n"
	    "jobd_runs_total{node=\"web-1\",job=\"a\\\"b\"} 3\n"
	    "jobd_runs_total{node=\"web-1\"} 4\n# EOF\n");
	free(t);
}

TEST(empty)
{
	struct om_writer w;
	size_t len = 99;
	char *t;

	om_init(&w, OM_PROMETHEUS);
	om_end(&w);
	t = om_steal(&w, &len);
	ASSERT_STREQ(t, "");
	ASSERT_EQ(len, 0);
	free(t);
	ASSERT_NULL(w.buf);
}

static const struct test tests[] = {
	TEST_ENTRY(openmetrics_exact),
	TEST_ENTRY(prometheus_exact),
	TEST_ENTRY(label_values_escaped),
	TEST_ENTRY(numbers),
	TEST_ENTRY(common_labels),
	TEST_ENTRY(dialect_names),
	TEST_ENTRY(empty),
};

TEST_MAIN(tests)
