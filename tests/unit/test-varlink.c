/* Tests for common/varlink.c: framing NUL-terminated messages whatever the
 * read boundaries, the size bound, and what counts as a well-formed call or
 * reply. */
#include <errno.h>

#include <string.h>

#include "macro.h"
#include "runner.h"
#include "varlink.h"
#include "xmalloc.h"

static void
feed(struct varlink_framer *f, const char *s, size_t n)
{
	ASSERT_OK(varlink_framer_feed(f, s, n));
}

/* Takes the next message, which must be there and be an object. */
static json_t *
next_ok(struct varlink_framer *f)
{
	char *cause = NULL;
	json_t *m = NULL;

	ASSERT_EQ(varlink_framer_next(f, &m, &cause), 1);
	ASSERT_NULL(cause);
	ASSERT(json_is_object(m));
	return m;
}

static void
next_none(struct varlink_framer *f)
{
	char *cause = NULL;
	json_t *m = (json_t *)1;

	ASSERT_EQ(varlink_framer_next(f, &m, &cause), 0);
	ASSERT_NULL(m);
	ASSERT_NULL(cause);
}

static void
next_bad(struct varlink_framer *f, const char *want)
{
	char *cause = NULL;
	json_t *m = NULL;

	ASSERT_EQ(varlink_framer_next(f, &m, &cause), -EBADMSG);
	ASSERT_NULL(m);
	ASSERT_NOT_NULL(cause);
	ASSERT(strstr(cause, want) != NULL);
	free(cause);
}

static json_int_t
int_of(json_t *m, const char *key)
{
	json_t *v = json_object_get(m, key);

	ASSERT(json_is_integer(v));
	return json_integer_value(v);
}

TEST(framer_split_reads)
{
	struct varlink_framer f;
	json_t *m;

	varlink_framer_init(&f, VARLINK_MAX_MESSAGE);
	feed(&f, "{\"a\":", 5);
	next_none(&f);
	feed(&f, "12", 2);
	next_none(&f);
	feed(&f, "3}", 2);
	next_none(&f);
	feed(&f, "", 1);
	m = next_ok(&f);
	ASSERT_EQ(int_of(m, "a"), 123);
	json_decref(m);
	next_none(&f);
	ASSERT_EQ(f.len, 0);
	varlink_framer_done(&f);
}

TEST(framer_byte_at_a_time)
{
	static const char msg[] =
	    "{\"method\":\"x.Y\",\"parameters\":{\"n\":7}}";
	struct varlink_framer f;
	json_t *m;
	size_t i;

	varlink_framer_init(&f, VARLINK_MAX_MESSAGE);
	/* sizeof includes the NUL: the last byte fed ends the frame. */
	for (i = 0; i < sizeof(msg) - 1; i++) {
		feed(&f, msg + i, 1);
		next_none(&f);
	}
	feed(&f, msg + i, 1);
	m = next_ok(&f);
	ASSERT_EQ(int_of(json_object_get(m, "parameters"), "n"), 7);
	json_decref(m);
	varlink_framer_done(&f);
}

TEST(framer_several_in_one_read)
{
	static const char data[] = "{\"i\":1}\0{\"i\":2}\0\0{\"i\":3}\0{\"i\"";
	struct varlink_framer f;
	json_t *m;

	varlink_framer_init(&f, VARLINK_MAX_MESSAGE);
	feed(&f, data, sizeof(data) - 1);
	m = next_ok(&f);
	ASSERT_EQ(int_of(m, "i"), 1);
	json_decref(m);
	m = next_ok(&f);
	ASSERT_EQ(int_of(m, "i"), 2);
	json_decref(m);
	/* An empty frame is not a message, and does not stop the rest. */
	next_bad(&f, "invalid JSON");
	m = next_ok(&f);
	ASSERT_EQ(int_of(m, "i"), 3);
	json_decref(m);
	next_none(&f);
	feed(&f, ":4}", 4);
	m = next_ok(&f);
	ASSERT_EQ(int_of(m, "i"), 4);
	json_decref(m);
	next_none(&f);
	varlink_framer_done(&f);
}

