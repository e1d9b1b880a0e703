/* Unit tests for timeutil: time span parsing and formatting, timestamps,
 * clocks, and signal names (signame is small enough to share the binary). */
#include <errno.h>
#include <signal.h>
#include <strings.h>

#include "runner.h"
#include "signame.h"
#include "timeutil.h"
#include "xmalloc.h"

#define S USEC_PER_SEC
#define MS USEC_PER_MSEC

static const struct {
	const char *in;
	usec_t usec;
} span_good[] = {
	{ "90", 90 * S },
	{ "0", 0 },
	{ "1h 30min", 5400 * S },
	{ "1h30min", 5400 * S },
	{ "  1h   30min  ", 5400 * S },
	{ "500ms", 500 * MS },
	{ "1.5h", 5400 * S },
	{ "1.5", 1500 * MS },
	{ "0.25s", 250 * MS },
	{ "2.0001s", 2 * S + 100 },
	{ "10us", 10 },
	{ "3usec", 3 },
	{ "5msec", 5 * MS },
	{ "5 s", 5 * S },
	{ "1sec 2second 3seconds", 6 * S },
	{ "2m", 120 * S },
	{ "1min 1minute 1minutes", 180 * S },
	{ "1hr 1hour 1hours", 3 * USEC_PER_HOUR },
	{ "1d", USEC_PER_DAY },
	{ "2days 1day", 3 * USEC_PER_DAY },
	{ "1w", 7 * USEC_PER_DAY },
	{ "1week 1weeks", 14 * USEC_PER_DAY },
	{ "1M", 2629800 * S },
	{ "1month 1months", 2 * 2629800 * S },
	{ "1y", 31557600 * S },
	{ "1year 1years", 2 * 31557600 * S },
	{ "1h 30", 3630 * S },
	{ "infinity", USEC_INFINITY },
	{ " infinity ", USEC_INFINITY },
	{ "5000y", 5000ULL * 31557600 * S },
};

TEST(span_good)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(span_good); i++) {
		usec_t v = 1;
		char *cause = NULL;

		CASE("span_good row %zu", i);
		ASSERT_OK(timespan_parse(span_good[i].in, &v, &cause));
		ASSERT_NULL(cause);
		ASSERT(v == span_good[i].usec);
	}
}

static const struct {
	const char *in;
	int r;
	const char *cause;
} span_bad[] = {
	{ "", -EINVAL, "empty time span" },
	{ "   ", -EINVAL, "empty time span" },
	{ "5 parsecs", -EINVAL, "unknown unit 'parsecs'" },
	{ "1h 5x", -EINVAL, "unknown unit 'x'" },
	{ "10S", -EINVAL, "unknown unit 'S'" },
	{ "1e3", -EINVAL, "unknown unit 'e'" },
	{ "h", -EINVAL, "expected a number at 'h'" },
	{ "-5s", -EINVAL, "expected a number at '-5s'" },
	{ "1h -5s", -EINVAL, "expected a number at '-5s'" },
	{ ".5s", -EINVAL, "expected a number at '.5s'" },
	{ "1..5s", -EINVAL, "expected a number at '.5s'" },
	{ "5s,", -EINVAL, "expected a number at ','" },
	{ "infinity 5s", -EINVAL, "expected a number at 'infinity 5s'" },
	{ "18446744073709551616", -ERANGE, "time span too large" },
	{ "18446744073709551615us", -ERANGE, "time span too large" },
	{ "18446744073710s", -ERANGE, "time span too large" },
	{ "600000y", -ERANGE, "time span too large" },
	{ "300000y 300000y", -ERANGE, "time span too large" },
};

TEST(span_bad)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(span_bad); i++) {
		usec_t v = 7;
		char *cause = NULL;

		CASE("span_bad row %zu", i);
		ASSERT_EQ(timespan_parse(span_bad[i].in, &v, &cause),
		    span_bad[i].r);
		ASSERT_STREQ(cause, span_bad[i].cause);
		ASSERT(v == 7);
		free(cause);
		/* The cause is optional. */
		ASSERT_EQ(timespan_parse(span_bad[i].in, &v, NULL),
		    span_bad[i].r);
	}
}

static const struct {
	usec_t usec;
	const char *text;
} span_formats[] = {
	{ 0, "0" },
	{ USEC_INFINITY, "infinity" },
	{ 5400 * S, "1h 30min" },
	{ 500 * MS, "500ms" },
	{ 90 * S, "1min 30s" },
	{ 1500 * MS + 7, "1s 500ms 7us" },
	{ 3 * USEC_PER_DAY + 1, "3d 1us" },
};

