/* Unit tests for strv: vectors, shell-style splitting and quoting, the
 * environment helpers, and vectors as JSON arrays (strv-json). */
#include <errno.h>

#include "runner.h"
#include "strv.h"
#include "strv-json.h"
#include "xmalloc.h"

/* Words joined with '|' to compare a whole vector in one string. */
static char *
bars(char **l)
{
	char *s = xstrdup(""), *t;
	size_t i;

	for (i = 0; l[i]; i++) {
		t = xstrfmt("%s%s%s", s, i ? "|" : "", l[i]);
		free(s);
		s = t;
	}
	return s;
}

static const struct {
	const char *in;
	const char *words;		/* joined with '|' */
	size_t n;
} split_good[] = {
	{ "", "", 0 },
	{ "   \t ", "", 0 },
	{ "a", "a", 1 },
	{ "  a  b\tc\n d ", "a|b|c|d", 4 },
	{ "'a b' c", "a b|c", 2 },
	{ "\"a b\" c", "a b|c", 2 },
	{ "''", "", 1 },
	{ "'' \"\"", "|", 2 },
	{ "a'b'\"c\"d", "abcd", 1 },
	{ "'it'\\''s'", "it's", 1 },
	{ "\"say \\\"hi\\\"\"", "say \"hi\"", 1 },
	{ "\"\\$HOME \\` \\\\ \\n\"", "$HOME ` \\ \\n", 1 },
	{ "'\\n $x \"'", "\\n $x \"", 1 },
	{ "a\\ b", "a b", 1 },
	{ "\\'", "'", 1 },
	{ "a\\\nb", "ab", 1 },
	{ "\"a\\\nb\"", "ab", 1 },
	{ "$HOME ~ *.c", "$HOME|~|*.c", 3 },
	{ "a;b # c", "a;b|#|c", 3 },
	{ "echo 'x;y' \"#z\"", "echo|x;y|#z", 3 },
};

TEST(split_good)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(split_good); i++) {
		_cleanup_(strv_freep) char **l = NULL;
		_cleanup_free_ char *joined = NULL;
		char *cause = NULL;

		CASE("split_good row %zu", i);
		ASSERT_OK(strv_split_quoted(split_good[i].in, &l, &cause));
		ASSERT_NULL(cause);
		ASSERT_NOT_NULL(l);
		ASSERT_EQ(strv_length(l), split_good[i].n);
		joined = bars(l);
		ASSERT_STREQ(joined, split_good[i].words);
	}
}

static const struct {
	const char *in;
	const char *cause;
} split_bad[] = {
	{ "'abc", "unterminated single quote" },
	{ "a 'b\\'c'", "unterminated single quote" },
	{ "\"abc", "unterminated double quote" },
	{ "\"ab\\\"", "unterminated double quote" },
	{ "abc\\", "trailing backslash" },
	{ "\\", "trailing backslash" },
};

TEST(split_bad)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(split_bad); i++) {
		char **l = NULL, *cause = NULL;

		CASE("split_bad row %zu", i);
		ASSERT_EQ(strv_split_quoted(split_bad[i].in, &l, &cause),
		    -EINVAL);
		ASSERT_NULL(l);
		ASSERT_STREQ(cause, split_bad[i].cause);
		free(cause);
	}
}

static const struct {
	const char *words[4];
	const char *joined;
} join_cases[] = {
	{ { "ls", "-l", "/tmp" }, "ls -l /tmp" },
	{ { "a b", "" }, "'a b' ''" },
	{ { "it's" }, "'it'\\''s'" },
	{ { "$x", "\"q\"", "a\\b" }, "'$x' '\"q\"' 'a\\b'" },
	{ { "x=1,y:2@h%+" }, "x=1,y:2@h%+" },
	{ { "new\nline", "tab\there" }, "'new\nline' 'tab\there'" },
};