TEST(framer_missing_nul)
{
	struct varlink_framer f;

	varlink_framer_init(&f, VARLINK_MAX_MESSAGE);
	feed(&f, "{}", 2);
	next_none(&f);
	next_none(&f);
	/* Still buffered, waiting for its terminator. */
	ASSERT_EQ(f.len, 2);
	feed(&f, "", 1);
	json_decref(next_ok(&f));
	varlink_framer_done(&f);
}

/* A message of exactly max bytes is fine; one more byte is not. */
TEST(framer_bound_exact)
{
	struct varlink_framer f;
	char buf[40];
	json_t *m;

	/* {"s":"xxxxxxxxxx"} is 18 bytes. */
	strcpy(buf, "{\"s\":\"xxxxxxxxxx\"}");
	ASSERT_EQ(strlen(buf), 18);
	varlink_framer_init(&f, 18);
	feed(&f, buf, 19);
	m = next_ok(&f);
	ASSERT_STREQ(json_string_value(json_object_get(m, "s")),
	    "xxxxxxxxxx");
	json_decref(m);
	varlink_framer_done(&f);

	varlink_framer_init(&f, 17);
	feed(&f, buf, 19);
	ASSERT_EQ(varlink_framer_next(&f, &m, &(char *){ NULL }), -EMSGSIZE);
	varlink_framer_done(&f);

	/* max + 1 bytes and no NUL yet: can only grow past the bound. */
	varlink_framer_init(&f, 17);
	feed(&f, buf, 18);
	ASSERT_EQ(varlink_framer_next(&f, &m, &(char *){ NULL }), -EMSGSIZE);
	varlink_framer_done(&f);
}

TEST(framer_oversized_without_nul)
{
	struct varlink_framer f;
	char big[64];
	json_t *m;
	int r = 0;
	size_t i;

	memset(big, ' ', sizeof(big));
	varlink_framer_init(&f, 16);
	/* Small reads: refused once more than max + 1 bytes would pile up
	 * with no end in sight, or at the latest when taking the next. */
	for (i = 0; i < sizeof(big) && r == 0; i += 4) {
		r = varlink_framer_feed(&f, big + i, 4);
		if (r == 0)
			r = varlink_framer_next(&f, &m, &(char *){ NULL });
	}
	ASSERT_EQ(r, -EMSGSIZE);
	ASSERT(f.len <= 17);
	varlink_framer_done(&f);
}

TEST(framer_oversized_first_read)
{
	struct varlink_framer f;
	char big[64];

	memset(big, 'x', sizeof(big));
	/* Nothing buffered yet (no buffer at all). */
	varlink_framer_init(&f, 16);
	ASSERT_EQ(varlink_framer_feed(&f, big, sizeof(big)), -EMSGSIZE);
	varlink_framer_done(&f);
}

TEST(framer_invalid_json)
{
	static const char data[] = "{\"a\":}\0{\"b\":2}";
	struct varlink_framer f;
	json_t *m;

	varlink_framer_init(&f, VARLINK_MAX_MESSAGE);
	feed(&f, data, sizeof(data));
	next_bad(&f, "invalid JSON");
	/* The bad frame was consumed; the next one is intact. */
	m = next_ok(&f);
	ASSERT_EQ(int_of(m, "b"), 2);
	json_decref(m);
	feed(&f, "{} trailing", 12);
	next_bad(&f, "invalid JSON");
	feed(&f, "{\"a\":1,\"a\":2}", 14);
	next_bad(&f, "invalid JSON");
	varlink_framer_done(&f);
}

TEST(framer_not_an_object)
{
	static const char *const bad[] = { "[1,2]", "\"text\"", "42", "null" };
	struct varlink_framer f;
	char *cause = NULL;
	json_t *m = NULL;
	size_t i;

	varlink_framer_init(&f, VARLINK_MAX_MESSAGE);
	for (i = 0; i < ELEMENTSOF(bad); i++) {
		feed(&f, bad[i], strlen(bad[i]) + 1);
		ASSERT_EQ(varlink_framer_next(&f, &m, &cause), -EBADMSG);
		ASSERT_NULL(m);
		ASSERT_NOT_NULL(cause);
		free(cause);
		cause = NULL;
	}
	feed(&f, "[]", 3);
	next_bad(&f, "not a JSON object");
	ASSERT_EQ(f.len, 0);
	varlink_framer_done(&f);
}

