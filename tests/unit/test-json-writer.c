/* Tests for common/json-writer.c: commas and nesting, escapes, invalid
 * UTF-8 repaired, and that what it writes is JSON that jansson reads back
 * to the same values. */
#include <limits.h>

#include "json-writer.h"
#include "runner.h"

/* The text written so far, which the writer keeps NUL-terminated. */
static const char *
text(struct json_writer *w)
{
	return w->buf ? w->buf : "";
}

TEST(nesting_and_commas)
{
	struct json_writer w;

	jw_init(&w);
	jw_open(&w, '{');
	jw_kint(&w, "a", 1);
	jw_key(&w, "b");
	jw_open(&w, '[');
	jw_int(&w, -2);
	jw_bool(&w, true);
	jw_open(&w, '{');
	jw_close(&w, '}');
	jw_open(&w, '[');
	jw_close(&w, ']');
	jw_close(&w, ']');
	jw_kstr(&w, "c", "x");
	jw_key(&w, "d");
	jw_bool(&w, false);
	jw_close(&w, '}');
	ASSERT_STREQ(text(&w),
	    "{\"a\":1,\"b\":[-2,true,{},[]],\"c\":\"x\",\"d\":false}");
	jw_done(&w);
	ASSERT_NULL(w.buf);
}

TEST(integer_limits)
{
	struct json_writer w;
	json_t *v;

	jw_init(&w);
	jw_open(&w, '[');
	jw_int(&w, LLONG_MIN);
	jw_int(&w, LLONG_MAX);
	jw_int(&w, 0);
	jw_close(&w, ']');
	ASSERT_STREQ(text(&w),
	    "[-9223372036854775808,9223372036854775807,0]");
	v = jw_to_json(&w);
	ASSERT_NOT_NULL(v);
	ASSERT_EQ(json_integer_value(json_array_get(v, 1)), LLONG_MAX);
	json_decref(v);
}

TEST(escapes)
{
	struct json_writer w;
	json_t *v;

	jw_init(&w);
	jw_string(&w, "q\"b\\n\n\t\r\x01\x1f/\x7f");
	ASSERT_STREQ(text(&w),
	    "\"q\\\"b\\\\n\\n\\t\\r\\u0001\\u001f/\x7f\"");
	v = jw_to_json(&w);
	ASSERT_NOT_NULL(v);
	ASSERT_STREQ(json_string_value(v), "q\"b\\n\n\t\r\x01\x1f/\x7f");
	json_decref(v);
}

/* Valid multi-byte sequences pass; every invalid byte becomes U+FFFD, so
 * a child's or a sender's bytes never make the reply invalid JSON. */
TEST(utf8_kept_and_repaired)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		  "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "a\xffz", "a\xef\xbf\xbdz" },
		{ "\xc3", "\xef\xbf\xbd" },			/* cut short */
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },	/* overlong */
		{ "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf4\x90\x80\x80",				/* > U+10FFFF */
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\x80x", "\xef\xbf\xbdx" },
	};
	struct json_writer w;
	size_t i;
	json_t *v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		jw_init(&w);
		jw_string(&w, cases[i].in);
		v = jw_to_json(&w);
		ASSERT_NOT_NULL(v);
		ASSERT_STREQ(json_string_value(v), cases[i].out);
		json_decref(v);
	}
}

TEST(embedded_tree_and_keys_escaped)
{
	struct json_writer w;
	json_t *tree = json_pack("{s:[i,s]}", "k", 7, "v"), *v;

	jw_init(&w);
	jw_open(&w, '{');
	jw_kstr(&w, "we\"ird", "");
	jw_key(&w, "tree");
	jw_json(&w, tree);
	jw_kint(&w, "after", 3);
	jw_close(&w, '}');
	ASSERT_STREQ(text(&w),
	    "{\"we\\\"ird\":\"\",\"tree\":{\"k\":[7,\"v\"]},\"after\":3}");
	v = jw_to_json(&w);
	ASSERT(json_equal(json_object_get(v, "tree"), tree));
	json_decref(v);
	json_decref(tree);
}

/* Large texts grow the buffer; jw_steal hands it over and resets. */
TEST(grows_and_steals)
{
	struct json_writer w;
	json_t *v;
	size_t len, i;
	char *s;

	jw_init(&w);
	jw_open(&w, '[');
	for (i = 0; i < 100000; i++)
		jw_string(&w, "0123456789");
	jw_close(&w, ']');
	s = jw_steal(&w, &len);
	ASSERT_NULL(w.buf);
	ASSERT_EQ(len, strlen(s));
	/* Quoted strings of 12 bytes and the commas between them. */
	ASSERT_EQ(len, (size_t)(2 + 100000 * 13 - 1));
	v = json_loads(s, 0, NULL);
	ASSERT_EQ(json_array_size(v), (size_t)100000);
	json_decref(v);
	free(s);
	jw_init(&w);
	s = jw_steal(&w, &len);
	ASSERT_EQ(len, (size_t)0);
	ASSERT_STREQ(s, "");
	free(s);
}

static const struct test tests[] = {
	TEST_ENTRY(nesting_and_commas),
	TEST_ENTRY(integer_limits),
	TEST_ENTRY(escapes),
	TEST_ENTRY(utf8_kept_and_repaired),
	TEST_ENTRY(embedded_tree_and_keys_escaped),
	TEST_ENTRY(grows_and_steals),
};

TEST_MAIN(tests)
