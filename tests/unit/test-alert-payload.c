/* Unit tests for the alert texts: the JSON document and Slack's body of a
 * fixed event, byte for byte; events without a run, a test event; the
 * summary of each kind; the mail message (headers from jobd's words only,
 * the tail in the body, a tail that tries to add a header, control bytes
 * and invalid UTF-8); RFC 3339 times and the text cleaner. */
#include <string.h>

#include "alert-event.h"
#include "alert-payload.h"
#include "runner.h"
#include "xmalloc.h"

#define T0 1714532400000000ULL		/* 2024-05-01T03:00:00Z */

static char *tail[] = { "line one", "tab\there", "bad \xff byte",
    "quote \" <!channel> & ```x```", NULL };

static struct alert_event
failed_event(void)
{
	return (struct alert_event){
		.kind = ALERT_FAILED, .job = "backup", .run = 42,
		.result = "failed", .has_exit = true, .exit_status = 3,
		.trigger = "schedule", .scheduled_at = T0,
		.started_at = T0 + 1500000, .ended_at = T0 + 61500000,
		.duration = 60000000, .tail = tail, .at = T0 + 61600000,
	};
}

static const struct alert_context ctx = {
	.alert = "ops", .host = "db1.example.com", .now = T0 + 62000000,
};

TEST(json_failed)
{
	struct alert_event e = failed_event();
	size_t len;
	_cleanup_free_ char *s = alert_payload_json(&e, &ctx, &len);

	ASSERT_EQ(len, strlen(s));
	ASSERT_STREQ(s, "{\"event\":\"failed\",\"alert\":\"ops\","
	    "\"job\":\"backup\",\"service\":false,\"run\":42,"
	    "\"result\":\"failed\",\"exit_status\":3,\"signal\":null,"
	    "\"reason\":null,\"trigger\":\"schedule\","
	    "\"host\":\"db1.example.com\","
	    "\"scheduled_at\":\"2024-05-01T03:00:00.000000Z\","
	    "\"started_at\":\"2024-05-01T03:00:01.500000Z\","
	    "\"ended_at\":\"2024-05-01T03:01:01.500000Z\","
	    "\"duration_usec\":60000000,"
	    "\"at\":\"2024-05-01T03:01:01.600000Z\","
	    "\"summary\":\"[jobd db1.example.com] backup failed (exit 3)\","
	    "\"output_tail\":[\"line one\",\"tab\\there\","
	    "\"bad \xef\xbf\xbd byte\",\"quote \\\" <!channel> & ```x```\"]}");
}

TEST(json_test_and_signal)
{
	struct alert_event e = { .kind = ALERT_TEST, .at = T0 };
	_cleanup_free_ char *s = alert_payload_json(&e, &ctx, NULL), *t = NULL;

	ASSERT_STREQ(s, "{\"event\":\"test\",\"alert\":\"ops\",\"job\":null,"
	    "\"service\":false,\"run\":null,\"result\":null,"
	    "\"exit_status\":null,\"signal\":null,\"reason\":null,"
	    "\"trigger\":null,\"host\":\"db1.example.com\","
	    "\"scheduled_at\":null,\"started_at\":null,\"ended_at\":null,"
	    "\"duration_usec\":null,\"at\":\"2024-05-01T03:00:00.000000Z\","
	    "\"summary\":\"[jobd db1.example.com] test of [alert ops]\","
	    "\"output_tail\":[]}");
	e = (struct alert_event){ .kind = ALERT_FAILED, .job = "web",
	    .service = true, .result = "failed", .signal = 9,
	    .reason = "start limit hit" };
	t = alert_payload_json(&e, &ctx, NULL);
	ASSERT_NOT_NULL(strstr(t, "\"job\":\"web\",\"service\":true,"
	    "\"run\":null,\"result\":\"failed\",\"exit_status\":null,"
	    "\"signal\":9,\"reason\":\"start limit hit\""));
	ASSERT_NOT_NULL(strstr(t, "\"summary\":\"[jobd db1.example.com] "
	    "service web failed (signal SIGKILL)\""));
}

TEST(slack)
{
	struct alert_event e = failed_event();
	_cleanup_free_ char *s = alert_payload_slack(&e, &ctx, NULL);

	/* The tail in a code block it cannot leave, no <!channel>. */
	ASSERT_STREQ(s, "{\"text\":\"[jobd db1.example.com] backup failed "
	    "(exit 3)\\n```\\nline one\\ntab\\there\\n"
	    "bad \xef\xbf\xbd byte\\nquote \\\" &lt;!channel&gt; &amp; "
	    "`\xe2\x80\x8b``x`\xe2\x80\x8b``\\n```\"}");
	e.tail = NULL;
	free(s);
	s = alert_payload_slack(&e, &ctx, NULL);
	ASSERT_STREQ(s, "{\"text\":\"[jobd db1.example.com] backup failed "
	    "(exit 3)\"}");
}