TEST(join_round_trip)
{
	size_t i, n;

	for (i = 0; i < ELEMENTSOF(join_cases); i++) {
		_cleanup_(strv_freep) char **in = NULL, **back = NULL;
		_cleanup_free_ char *s = NULL;

		for (n = 0; join_cases[i].words[n]; n++)
			in = strv_append(in, join_cases[i].words[n]);
		s = strv_join_quoted(in);
		ASSERT_STREQ(s, join_cases[i].joined);
		ASSERT_OK(strv_split_quoted(s, &back, NULL));
		ASSERT(strv_equal(in, back));
	}
}

TEST(join_empty)
{
	_cleanup_free_ char *a = strv_join_quoted(NULL);
	char *none[] = { NULL };
	_cleanup_free_ char *b = strv_join_quoted(none);

	ASSERT_STREQ(a, "");
	ASSERT_STREQ(b, "");
}

TEST(vectors)
{
	_cleanup_(strv_freep) char **a = NULL, **b = NULL;
	char *none[] = { NULL };

	ASSERT_EQ(strv_length(NULL), 0);
	ASSERT(strv_equal(NULL, none));
	a = strv_append(a, "one");
	a = strv_push(a, xstrdup("two"));
	ASSERT_EQ(strv_length(a), 2);
	ASSERT_NULL(a[2]);
	b = strv_copy(a);
	ASSERT(b != a && b[0] != a[0]);
	ASSERT(strv_equal(a, b));
	b = strv_append(b, "three");
	ASSERT(!strv_equal(a, b));
	ASSERT(!strv_equal(a, NULL));
	free(b[2]);
	b[2] = NULL;
	ASSERT(strv_equal(a, b));
	free(b[1]);
	b[1] = xstrdup("tWo");
	ASSERT(!strv_equal(a, b));
	ASSERT_NULL(strv_copy(NULL));
	ASSERT_NULL(strv_free(NULL));
}

TEST(env)
{
	_cleanup_(strv_freep) char **env = NULL;

	env = strv_env_set(env, "A=1");
	env = strv_env_set(env, "B=2=3");
	env = strv_env_set(env, "AB=x");
	env = strv_env_set(env, "A=4");
	ASSERT_EQ(strv_length(env), 3);
	ASSERT_STREQ(env[0], "A=4");
	ASSERT_STREQ(strv_env_get(env, "A"), "4");
	ASSERT_STREQ(strv_env_get(env, "B"), "2=3");
	ASSERT_STREQ(strv_env_get(env, "AB"), "x");
	ASSERT_NULL(strv_env_get(env, "C"));
	env = strv_env_unset(env, "A");
	ASSERT_EQ(strv_length(env), 2);
	ASSERT_NULL(strv_env_get(env, "A"));
	ASSERT_STREQ(env[0], "B=2=3");
	ASSERT_NULL(strv_env_unset(NULL, "A"));
}

static const struct {
	const char *s;
	bool valid;
} assignments[] = {
	{ "A=1", true },
	{ "_x9=", true },
	{ "PATH=/a:/b", true },
	{ "A==", true },
	{ "A", false },
	{ "=1", false },
	{ "9A=1", false },
	{ "A-B=1", false },
	{ "A B=1", false },
	{ "", false },
};

TEST(env_assignment)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(assignments); i++) {
		CASE("assignments row %zu", i);
		ASSERT_EQ(strv_env_assignment_is_valid(assignments[i].s),
		    assignments[i].valid);
	}
}

TEST(json)
{
	char *v[] = { "a", "", "x y", NULL };
	json_t *a;
	char *text;

	a = strv_json(v);
	text = json_dumps(a, JSON_COMPACT);
	ASSERT_STREQ(text, "[\"a\",\"\",\"x y\"]");
	free(text);
	json_decref(a);
	a = strv_json(NULL);
	ASSERT(json_is_array(a));
	ASSERT_EQ(json_array_size(a), 0);
	json_decref(a);
}

static const struct test tests[] = {
	TEST_ENTRY(split_good),
	TEST_ENTRY(split_bad),
	TEST_ENTRY(join_round_trip),
	TEST_ENTRY(join_empty),
	TEST_ENTRY(vectors),
	TEST_ENTRY(env),
	TEST_ENTRY(env_assignment),
	TEST_ENTRY(json),
};

TEST_MAIN(tests)
