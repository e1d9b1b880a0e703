/* Unit tests for probe= and its keys: each kind parsed (exec:, http: and
 * its short form, tcp: with IPv4, [IPv6] and localhost), the defaults and
 * the probe_*= bounds, ready=probe, and every error with its text and
 * line: a bad kind, an empty command, a URL that is not http(s), a TCP
 * name or port out of range, probe keys on a [job], ready=probe without
 * probe=, probe_*= without probe=. */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

#define SVC "[service s]\ncommand = /bin/sleep 1\n"

static char *
load_errors(const char *text)
{
	_cleanup_(strv_freep) char **errors = NULL;
	struct config *cfg = NULL;
	int r;

	r = config_load_string(text, "a.conf", &cfg, &errors);
	if (r == 0) {
		config_free(cfg);
		return xstrdup("");
	}
	ASSERT_EQ(r, -EINVAL);
	ASSERT_NULL(cfg);
	return test_join_lines(errors);
}

static struct config *
load_ok(const char *text)
{
	struct config *cfg = NULL;
	char **errors = NULL;
	int r;

	r = config_load_string(text, "a.conf", &cfg, &errors);
	if (r < 0)
		test_fail(__FILE__, __LINE__, "load failed: %s", errors[0]);
	return cfg;
}

static const struct job_probe *
probe_of(const struct config *cfg)
{
	return &config_find_job(cfg, "s")->svc.probe;
}

TEST(kinds)
{
	struct config *cfg;

	cfg = load_ok(SVC "probe = exec:test -e /run/x.ready\n");
	ASSERT_EQ(probe_of(cfg)->kind, PROBE_EXEC);
	ASSERT_STREQ(probe_of(cfg)->target, "test -e /run/x.ready");
	config_free(cfg);
	cfg = load_ok(SVC "probe = http:http://127.0.0.1:8080/health\n");
	ASSERT_EQ(probe_of(cfg)->kind, PROBE_HTTP);
	ASSERT_STREQ(probe_of(cfg)->target, "http://127.0.0.1:8080/health");
	config_free(cfg);
	cfg = load_ok(SVC "probe = https://example.org/\n");
	ASSERT_EQ(probe_of(cfg)->kind, PROBE_HTTP);
	ASSERT_STREQ(probe_of(cfg)->target, "https://example.org/");
	config_free(cfg);
	cfg = load_ok(SVC "probe = tcp:10.0.0.1:5432\n");
	ASSERT_EQ(probe_of(cfg)->kind, PROBE_TCP);
	ASSERT_STREQ(probe_of(cfg)->host, "10.0.0.1");
	ASSERT_EQ(probe_of(cfg)->port, 5432);
	config_free(cfg);
	cfg = load_ok(SVC "probe = tcp:[::1]:80\n");
	ASSERT_STREQ(probe_of(cfg)->host, "::1");
	ASSERT_EQ(probe_of(cfg)->port, 80);
	config_free(cfg);
	cfg = load_ok(SVC "probe = tcp:localhost:6379\n");
	ASSERT_STREQ(probe_of(cfg)->host, "127.0.0.1");
	ASSERT_STREQ(probe_of(cfg)->target, "localhost:6379");
	config_free(cfg);
}

TEST(defaults_and_keys)
{
	struct config *cfg = load_ok(SVC "probe = tcp:127.0.0.1:1\n");
	const struct job_probe *p = probe_of(cfg);

	ASSERT_EQ(p->interval, 10 * USEC_PER_SEC);
	ASSERT_EQ(p->timeout, 5 * USEC_PER_SEC);
	ASSERT_EQ(p->failures, 3);
	ASSERT_EQ(p->start_period, 0);
	ASSERT_EQ(config_find_job(cfg, "s")->svc.ready, READY_SPAWN);
	config_free(cfg);
	cfg = load_ok(SVC "probe = tcp:127.0.0.1:1\nready = probe\n"
	    "probe_interval = 250ms\nprobe_timeout = 2s\n"
	    "probe_failures = 7\nprobe_start_period = 1min\n");
	p = probe_of(cfg);
	ASSERT_EQ(p->interval, 250 * USEC_PER_MSEC);
	ASSERT_EQ(p->timeout, 2 * USEC_PER_SEC);
	ASSERT_EQ(p->failures, 7);
	ASSERT_EQ(p->start_period, USEC_PER_MINUTE);
	ASSERT_EQ(config_find_job(cfg, "s")->svc.ready, READY_PROBE);
	config_free(cfg);
}

TEST(probe_changes_the_service)
{
	struct config *a = load_ok(SVC "probe = tcp:127.0.0.1:1\n");
	struct config *b = load_ok(SVC "probe = tcp:127.0.0.1:2\n");
	struct config *c = load_ok(SVC "probe = tcp:127.0.0.1:1\n"
	    "probe_failures = 4\n");

	ASSERT(!job_config_equal(config_find_job(a, "s"),
	    config_find_job(b, "s")));
	ASSERT(!job_config_equal(config_find_job(a, "s"),
	    config_find_job(c, "s")));
	ASSERT(job_config_equal(config_find_job(a, "s"),
	    config_find_job(a, "s")));
	config_free(a);
	config_free(b);
	config_free(c);
}