TEST(span_format)
{
	char buf[TIMESPAN_MAX];
	usec_t back;
	size_t i;

	for (i = 0; i < ELEMENTSOF(span_formats); i++) {
		ASSERT_STREQ(timespan_format(buf, sizeof(buf),
		    span_formats[i].usec), span_formats[i].text);
		/* What is printed reads back as the same span. */
		ASSERT_OK(timespan_parse(buf, &back, NULL));
		ASSERT(back == span_formats[i].usec);
	}
	/* A short buffer truncates but stays a string. */
	ASSERT_STREQ(timespan_format(buf, 6, 5400 * S), "1h");
}

TEST(timestamp)
{
	char buf[TIMESTAMP_MAX];

	ASSERT_STREQ(timestamp_format(buf, sizeof(buf), 0),
	    "1970-01-01T00:00:00.000000Z");
	ASSERT_STREQ(timestamp_format(buf, sizeof(buf),
	    1795428000ULL * S + 42), "2026-11-23T10:00:00.000042Z");
	ASSERT_STREQ(timestamp_format(buf, sizeof(buf), USEC_INFINITY),
	    "n/a");
}

TEST(clocks)
{
	usec_t a, b, r;

	a = now_monotonic();
	b = now_monotonic();
	ASSERT(a > 0 && b >= a);
	r = now_realtime();
	/* After 2020-01-01 and before 2200. */
	ASSERT(r > 1577836800ULL * S && r < 7258118400ULL * S);
}

static const struct {
	const char *in;
	int sig;
} signals_good[] = {
	{ "TERM", SIGTERM },
	{ "SIGTERM", SIGTERM },
	{ "sigterm", SIGTERM },
	{ "term", SIGTERM },
	{ "15", SIGTERM },
	{ "KILL", SIGKILL },
	{ "HUP", SIGHUP },
	{ "INT", SIGINT },
	{ "QUIT", SIGQUIT },
	{ "USR1", SIGUSR1 },
	{ "SIGUSR2", SIGUSR2 },
	{ "WINCH", SIGWINCH },
	{ "PWR", SIGPWR },
	{ "1", 1 },
	{ "64", 64 },
};

TEST(signals_good)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(signals_good); i++) {
		CASE("signals_good row %zu", i);
		ASSERT_EQ(signal_from_string(signals_good[i].in),
		    signals_good[i].sig);
	}
	/* SIGRTMIN is not a constant in glibc. */
	ASSERT_EQ(signal_from_string("RTMIN"), SIGRTMIN);
	ASSERT_EQ(signal_from_string("SIGRTMIN+2"), SIGRTMIN + 2);
	ASSERT_EQ(signal_from_string("rtmax"), SIGRTMAX);
	ASSERT_EQ(signal_from_string("RTMAX-1"), SIGRTMAX - 1);
}

TEST(signals_bad)
{
	static const char *const bad[] = {
		"", "0", "65", "-1", "+15", "15x", "SIG", "SIGFOO", "TERMX",
		"RTMIN+", "RTMIN+99", "RTMAX+1", "RTMIN-1", " TERM",
	};
	size_t i;

	for (i = 0; i < ELEMENTSOF(bad); i++) {
		CASE("[%s]", bad[i]);
		ASSERT_EQ(signal_from_string(bad[i]), -EINVAL);
	}
}

TEST(signals_to_string)
{
	_cleanup_free_ char *rt = xstrfmt("%d", SIGRTMIN + 1);

	ASSERT_STREQ(signal_to_string(SIGTERM), "SIGTERM");
	ASSERT_STREQ(signal_to_string(SIGKILL), "SIGKILL");
	ASSERT_STREQ(signal_to_string(SIGRTMIN + 1), rt);
	ASSERT_STREQ(signal_to_string(0), "0");
	ASSERT_EQ(signal_from_string(signal_to_string(SIGCHLD)), SIGCHLD);
}

static const struct test tests[] = {
	TEST_ENTRY(span_good),
	TEST_ENTRY(span_bad),
	TEST_ENTRY(span_format),
	TEST_ENTRY(timestamp),
	TEST_ENTRY(clocks),
	TEST_ENTRY(signals_good),
	TEST_ENTRY(signals_bad),
	TEST_ENTRY(signals_to_string),
};

TEST_MAIN(tests)
