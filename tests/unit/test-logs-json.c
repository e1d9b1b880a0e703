/* Unit tests for the lines of Logs and Tail replies: text or base64, the
 * unit and run of a TailLine, and a reply's bound (the oldest lines left
 * out and counted). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "logs-json.h"
#include "runner.h"
#include "tail.h"

TEST(text_or_base64)
{
	struct tail t;
	json_t *a, *l;
	size_t omitted;

	tail_init(&t, 4096);
	tail_append(&t, TAIL_STDOUT, 7, "h\xc3\xa9llo", 6);
	tail_append(&t, TAIL_STDERR, 8, "\xff\xfe", 2);
	a = logs_lines_json(&t, 0, NULL, 0, &omitted);
	ASSERT_EQ(omitted, 0);
	ASSERT_EQ(json_array_size(a), 2);
	l = json_array_get(a, 0);
	ASSERT_STREQ(json_string_value(json_object_get(l, "text")),
	    "h\xc3\xa9llo");
	ASSERT_STREQ(json_string_value(json_object_get(l, "stream")),
	    "stdout");
	ASSERT_EQ(json_integer_value(json_object_get(l, "usec")), 7);
	ASSERT_NULL(json_object_get(l, "job"));
	l = json_array_get(a, 1);
	ASSERT_NULL(json_object_get(l, "text"));
	ASSERT_STREQ(json_string_value(json_object_get(l, "base64")), "//4=");
	ASSERT_STREQ(json_string_value(json_object_get(l, "stream")),
	    "stderr");
	json_decref(a);
	tail_done(&t);
}

TEST(tail_lines_name_their_unit_and_run)
{
	struct tail t;
	json_t *a, *l;
	size_t omitted;

	tail_init(&t, 4096);
	tail_append(&t, TAIL_STDOUT, 1, "one", 3);
	tail_append(&t, TAIL_STDOUT, 2, "two", 3);
	tail_append(&t, TAIL_STDOUT, 3, "three", 5);
	a = logs_lines_json(&t, 2, "web-a", 42, &omitted);
	ASSERT_EQ(json_array_size(a), 2);
	l = json_array_get(a, 0);
	ASSERT_STREQ(json_string_value(json_object_get(l, "text")), "two");
	ASSERT_STREQ(json_string_value(json_object_get(l, "job")), "web-a");
	ASSERT_EQ(json_integer_value(json_object_get(l, "run")), 42);
	json_decref(a);
	/* The size counted covers the tags. */
	ASSERT(logs_line_size(TAILQ_FIRST(&t.lines), "web-a") >=
	    logs_line_size(TAILQ_FIRST(&t.lines), NULL) +
	    strlen(",\"job\":\"web-a\",\"run\":18446744073709551615"));
	tail_done(&t);
}

/* Lines of control bytes cost six times their length as JSON: a 16 MiB
 * tail of them holds far more than one reply may. */
TEST(a_reply_holds_the_newest_that_fit)
{
	static char line[8192];
	size_t omitted, size = 0, i;
	struct tail t;
	json_t *a;
	char *text;

	memset(line, 1, sizeof(line));
	tail_init(&t, 16 * 1024 * 1024);
	for (i = 0; i < 1000; i++)
		tail_append(&t, TAIL_STDOUT, i, line, sizeof(line));
	tail_append(&t, TAIL_STDOUT, i, "end", 3);
	a = logs_lines_json(&t, 0, "u", 1, &omitted);
	ASSERT(omitted > 0);
	ASSERT_EQ(omitted + json_array_size(a), 1001);
	ASSERT_STREQ(json_string_value(json_object_get(json_array_get(a,
	    json_array_size(a) - 1), "text")), "end");
	text = json_dumps(a, JSON_COMPACT);
	size = strlen(text);
	ASSERT(size <= LOGS_REPLY_MAX);
	free(text);
	json_decref(a);
	tail_done(&t);
}

static const struct test tests[] = {
	TEST_ENTRY(text_or_base64),
	TEST_ENTRY(tail_lines_name_their_unit_and_run),
	TEST_ENTRY(a_reply_holds_the_newest_that_fit),
};

TEST_MAIN(tests)
