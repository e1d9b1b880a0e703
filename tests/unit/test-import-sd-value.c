/* Unit tests for jobctl import systemd's reading of systemd's value
 * syntax (jobctl/import-sd-value.c): words with quotes and C escapes,
 * specifiers, time spans, booleans and sizes, each row as systemd 252
 * reads it (systemd.syntax(7), systemd.unit(5), systemd.time(7)). */
#include <errno.h>
#include <string.h>

#include "import-sd.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

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
} words_good[] = {
	{ "", "" },
	{ "/bin/true", "/bin/true" },
	{ "a  b\tc", "a|b|c" },
	{ "\"A=two words\" B=1", "A=two words|B=1" },
	{ "'single $x' \"double\"", "single $x|double" },
	{ "a\"b c\"d", "ab cd" },
	{ "\\x41\\t\\101", "A\t\101" },
	{ "'\\n'", "\n" },
	{ "a\\sb", "a b" },
	{ "\\u00e9", "\xc3\xa9" },
	{ "find . -exec rm {} \\;", "find|.|-exec|rm|{}|;" },
	{ "a ; b", "a|;|b" },
};

TEST(words_good)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(words_good); i++) {
		char **w = NULL, **raw = NULL, *cause = NULL, *j;

		CASE("%s", words_good[i].in);
		ASSERT_OK(sd_words(words_good[i].in, &w, &raw, &cause));
		j = bars(w);
		ASSERT_STREQ(j, words_good[i].words);
		ASSERT_EQ(strv_length(w), strv_length(raw));
		free(j);
		strv_free(w);
		strv_free(raw);
	}
}

TEST(words_raw_semicolon)
{
	char **w = NULL, **raw = NULL, *cause = NULL;

	ASSERT_OK(sd_words("a ; b \\; c", &w, &raw, &cause));
	ASSERT_STREQ(raw[1], ";");
	ASSERT_STREQ(raw[3], "\\;");
	ASSERT_STREQ(w[3], ";");
	strv_free(w);
	strv_free(raw);
}

TEST(words_bad)
{
	static const char *const bad[] = { "\"open", "'open", "\\q",
	    "\\x4", "\\x00" };
	size_t i;

	for (i = 0; i < ELEMENTSOF(bad); i++) {
		char **w = NULL, *cause = NULL;

		CASE("%s", bad[i]);
		ASSERT_EQ(sd_words(bad[i], &w, NULL, &cause), -EINVAL);
		ASSERT_NOT_NULL(cause);
		free(cause);
	}
}

static struct sd_unit *
unit(const char *name, const char *prefix, const char *instance)
{
	struct sd_unit *u = xcalloc(1, sizeof(*u));

	u->name = xstrdup(name);
	u->path = xstrfmt("/lib/systemd/system/%s", name);
	u->type = xstrdup(strrchr(name, '.') + 1);
	u->prefix = xstrdup(prefix);
	u->instance = instance ? xstrdup(instance) : NULL;
	return u;
}

static const struct {
	const char *in;
	const char *out;		/* NULL: refused */
} specifiers[] = {
	{ "%n", "backup@srv-data.service" },
	{ "%N", "backup@srv-data" },
	{ "%p", "backup" },
	{ "%i", "srv-data" },
	{ "%I", "srv/data" },
	{ "%f", "/srv/data" },
	{ "%t/%p.sock", "/run/backup.sock" },
	{ "%S %C %L %E %T %V", "/var/lib /var/cache /var/log /etc /tmp /var/tmp" },
	{ "%h %u %U", "/root root 0" },
	{ "100%%", "100%" },
	{ "%y", "/lib/systemd/system/backup@srv-data.service" },
	{ "%H", NULL },
	{ "%m", NULL },
	{ "%Z", NULL },
	{ "50%", NULL },
};