/* Parses text as a call; returns the result and keeps msg for borrowing. */
static int
parse_call(const char *text, json_t **msg, struct varlink_call *call,
    char **cause)
{
	*msg = json_loads(text, 0, NULL);
	ASSERT_NOT_NULL(*msg);
	*cause = NULL;
	return varlink_call_parse(*msg, call, cause);
}

/* Frames of a one-string reply ({"parameters":{"text":"..."}}) are
 * decoded without jansson when they can be: whichever way, the message
 * must be what jansson reads, and what jansson refuses must be refused. */
static const char *const text_frames[] = {
	"{\"parameters\":{\"text\":\"\"}}",
	"{\"parameters\":{\"text\":\"plain\"}}",
	"{\"parameters\":{\"text\":\"a\\nb\\tc\\rd\\\"e\\\\f\\/g\\bh\\fi\"}}",
	"{\"parameters\":{\"text\":\"x{job=\\\"a\\\"} 1\\n# EOF\\n\"}}",
	"{\"parameters\":{\"text\":\"\\u0001\\u001f\\u007f\\u0041\"}}",
	"{\"parameters\":{\"text\":\"\\u00e9\\u20ac\\ud83d\\ude00\"}}",
	"{\"parameters\":{\"text\":\"caf\xc3\xa9\"}}",
	"{\"parameters\":{\"text\":\"ends in a backslash\\\\\"}}",
	"{\"parameters\":{\"text\":\"quote at the end\\\"\"}}",
	/* Not JSON, or not one string: jansson decides. */
	"{\"parameters\":{\"text\":\"raw \" quote\"}}",
	"{\"parameters\":{\"text\":\"raw\ttab\"}}",
	"{\"parameters\":{\"text\":\"bad \\x escape\"}}",
	"{\"parameters\":{\"text\":\"cut \\u00\"}}",
	"{\"parameters\":{\"text\":\"nul \\u0000\"}}",
	"{\"parameters\":{\"text\":\"bad utf8 \xff\"}}",
	"{\"parameters\":{\"text\":\"a\",\"x\":\"b\"}}",
	"{\"parameters\":{\"text\":\"a\"},\"continues\":true}",
	"{\"parameters\":{\"text\":\"trailing \\\\\\\"}}",
	"{\"parameters\":{\"text\":\"",
	"{\"parameters\":{\"text\":\"\"}}}",
};

TEST(framer_text_reply)
{
	struct varlink_framer f;
	json_error_t err;
	json_t *m, *want;
	char *cause;
	size_t i, n;
	int r;

	for (i = 0; i < ELEMENTSOF(text_frames); i++) {
		CASE("frame %zu: %s", i, text_frames[i]);
		n = strlen(text_frames[i]);
		want = json_loadb(text_frames[i], n, JSON_REJECT_DUPLICATES,
		    &err);
		varlink_framer_init(&f, VARLINK_MAX_MESSAGE);
		feed(&f, text_frames[i], n + 1);
		m = NULL;
		cause = NULL;
		r = varlink_framer_next(&f, &m, &cause);
		if (want && json_is_object(want)) {
			ASSERT_EQ(r, 1);
			ASSERT(json_equal(m, want));
		} else {
			ASSERT(r < 0);
			ASSERT_NULL(m);
			free(cause);
		}
		json_decref(m);
		json_decref(want);
		varlink_framer_done(&f);
	}
}

