/* Unit tests for tz: floor division, civil date arithmetic, TZif loading
 * and name checks, instant -> wall time and back in UTC, Europe/Berlin,
 * America/New_York, Australia/Lord_Howe (30-minute DST) and Asia/Kolkata,
 * the gaps and folds of 2026, and 2100, which only the TZif footer rule can
 * answer.  Expected instants were computed independently with Python's
 * zoneinfo. */
#include <errno.h>
#include <stdlib.h>

#include "floor-div.h"
#include "macro.h"
#include "runner.h"
#include "tz.h"

static struct tz *
load(const char *name)
{
	struct tz *z = NULL;
	char *cause = NULL;

	ASSERT_OK(tz_load(name, &z, &cause));
	ASSERT_NULL(cause);
	ASSERT_NOT_NULL(z);
	return z;
}

TEST(floor_div)
{
	ASSERT_EQ(floor_div(7, 2), 3);
	ASSERT_EQ(floor_div(-7, 2), -4);
	ASSERT_EQ(floor_div(7, -2), -4);
	ASSERT_EQ(floor_div(-7, -2), 3);
	ASSERT_EQ(floor_div(-86400, 86400), -1);
	ASSERT_EQ(floor_div(-1, 86400), -1);
	ASSERT_EQ(floor_div(0, 12), 0);
}

TEST(civil)
{
	int64_t d, y;
	int m, day, prev_m = 12, prev_d = 31;

	ASSERT_EQ(tz_days_from_civil(1970, 1, 1), 0);
	ASSERT_EQ(tz_days_from_civil(1969, 12, 31), -1);
	ASSERT_EQ(tz_days_from_civil(2000, 3, 1), 11017);
	ASSERT_EQ(tz_days_from_civil(2026, 3, 29), 20541);
	ASSERT_EQ(tz_weekday(0), 4);		/* a Thursday */
	ASSERT_EQ(tz_weekday(-1), 3);
	ASSERT_EQ(tz_weekday(20541), 0);	/* 2026-03-29, a Sunday */
	ASSERT_EQ(tz_days_in_month(2024, 2), 29);
	ASSERT_EQ(tz_days_in_month(2100, 2), 28);
	ASSERT_EQ(tz_days_in_month(2000, 2), 29);
	ASSERT_EQ(tz_days_in_month(2026, 4), 30);
	/* Every day from 1600 to 2400 follows the one before. */
	for (d = tz_days_from_civil(1600, 1, 1);
	    d < tz_days_from_civil(2400, 1, 1); d++) {
		tz_civil_from_days(d, &y, &m, &day);
		ASSERT_EQ(tz_days_from_civil(y, m, day), d);
		ASSERT(day == prev_d + 1 || (day == 1 && (m == prev_m + 1 ||
		    (m == 1 && prev_m == 12))));
		prev_m = m;
		prev_d = day;
	}
}

TEST(utc)
{
	struct tz *z = load("UTC");
	struct tz_local l;
	int64_t inst[2], next;

	ASSERT_STREQ(tz_name(z), "UTC");
	tz_to_local(z, 1780308000, &l);		/* 2026-06-01 10:00:00Z */
	ASSERT_EQ(l.year, 2026);
	ASSERT_EQ(l.month, 6);
	ASSERT_EQ(l.day, 1);
	ASSERT_EQ(l.hour, 10);
	ASSERT_EQ(l.minute, 0);
	ASSERT_EQ(l.second, 0);
	ASSERT_EQ(l.wday, 1);
	ASSERT_EQ(l.gmtoff, 0);
	ASSERT(!l.isdst);
	tz_to_local(z, -1, &l);
	ASSERT_EQ(l.year, 1969);
	ASSERT_EQ(l.second, 59);
	ASSERT_EQ(tz_from_local(z, &(struct tz_local){ .year = 2026,
	    .month = 6, .day = 1, .hour = 10 }, inst, NULL), 1);
	ASSERT_EQ(inst[0], 1780308000);
	ASSERT_EQ(tz_next_transition(z, 0, &next), 0);
	z = tz_free(z);
	ASSERT_NULL(z);
}