static const struct {
	struct alert_event e;
	const char *want;
} summaries[] = {
	{ { .kind = ALERT_FAILED, .job = "j", .result = "timeout" },
	    "[jobd h] j failed (timeout)" },
	{ { .kind = ALERT_FAILED, .job = "j", .result = "failed" },
	    "[jobd h] j failed" },
	{ { .kind = ALERT_FAILED, .job = "j", .result = "lost" },
	    "[jobd h] j failed (lost)" },
	{ { .kind = ALERT_RECOVERED, .job = "j", .result = "success",
	    .has_exit = true }, "[jobd h] j recovered" },
	{ { .kind = ALERT_RECOVERED, .job = "web", .service = true },
	    "[jobd h] service web recovered" },
	{ { .kind = ALERT_OVERDUE, .job = "j", .reason = "no success "
	    "within 1d" }, "[jobd h] j is overdue: no success within 1d" },
	{ { .kind = ALERT_MISSED, .job = "j", .reason = "skipped: the "
	    "previous run\nBcc: x" }, "[jobd h] j missed a run: skipped: "
	    "the previous run?Bcc: x" },
	{ { .kind = ALERT_FINISHED, .job = "j", .result = "success",
	    .has_exit = true }, "[jobd h] j finished: success" },
	{ { .kind = ALERT_FINISHED, .job = "j", .result = "failed",
	    .has_exit = true, .exit_status = 1 },
	    "[jobd h] j finished: failed (exit 1)" },
};

TEST(summary)
{
	const struct alert_context c = { .alert = "a", .host = "h" };
	const struct alert_context weird = { .alert = "a",
	    .host = "h\r\nBcc: x\xc3\xa9" };
	_cleanup_free_ char *w = NULL;
	size_t i;

	for (i = 0; i < ELEMENTSOF(summaries); i++) {
		_cleanup_free_ char *s = NULL;

		CASE("summary row %zu", i);
		s = alert_summary(&summaries[i].e, &c);
		ASSERT_STREQ(s, summaries[i].want);
	}
	w = alert_summary(&summaries[0].e, &weird);
	ASSERT_STREQ(w, "[jobd h??Bcc: x??] j failed (timeout)");
}

TEST(mail)
{
	char *to[] = { "ops@example.com", "root", NULL };
	char *evil[] = { "ok", "\nBcc: victim@example.com",
	    "Subject: forged\r", ".", "From x", "nul\x01", NULL };
	struct alert_context c = ctx;
	struct alert_event e = failed_event();
	_cleanup_free_ char *m = NULL;
	char *body;

	c.to = to;
	e.tail = evil;
	e.reason = "exit status 3\nX-Injected: yes";
	m = alert_mail_message(&e, &c);
	body = strstr(m, "\n\n");
	ASSERT_NOT_NULL(body);
	*body = '\0';
	/* Every header is jobd's. */
	ASSERT_STREQ(m, "To: ops@example.com, root\n"
	    "Subject: [jobd db1.example.com] backup failed (exit 3)\n"
	    "Date: Wed, 01 May 2024 03:01:02 +0000\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "Auto-Submitted: auto-generated\n"
	    "X-Jobd-Alert: ops\nX-Jobd-Event: failed");
	ASSERT_STREQ(body + 2, "Event:     failed\n"
	    "Job:       backup\n"
	    "Run:       42\n"
	    "Result:    failed\n"
	    "Exit:      3\n"
	    "Reason:    exit status 3?X-Injected: yes\n"
	    "Trigger:   schedule\n"
	    "Scheduled: 2024-05-01T03:00:00.000000Z\n"
	    "Started:   2024-05-01T03:00:01.500000Z\n"
	    "Ended:     2024-05-01T03:01:01.500000Z\n"
	    "Duration:  1min\n"
	    "Host:      db1.example.com\n"
	    "Alert:     ops\n"
	    "\n"
	    "Output (last 6 lines):\n"
	    "  ok\n"
	    "  ?Bcc: victim@example.com\n"
	    "  Subject: forged?\n"
	    "  .\n"
	    "  From x\n"
	    "  nul?\n");
}

TEST(clean)
{
	_cleanup_free_ char *a = alert_text_clean("h\xc3\xa9llo\x7f", 100,
	    false);
	_cleanup_free_ char *b = alert_text_clean("h\xc3\xa9llo", 100, true);
	_cleanup_free_ char *c = alert_text_clean("ab\xc3\xa9", 3, false);
	_cleanup_free_ char *d = alert_text_clean("abcdef", 3, false);
	_cleanup_free_ char *e = alert_text_clean("a\xff", 3, false);
	char buf[ALERT_TIME_MAX];

	ASSERT_STREQ(a, "h\xc3\xa9llo?");
	ASSERT_STREQ(b, "h??llo");
	/* Cut on a character boundary. */
	ASSERT_STREQ(c, "ab");
	ASSERT_STREQ(d, "abc");
	ASSERT_STREQ(e, "a");
	ASSERT_STREQ(alert_time_format(buf, 1), "1970-01-01T00:00:00.000001Z");
}

static const struct test tests[] = {
	TEST_ENTRY(json_failed),
	TEST_ENTRY(json_test_and_signal),
	TEST_ENTRY(slack),
	TEST_ENTRY(summary),
	TEST_ENTRY(mail),
	TEST_ENTRY(clean),
};

TEST_MAIN(tests)