static void
expect_error(const char *text, const char *want)
{
	_cleanup_free_ char *err = load_errors(text);

	ASSERT_STREQ(err, want);
}

TEST(bad_values)
{
	expect_error(SVC "probe = ping:1.2.3.4\n", "a.conf:3: probe: invalid "
	    "probe 'ping:1.2.3.4': expected exec:CMD, http:URL or "
	    "tcp:HOST:PORT");
	expect_error(SVC "probe = exec:  \n", "a.conf:3: probe: invalid "
	    "probe 'exec:': no command");
	expect_error(SVC "probe = http:ftp://x/\n", "a.conf:3: probe: "
	    "invalid probe 'http:ftp://x/': expected http:URL, the URL "
	    "http:// or https://");
	expect_error(SVC "probe = http:http://\n", "a.conf:3: probe: "
	    "invalid probe 'http:http://': expected http:URL, the URL "
	    "http:// or https://");
	expect_error(SVC "probe = tcp:db.example:5432\n", "a.conf:3: probe: "
	    "invalid probe 'tcp:db.example:5432': the host must be an IPv4 "
	    "address, [IPv6] or localhost (a TCP probe resolves no names; "
	    "use http: or exec: for a name)");
	expect_error(SVC "probe = tcp:127.0.0.1:0\n", "a.conf:3: probe: "
	    "invalid probe 'tcp:127.0.0.1:0': the port must be from 1 to "
	    "65535");
	expect_error(SVC "probe = tcp:127.0.0.1\n", "a.conf:3: probe: "
	    "invalid probe 'tcp:127.0.0.1': expected tcp:HOST:PORT");
	expect_error(SVC "probe = tcp::80\n", "a.conf:3: probe: invalid "
	    "probe 'tcp::80': expected tcp:HOST:PORT");
	expect_error(SVC "probe = tcp:1.2.3.4:1\nprobe_failures = 0\n",
	    "a.conf:4: probe_failures: invalid count '0': expected 1 to "
	    "1000");
	expect_error(SVC "probe = tcp:1.2.3.4:1\nprobe_interval = 1ms\n",
	    "a.conf:4: probe_interval: invalid time span '1ms': expected "
	    "from 10ms to 1d");
	expect_error(SVC "probe = tcp:1.2.3.4:1\nprobe_timeout = infinity\n",
	    "a.conf:4: probe_timeout: invalid time span 'infinity': "
	    "expected from 10ms to 1d");
	expect_error(SVC "ready = probed\n", "a.conf:3: ready: invalid value "
	    "'probed': expected spawn, notify, fd:N or probe");
}

TEST(bad_combinations)
{
	expect_error("[job j]\ncommand = /bin/true\nprobe = tcp:1.2.3.4:1\n",
	    "a.conf:3: key 'probe' is for [service NAME] sections only, not "
	    "[job j]");
	expect_error("[job j]\ncommand = /bin/true\nprobe_interval = 1s\n",
	    "a.conf:3: key 'probe_interval' is for [service NAME] sections "
	    "only, not [job j]");
	expect_error(SVC "ready = probe\n", "a.conf:3: ready=probe needs "
	    "probe= (exec:CMD, http:URL or tcp:HOST:PORT)");
	expect_error(SVC "probe_failures = 2\n", "a.conf:3: service 's': "
	    "probe_interval=, probe_timeout=, probe_failures= and "
	    "probe_start_period= need probe=");
	/* A bad probe= is one error, not two. */
	expect_error(SVC "ready = probe\nprobe = nope\n", "a.conf:4: probe: "
	    "invalid probe 'nope': expected exec:CMD, http:URL or "
	    "tcp:HOST:PORT");
	/* Too long. */
	{
		char *long_url = xmalloc(CONFIG_MAX_PROBE + 64);
		_cleanup_free_ char *text = NULL, *err = NULL;

		memset(long_url, 'a', CONFIG_MAX_PROBE + 10);
		long_url[CONFIG_MAX_PROBE + 10] = '\0';
		text = xstrfmt(SVC "probe = exec:%s\n", long_url);
		free(long_url);
		err = load_errors(text);
		ASSERT(strstr(err, "a.conf:3: probe: too long (max 2048 "
		    "bytes)") != NULL);
	}
}

static const struct test tests[] = {
	TEST_ENTRY(kinds),
	TEST_ENTRY(defaults_and_keys),
	TEST_ENTRY(probe_changes_the_service),
	TEST_ENTRY(bad_values),
	TEST_ENTRY(bad_combinations),
};

TEST_MAIN(tests)