TEST(call_valid)
{
	struct varlink_call c;
	char *cause;
	json_t *m;

	ASSERT_OK(parse_call("{\"method\":\"io.jobd.Manager.Start\","
	    "\"parameters\":{\"jobs\":[\"a\"]},\"more\":true}", &m, &c,
	    &cause));
	ASSERT_STREQ(c.method, "io.jobd.Manager.Start");
	ASSERT(c.more);
	ASSERT(!c.oneway);
	ASSERT_EQ(json_array_size(json_object_get(c.parameters, "jobs")), 1);
	json_decref(m);

	/* Absent or null parameters are an empty object; null flags are
	 * false; reverse-domain extension keys are allowed. */
	ASSERT_OK(parse_call("{\"method\":\"a.B\",\"oneway\":null,"
	    "\"com.example.trace\":{}}", &m, &c, &cause));
	ASSERT(json_is_object(c.parameters));
	ASSERT_EQ(json_object_size(c.parameters), 0);
	ASSERT(!c.oneway && !c.more);
	json_decref(m);
	ASSERT_OK(parse_call("{\"method\":\"a.B\",\"parameters\":null,"
	    "\"oneway\":true}", &m, &c, &cause));
	ASSERT(json_is_object(c.parameters));
	ASSERT(c.oneway);
	json_decref(m);
}

TEST(call_invalid)
{
	static const struct {
		const char *text, *cause;
	} cases[] = {
		{ "{}", "no method" },
		{ "{\"parameters\":{}}", "no method" },
		{ "{\"method\":7}", "no method" },
		{ "{\"method\":\"List\"}", "not qualified" },
		{ "{\"method\":\".List\"}", "not qualified" },
		{ "{\"method\":\"io.jobd.\"}", "not qualified" },
		{ "{\"method\":\"a.B\",\"more\":1}",
		    "'more' is not a boolean" },
		{ "{\"method\":\"a.B\",\"oneway\":\"yes\"}",
		    "'oneway' is not a boolean" },
		{ "{\"method\":\"a.B\",\"upgrade\":{}}",
		    "'upgrade' is not a boolean" },
		{ "{\"method\":\"a.B\",\"bogus\":true}",
		    "unknown key 'bogus'" },
		{ "{\"method\":\"a.B\",\"more\":true,\"oneway\":true}",
		    "exclusive" },
		{ "{\"method\":\"a.B\",\"more\":true,\"upgrade\":true}",
		    "exclusive" },
		{ "{\"method\":\"a.B\",\"parameters\":[]}", "not an object" },
		{ "{\"method\":\"a.B\",\"parameters\":\"x\"}",
		    "not an object" },
	};
	struct varlink_call c;
	char *cause;
	json_t *m;
	size_t i;

	for (i = 0; i < ELEMENTSOF(cases); i++) {
		ASSERT_EQ(parse_call(cases[i].text, &m, &c, &cause), -EBADMSG);
		if (!cause || !strstr(cause, cases[i].cause))
			test_fail(__FILE__, __LINE__, "%s: cause '%s', want "
			    "'%s'", cases[i].text, cause ? cause : "(null)",
			    cases[i].cause);
		free(cause);
		json_decref(m);
	}
}

/* What varlink_call_new builds goes through encode, the framer and
 * varlink_call_parse unchanged. */
TEST(call_round_trip)
{
	struct varlink_framer f;
	struct varlink_call c;
	char *cause = NULL, *buf;
	json_t *m;
	size_t len;

	m = varlink_call_new("io.jobd.Manager.Logs",
	    json_pack("{s:s, s:b}", "job", "backup", "follow", 1), true);
	buf = varlink_encode(m, &len);
	json_decref(m);
	ASSERT_EQ(buf[len - 1], '\0');
	ASSERT_EQ(strlen(buf), len - 1);
	varlink_framer_init(&f, VARLINK_MAX_MESSAGE);
	feed(&f, buf, len);
	free(buf);
	m = next_ok(&f);
	ASSERT_OK(varlink_call_parse(m, &c, &cause));
	ASSERT_STREQ(c.method, "io.jobd.Manager.Logs");
	ASSERT(c.more);
	ASSERT_STREQ(json_string_value(json_object_get(c.parameters, "job")),
	    "backup");
	json_decref(m);

	m = varlink_call_new("a.B", NULL, false);
	ASSERT_OK(varlink_call_parse(m, &c, &cause));
	ASSERT(!c.more);
	ASSERT(json_object_get(m, "more") == NULL);
	json_decref(m);
	varlink_framer_done(&f);
}