static const struct {
	const char *zone;
	int64_t t;
	int year, month, day, hour, minute, second;
	int32_t gmtoff;
	bool isdst;
} to_local[] = {
	{ "Europe/Berlin", 1780308000, 2026, 6, 1, 12, 0, 0, 7200, true },
	{ "Europe/Berlin", 1774745999, 2026, 3, 29, 1, 59, 59, 3600, false },
	{ "Europe/Berlin", 1774746000, 2026, 3, 29, 3, 0, 0, 7200, true },
	{ "Europe/Berlin", 1792889999, 2026, 10, 25, 2, 59, 59, 7200, true },
	{ "Europe/Berlin", 1792890000, 2026, 10, 25, 2, 0, 0, 3600, false },
	{ "America/New_York", 1772953199, 2026, 3, 8, 1, 59, 59, -18000,
	    false },
	{ "America/New_York", 1772953200, 2026, 3, 8, 3, 0, 0, -14400, true },
	{ "America/New_York", 1793512800, 2026, 11, 1, 1, 0, 0, -18000,
	    false },
	{ "Australia/Lord_Howe", 1775314799, 2026, 4, 5, 1, 59, 59, 39600,
	    true },
	{ "Australia/Lord_Howe", 1775314800, 2026, 4, 5, 1, 30, 0, 37800,
	    false },
	{ "Australia/Lord_Howe", 1791041399, 2026, 10, 4, 1, 59, 59, 37800,
	    false },
	{ "Australia/Lord_Howe", 1791041400, 2026, 10, 4, 2, 30, 0, 39600,
	    true },
	{ "Asia/Kolkata", 1780308000, 2026, 6, 1, 15, 30, 0, 19800, false },
	{ "Asia/Kolkata", 1767225600, 2026, 1, 1, 5, 30, 0, 19800, false },
	/* 2100: past the transition table of any TZif file. */
	{ "Europe/Berlin", 4118083200, 2100, 7, 1, 2, 0, 0, 7200, true },
	{ "Europe/Berlin", 4102444800, 2100, 1, 1, 1, 0, 0, 3600, false },
	{ "Europe/Berlin", 4109878799, 2100, 3, 28, 1, 59, 59, 3600, false },
	{ "Europe/Berlin", 4109878800, 2100, 3, 28, 3, 0, 0, 7200, true },
	{ "America/New_York", 4129250400, 2100, 11, 7, 1, 0, 0, -18000,
	    false },
	{ "Australia/Lord_Howe", 4126174200, 2100, 10, 3, 2, 30, 0, 39600,
	    true },
};

TEST(to_local)
{
	struct tz_local l;
	struct tz *z;
	size_t i;

	for (i = 0; i < ELEMENTSOF(to_local); i++) {
		CASE("%s %lld", to_local[i].zone, (long long)to_local[i].t);
		z = load(to_local[i].zone);
		ASSERT_STREQ(tz_name(z), to_local[i].zone);
		tz_to_local(z, to_local[i].t, &l);
		ASSERT_EQ(l.year, to_local[i].year);
		ASSERT_EQ(l.month, to_local[i].month);
		ASSERT_EQ(l.day, to_local[i].day);
		ASSERT_EQ(l.hour, to_local[i].hour);
		ASSERT_EQ(l.minute, to_local[i].minute);
		ASSERT_EQ(l.second, to_local[i].second);
		ASSERT_EQ(l.gmtoff, to_local[i].gmtoff);
		ASSERT_EQ(l.isdst, to_local[i].isdst);
		ASSERT_EQ(tz_offset(z, to_local[i].t, NULL), l.gmtoff);
		tz_free(z);
	}
}

/* Wall times around the changes: 0 instants (gap, with its end), 1, or
 * 2 (fold, earlier first). */
static const struct {
	const char *zone;
	int year, month, day, hour, minute;
	int n;
	int64_t a, b;		/* instants, or the gap's end in a */
} from_local[] = {
	{ "Europe/Berlin", 2026, 3, 29, 2, 30, 0, 1774746000, 0 },
	{ "Europe/Berlin", 2026, 3, 29, 1, 59, 1, 1774745940, 0 },
	{ "Europe/Berlin", 2026, 3, 29, 3, 0, 1, 1774746000, 0 },
	{ "Europe/Berlin", 2026, 10, 25, 2, 30, 2, 1792888200, 1792891800 },
	{ "Europe/Berlin", 2026, 10, 25, 3, 0, 1, 1792893600, 0 },
	{ "Europe/Berlin", 2026, 6, 1, 12, 0, 1, 1780308000, 0 },
	{ "America/New_York", 2026, 3, 8, 2, 30, 0, 1772953200, 0 },
	{ "America/New_York", 2026, 11, 1, 1, 30, 2, 1793511000,
	    1793514600 },
	{ "Australia/Lord_Howe", 2026, 10, 4, 2, 15, 0, 1791041400, 0 },
	{ "Australia/Lord_Howe", 2026, 10, 4, 2, 30, 1, 1791041400, 0 },
	{ "Australia/Lord_Howe", 2026, 4, 5, 1, 45, 2, 1775313900,
	    1775315700 },
	{ "Australia/Lord_Howe", 2026, 4, 5, 1, 29, 1, 1775312940, 0 },
	{ "Asia/Kolkata", 2026, 6, 1, 15, 30, 1, 1780308000, 0 },
	{ "Europe/Berlin", 2100, 3, 28, 2, 30, 0, 4109878800, 0 },
	{ "Europe/Berlin", 2100, 10, 31, 2, 30, 2, 4128625800, 4128629400 },
	{ "America/New_York", 2100, 3, 14, 2, 0, 0, 4108690800, 0 },
};