TEST(specifier_values)
{
	struct sd_unit *u = unit("backup@srv-data.service", "backup",
	    "srv-data");
	size_t i;

	for (i = 0; i < ELEMENTSOF(specifiers); i++) {
		char *cause = NULL, *v;

		CASE("%s", specifiers[i].in);
		v = sd_specifiers(u, specifiers[i].in, &cause);
		if (specifiers[i].out)
			ASSERT_STREQ(v, specifiers[i].out);
		else {
			ASSERT_NULL(v);
			ASSERT_NOT_NULL(cause);
		}
		free(v);
		free(cause);
	}
	sd_unit_free(u);
}

TEST(specifier_template)
{
	struct sd_unit *u = unit("backup@.service", "backup", NULL);
	struct sd_unit *plain = unit("fstrim.service", "fstrim", NULL);
	char *cause = NULL, *v;

	ASSERT_NULL(sd_specifiers(u, "%i", &cause));
	ASSERT(strstr(cause, "template") != NULL);
	free(cause);
	v = sd_specifiers(plain, "x%iy", &cause);
	ASSERT_STREQ(v, "xy");
	free(v);
	sd_unit_free(u);
	sd_unit_free(plain);
}

static const struct {
	const char *in;
	usec_t usec;
	const char *jobd;
} spans[] = {
	{ "6000", 6000 * USEC_PER_SEC, "1h 40min" },
	{ "60m", USEC_PER_HOUR, "1h" },
	{ "12h", 12 * USEC_PER_HOUR, "12h" },
	{ "1h 30min", 90 * USEC_PER_MINUTE, "1h 30min" },
	{ "2hr5s", 2 * USEC_PER_HOUR + 5 * USEC_PER_SEC, "2h 5s" },
	{ "500ms", 500 * USEC_PER_MSEC, "500ms" },
	{ "1.5h", 90 * USEC_PER_MINUTE, "1h 30min" },
	{ "1 week", 7 * USEC_PER_DAY, "7d" },
	{ "0", 0, "0" },
	{ "infinity", USEC_INFINITY, "infinity" },
};

TEST(timespans)
{
	static const char *const bad[] = { "", "soon", "5 fortnights",
	    "-1s", "1h x" };
	size_t i;
	usec_t u;

	for (i = 0; i < ELEMENTSOF(spans); i++) {
		char *t;

		CASE("%s", spans[i].in);
		ASSERT_OK(sd_timespan(spans[i].in, &u));
		ASSERT(u == spans[i].usec);
		t = sd_span_text(u);
		ASSERT_STREQ(t, spans[i].jobd);
		free(t);
	}
	for (i = 0; i < ELEMENTSOF(bad); i++) {
		CASE("bad %s", bad[i]);
		ASSERT_EQ(sd_timespan(bad[i], &u), -EINVAL);
	}
}

TEST(booleans_and_sizes)
{
	unsigned long long n;

	ASSERT_EQ(sd_bool("yes"), 1);
	ASSERT_EQ(sd_bool("True"), 1);
	ASSERT_EQ(sd_bool("off"), 0);
	ASSERT_EQ(sd_bool("maybe"), -EINVAL);
	ASSERT_OK(sd_size("1G", &n));
	ASSERT(n == 1073741824ULL);
	ASSERT_OK(sd_size("512", &n));
	ASSERT_EQ(n, 512);
	ASSERT_OK(sd_size("4K", &n));
	ASSERT_EQ(n, 4096);
	ASSERT_EQ(sd_size("4KB", &n), -EINVAL);
	ASSERT_EQ(sd_size("x", &n), -EINVAL);
}

static const struct test tests[] = {
	TEST_ENTRY(words_good),
	TEST_ENTRY(words_raw_semicolon),
	TEST_ENTRY(words_bad),
	TEST_ENTRY(specifier_values),
	TEST_ENTRY(specifier_template),
	TEST_ENTRY(timespans),
	TEST_ENTRY(booleans_and_sizes),
};

TEST_MAIN(tests)
