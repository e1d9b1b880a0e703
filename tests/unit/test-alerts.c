/* Unit tests for the alert delivery queue on a private loop: the backoff
 * delays, a delivery retried ALERTS_ATTEMPTS times with growing delays
 * against a refused connection, the queue bound (what is past it is
 * dropped and counted), AlertTest's unknown names, shutdown dropping what
 * is pending, and no handle left open. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert-event.h"
#include "alerts.h"
#include "config.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

static uv_loop_t loop;
static struct config *cfg;

static const struct config *
get_config(void *owner)
{
	(void)owner;
	return cfg;
}

/* A port nothing listens on. */
static int
closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ASSERT_OK(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	ASSERT_OK(getsockname(fd, (struct sockaddr *)&a, &len));
	close(fd);
	return ntohs(a.sin_port);
}

static void
setup(struct alerts *a, usec_t retry_first)
{
	_cleanup_free_ char *text = xstrfmt("[alert a]\n"
	    "webhook = http://127.0.0.1:%d/hook\n[alert b]\n"
	    "webhook = http://127.0.0.1:%d/other\n", closed_port(),
	    closed_port());
	char **errors = NULL;

	ASSERT_OK(config_load_string(text, "a.conf", &cfg, &errors));
	ASSERT_OK(uv_loop_init(&loop));
	alerts_init(a, &(struct alerts_opts){ .loop = &loop,
	    .config = get_config, .retry_first = retry_first });
}

static void
teardown(struct alerts *a)
{
	alerts_close(a);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_OK(uv_loop_close(&loop));
	cfg = config_free(cfg);
}

struct counts {
	const char *sink;
	uint64_t sent, failed, dropped;
};

static void
count_cb(void *ctx, const char *alert, const char *sink, const char *status,
    uint64_t n)
{
	struct counts *c = ctx;

	ASSERT_STREQ(sink, c->sink);
	(void)alert;
	if (!strcmp(status, "sent"))
		c->sent += n;
	else if (!strcmp(status, "failed"))
		c->failed += n;
	else
		c->dropped += n;
}

static struct counts
counts_of_sink(const struct alerts *a, const char *sink)
{
	struct counts c = { .sink = sink };

	alerts_each_count(a, count_cb, &c);
	return c;
}

static struct counts
counts_of(const struct alerts *a)
{
	return counts_of_sink(a, "webhook");
}

TEST(delays)
{
	ASSERT_EQ(alerts_retry_delay(USEC_PER_SEC, 1), USEC_PER_SEC);
	ASSERT_EQ(alerts_retry_delay(USEC_PER_SEC, 2), 2 * USEC_PER_SEC);
	ASSERT_EQ(alerts_retry_delay(USEC_PER_SEC, 4), 8 * USEC_PER_SEC);
	ASSERT_EQ(alerts_retry_delay(USEC_PER_SEC, 40), ALERTS_RETRY_MAX);
	ASSERT_EQ(alerts_retry_delay(10 * USEC_PER_MSEC, 3),
	    40 * USEC_PER_MSEC);
}

static void
poll_cb(uv_timer_t *t)
{
	if (alerts_pending(t->data) == 0) {
		uv_timer_stop(t);
		uv_close((uv_handle_t *)t, NULL);
	}
}

TEST(retries)
{
	struct alerts a;
	struct alert_event e = { .kind = ALERT_FAILED, .job = "j", .run = 7,
	    .at = 1 };
	char *names[] = { "a", NULL };
	struct counts c;
	uv_timer_t t;
	uint64_t t0;

	setup(&a, 20 * USEC_PER_MSEC);
	t0 = uv_hrtime();
	alerts_send(&a, &e, names);
	ASSERT_EQ(alerts_pending(&a), 1);
	uv_timer_init(&loop, &t);
	t.data = &a;
	uv_timer_start(&t, poll_cb, 5, 5);
	uv_run(&loop, UV_RUN_DEFAULT);
	c = counts_of(&a);
	ASSERT_EQ(c.failed, ALERTS_ATTEMPTS);
	ASSERT_EQ(c.sent, 0);
	/* 20 + 40 + 80 + 160 ms between the five attempts. */
	ASSERT((uv_hrtime() - t0) / 1000000 >= 300);
	teardown(&a);
}

TEST(queue_bound)
{
	struct alerts a;
	struct alert_event e = { .kind = ALERT_FAILED, .job = "j", .at = 1 };
	char *names[] = { "a", "unknown", NULL };
	struct counts c;
	size_t i;

	setup(&a, 0);
	for (i = 0; i < ALERTS_QUEUE_MAX + 5; i++)
		alerts_send(&a, &e, names);
	ASSERT_EQ(alerts_pending(&a), ALERTS_QUEUE_MAX);
	c = counts_of(&a);
	ASSERT_EQ(c.dropped, 5);
	ASSERT_EQ(a.dropped, 5);
	/* At most ALERTS_INFLIGHT_WEBHOOK in flight. */
	ASSERT_EQ(a.inflight[ALERT_SINK_WEBHOOK], ALERTS_INFLIGHT_WEBHOOK);
	/* Shutdown drops what has not started and takes nothing new; what
	 * is in flight may still end, within the grace. */
	alerts_stop(&a);
	ASSERT_EQ(alerts_pending(&a), ALERTS_INFLIGHT_WEBHOOK);
	ASSERT(alerts_busy(&a));
	c = counts_of(&a);
	ASSERT_EQ(c.dropped, ALERTS_QUEUE_MAX + 5 - ALERTS_INFLIGHT_WEBHOOK);
	alerts_send(&a, &e, names);
	ASSERT_EQ(alerts_pending(&a), ALERTS_INFLIGHT_WEBHOOK);
	ASSERT_EQ(alerts_test(&a, "a"), -ESHUTDOWN);
	teardown(&a);
}