TEST(from_local)
{
	int64_t inst[2], gap_end;
	struct tz *z;
	size_t i;
	int n;

	for (i = 0; i < ELEMENTSOF(from_local); i++) {
		CASE("%s %04d-%02d-%02d %02d:%02d", from_local[i].zone,
		    from_local[i].year, from_local[i].month, from_local[i].day,
		    from_local[i].hour, from_local[i].minute);
		z = load(from_local[i].zone);
		gap_end = -1;
		n = tz_from_local(z, &(struct tz_local){
		    .year = from_local[i].year, .month = from_local[i].month,
		    .day = from_local[i].day, .hour = from_local[i].hour,
		    .minute = from_local[i].minute }, inst, &gap_end);
		ASSERT_EQ(n, from_local[i].n);
		if (n == 0)
			ASSERT_EQ(gap_end, from_local[i].a);
		else
			ASSERT_EQ(inst[0], from_local[i].a);
		if (n == 2)
			ASSERT_EQ(inst[1], from_local[i].b);
		tz_free(z);
	}
}

static const struct {
	const char *zone;
	int64_t after, next;
} transitions[] = {
	{ "Europe/Berlin", 1767225600, 1774746000 },
	{ "Europe/Berlin", 1774746000, 1792890000 },
	{ "America/New_York", 1767225600, 1772953200 },
	{ "America/New_York", 1772953200, 1793512800 },
	{ "Australia/Lord_Howe", 1767225600, 1775314800 },
	{ "Australia/Lord_Howe", 1775314800, 1791041400 },
	/* From the footer rule. */
	{ "Europe/Berlin", 4102444800, 4109878800 },
	{ "Europe/Berlin", 4109878800, 4128627600 },
	{ "America/New_York", 4102444800, 4108690800 },
	{ "Australia/Lord_Howe", 4102444800, 4110447600 },
	{ "Australia/Lord_Howe", 4110447600, 4126174200 },
};

TEST(next_transition)
{
	struct tz *z;
	int64_t next;
	size_t i;

	for (i = 0; i < ELEMENTSOF(transitions); i++) {
		CASE("%s after %lld", transitions[i].zone,
		    (long long)transitions[i].after);
		z = load(transitions[i].zone);
		ASSERT_EQ(tz_next_transition(z, transitions[i].after, &next),
		    1);
		ASSERT_EQ(next, transitions[i].next);
		tz_free(z);
	}
	z = load("Asia/Kolkata");
	ASSERT_EQ(tz_next_transition(z, 1767225600, &next), 0);
	tz_free(z);
}

/* Every instant of 2026 and 2100 in 7-minute steps maps back to itself,
 * and each wall time has 1 or 2 instants (or none, in a gap). */
TEST(round_trip)
{
	static const char *const zones[] = {
		"Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
		"Asia/Kolkata",
	};
	static const int64_t from[] = { 1767225600, 4102444800 };
	struct tz_local l;
	int64_t t, inst[2];
	size_t i, j;
	int n;

	for (i = 0; i < ELEMENTSOF(zones); i++) {
		struct tz *z = load(zones[i]);

		for (j = 0; j < ELEMENTSOF(from); j++) {
			for (t = from[j]; t < from[j] + 366 * 86400; t += 420) {
				tz_to_local(z, t, &l);
				n = tz_from_local(z, &l, inst, NULL);
				ASSERT(n == 1 || n == 2);
				ASSERT(inst[0] == t ||
				    (n == 2 && inst[1] == t));
			}
		}
		tz_free(z);
	}
}

TEST(unknown)
{
	static const char *const bad[] = {
		"Mars/Base", "../../etc/passwd", "/etc/passwd", "Europe/../UTC",
		"Europe", "Europe//Berlin", "Europe/Berlin/", "Europe/Ber lin",
		"./UTC",
	};
	struct tz *z;
	char *cause;
	size_t i;

	for (i = 0; i < ELEMENTSOF(bad); i++) {
		CASE("%s", bad[i]);
		z = NULL;
		cause = NULL;
		ASSERT_EQ(tz_load(bad[i], &z, &cause), -ENOENT);
		ASSERT_NULL(z);
		ASSERT_NOT_NULL(cause);
		ASSERT(strstr(cause, "unknown time zone '") == cause);
		free(cause);
	}
	cause = NULL;
	ASSERT_EQ(tz_load("Mars/Base", &z, &cause), -ENOENT);
	ASSERT_STREQ(cause, "unknown time zone 'Mars/Base'");
	free(cause);
}

TEST(system_zone)
{
	struct tz *a = load(NULL), *b = load("");

	ASSERT(strlen(tz_name(a)) > 0);
	ASSERT_STREQ(tz_name(a), tz_name(b));
	ASSERT_EQ(tz_offset(a, 1780308000, NULL),
	    tz_offset(b, 1780308000, NULL));
	tz_free(a);
	tz_free(b);
	ASSERT_NULL(tz_free(NULL));
}

static const struct test tests[] = {
	TEST_ENTRY(floor_div),
	TEST_ENTRY(civil),
	TEST_ENTRY(utc),
	TEST_ENTRY(to_local),
	TEST_ENTRY(from_local),
	TEST_ENTRY(next_transition),
	TEST_ENTRY_TIMEOUT(round_trip, 60),
	TEST_ENTRY(unknown),
	TEST_ENTRY(system_zone),
};

TEST_MAIN(tests)