TEST(reply_parse)
{
	struct varlink_reply r;
	char *cause = NULL;
	json_t *m;

	m = json_loads("{\"parameters\":{\"runs\":[]},\"continues\":true}", 0,
	    NULL);
	ASSERT_OK(varlink_reply_parse(m, &r, &cause));
	ASSERT_NULL(r.error);
	ASSERT(r.continues);
	ASSERT(json_is_array(json_object_get(r.parameters, "runs")));
	json_decref(m);

	/* systemd >= 257 leaves out empty parameters. */
	m = json_loads("{\"error\":\"io.jobd.Manager.NoSuchJob\"}", 0, NULL);
	ASSERT_OK(varlink_reply_parse(m, &r, &cause));
	ASSERT_STREQ(r.error, "io.jobd.Manager.NoSuchJob");
	ASSERT(!r.continues);
	ASSERT(json_is_object(r.parameters));
	json_decref(m);

	m = json_loads("{\"error\":5}", 0, NULL);
	ASSERT_EQ(varlink_reply_parse(m, &r, &cause), -EBADMSG);
	ASSERT_NOT_NULL(cause);
	free(cause);
	cause = NULL;
	json_decref(m);
	m = json_loads("{\"continues\":\"yes\"}", 0, NULL);
	ASSERT_EQ(varlink_reply_parse(m, &r, &cause), -EBADMSG);
	free(cause);
	cause = NULL;
	json_decref(m);
	m = json_loads("{\"parameters\":[1]}", 0, NULL);
	ASSERT_EQ(varlink_reply_parse(m, &r, &cause), -EBADMSG);
	ASSERT_STREQ(cause, "reply parameters is not an object");
	free(cause);
	json_decref(m);
}

TEST(reply_new_and_error_new)
{
	struct varlink_reply r;
	char *cause = NULL;
	json_t *m;

	m = varlink_reply_new(json_pack("{s:i}", "run", 12), true);
	ASSERT_OK(varlink_reply_parse(m, &r, &cause));
	ASSERT(r.continues);
	ASSERT_NULL(r.error);
	ASSERT_EQ(int_of(r.parameters, "run"), 12);
	json_decref(m);

	m = varlink_reply_new(NULL, false);
	ASSERT_OK(varlink_reply_parse(m, &r, &cause));
	ASSERT(!r.continues);
	ASSERT(json_object_get(m, "continues") == NULL);
	ASSERT_EQ(json_object_size(r.parameters), 0);
	json_decref(m);

	m = varlink_error_new("org.varlink.service.InvalidParameter",
	    json_pack("{s:s}", "parameter", "jobs"));
	ASSERT_OK(varlink_reply_parse(m, &r, &cause));
	ASSERT_STREQ(r.error, "org.varlink.service.InvalidParameter");
	ASSERT_STREQ(json_string_value(json_object_get(r.parameters,
	    "parameter")), "jobs");
	json_decref(m);
}

static const struct test tests[] = {
	TEST_ENTRY(framer_split_reads),
	TEST_ENTRY(framer_byte_at_a_time),
	TEST_ENTRY(framer_several_in_one_read),
	TEST_ENTRY(framer_missing_nul),
	TEST_ENTRY(framer_bound_exact),
	TEST_ENTRY(framer_oversized_without_nul),
	TEST_ENTRY(framer_oversized_first_read),
	TEST_ENTRY(framer_invalid_json),
	TEST_ENTRY(framer_not_an_object),
	TEST_ENTRY(framer_text_reply),
	TEST_ENTRY(call_valid),
	TEST_ENTRY(call_invalid),
	TEST_ENTRY(call_round_trip),
	TEST_ENTRY(reply_parse),
	TEST_ENTRY(reply_new_and_error_new),
};

TEST_MAIN(tests)