TEST(test_names)
{
	struct alerts a;

	setup(&a, 0);
	ASSERT_EQ(alerts_test(&a, "nope"), -ENOENT);
	ASSERT_OK(alerts_test(&a, "b"));
	ASSERT_EQ(alerts_pending(&a), 1);
	teardown(&a);
}

/* A sendmail that keeps what it got; exit_code says how it ends. */
static char *
fake_sendmail(const char *dir, int exit_code)
{
	char *path = xstrfmt("%s/sendmail", dir);
	_cleanup_free_ char *text = xstrfmt("#!/bin/sh\n{ echo \"ARGS: $*\"; "
	    "cat; } > %s/mail\necho nope >&2\nexit %d\n", dir, exit_code);
	FILE *f = fopen(path, "w");

	ASSERT_NOT_NULL(f);
	fputs(text, f);
	fclose(f);
	ASSERT_OK(chmod(path, 0755));
	return path;
}

static void
mail_setup(struct alerts *a, const char *sendmail)
{
	_cleanup_free_ char *text = xstrfmt("[jobd]\nsendmail = %s\n"
	    "[alert m]\nmail = ops@example.com\n", sendmail);
	char **errors = NULL;

	ASSERT_OK(config_load_string(text, "a.conf", &cfg, &errors));
	ASSERT_OK(uv_loop_init(&loop));
	alerts_init(a, &(struct alerts_opts){ .loop = &loop,
	    .config = get_config, .retry_first = 10 * USEC_PER_MSEC });
}

/* The job's bytes go to the body only: no line of the tail becomes a
 * header, whatever it holds. */
TEST(mail_tail_stays_in_the_body)
{
	char dir[] = "/tmp/test-alerts-XXXXXX";
	char *tail[] = { "ok", "\nBcc: victim@example.com",
	    "Subject: forged", NULL };
	struct alert_event e = { .kind = ALERT_FAILED, .job = "backup",
	    .run = 9, .result = "failed", .has_exit = true, .exit_status = 3,
	    .tail = tail, .at = 1 };
	char *names[] = { "m", NULL }, *headers, *body, buf[4096];
	_cleanup_free_ char *sendmail = NULL, *path = NULL;
	struct alerts a;
	struct counts c;
	uv_timer_t t;
	FILE *f;
	size_t n;

	ASSERT_NOT_NULL(mkdtemp(dir));
	sendmail = fake_sendmail(dir, 0);
	mail_setup(&a, sendmail);
	alerts_send(&a, &e, names);
	uv_timer_init(&loop, &t);
	t.data = &a;
	uv_timer_start(&t, poll_cb, 5, 5);
	uv_run(&loop, UV_RUN_DEFAULT);
	c = counts_of_sink(&a, "mail");
	ASSERT_EQ(c.sent, 1);
	path = xstrfmt("%s/mail", dir);
	ASSERT_NOT_NULL(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	headers = buf;
	body = strstr(buf, "\n\n");
	ASSERT_NOT_NULL(body);
	*body = '\0';
	body += 2;
	ASSERT_NOT_NULL(strstr(headers, "ARGS: -t -oi\nTo: ops@example.com\n"
	    "Subject: "));
	ASSERT_NOT_NULL(strstr(headers, "] backup failed (exit 3)\n"));
	ASSERT_NULL(strstr(headers, "Bcc"));
	ASSERT_NULL(strstr(headers, "forged"));
	ASSERT_NOT_NULL(strstr(body, "Output (last 3 lines):\n  ok\n"
	    "  ?Bcc: victim@example.com\n  Subject: forged\n"));
	teardown(&a);
	test_rm_tree(dir);
}

TEST(sendmail_failing)
{
	char dir[] = "/tmp/test-alerts-XXXXXX";
	struct alert_event e = { .kind = ALERT_TEST, .at = 1 };
	char *names[] = { "m", NULL };
	_cleanup_free_ char *sendmail = NULL;
	struct alerts a;
	struct counts c;
	uv_timer_t t;

	ASSERT_NOT_NULL(mkdtemp(dir));
	sendmail = fake_sendmail(dir, 1);
	mail_setup(&a, sendmail);
	alerts_send(&a, &e, names);
	uv_timer_init(&loop, &t);
	t.data = &a;
	uv_timer_start(&t, poll_cb, 5, 5);
	uv_run(&loop, UV_RUN_DEFAULT);
	c = counts_of_sink(&a, "mail");
	ASSERT_EQ(c.failed, ALERTS_ATTEMPTS);
	ASSERT_EQ(c.sent, 0);
	teardown(&a);
	test_rm_tree(dir);
}

static const struct test tests[] = {
	TEST_ENTRY(delays),
	TEST_ENTRY(retries),
	TEST_ENTRY(queue_bound),
	TEST_ENTRY(test_names),
	TEST_ENTRY(mail_tail_stays_in_the_body),
	TEST_ENTRY(sendmail_failing),
};

TEST_MAIN(tests)
