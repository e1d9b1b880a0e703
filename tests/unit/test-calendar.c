/* Unit tests for calendar: which syntax a value is read as, the systemd
 * normalised forms (peers.md 4.1, as systemd-analyze prints them), every
 * error text, hand-checked cron tables (Vixie's OR rule, '*' + weekday
 * AND, names, macros, 6 and 7 fields refused), the DST tables of
 * systemd-and-oracles.md 3 under each policy as UTC instants, fractional
 * seconds, and speed.  The oracle test compares with systemd-analyze. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "calendar.h"
#include "macro.h"
#include "runner.h"
#include "tz.h"

#define S USEC_PER_SEC

/* "2026-03-28 01:30:00" (UTC, optional ".5") as usec. */
static usec_t
at(const char *s)
{
	int y, mo, d, h, mi;
	double sec;

	ASSERT_EQ(sscanf(s, "%d-%d-%d %d:%d:%lf", &y, &mo, &d, &h, &mi, &sec),
	    6);
	return (usec_t)(tz_days_from_civil(y, mo, d) * 86400 + h * 3600 +
	    mi * 60) * S + (usec_t)(sec * S + 0.5);
}

static struct cal_spec *
parse(const char *expr)
{
	struct cal_spec *s = NULL;
	char *cause = NULL;

	if (cal_parse(expr, &s, &cause) < 0)
		test_fail(__FILE__, __LINE__, "'%s': %s", expr, cause);
	ASSERT_NULL(cause);
	return s;
}

static struct tz *
zone(const char *name)
{
	struct tz *z = NULL;
	char *cause = NULL;

	ASSERT_OK(tz_load(name, &z, &cause));
	return z;
}

static const struct {
	const char *in, *out;
	enum cal_syntax syntax;
} forms[] = {
	/* peers.md 4.1 */
	{ "Wed-Sat,Tue 12-10-15 1:2:3", "Tue..Sat 2012-10-15 01:02:03", 0 },
	{ "*:2/3", "*-*-* *:02/3:00", 0 },
	{ "05:40", "*-*-* 05:40:00", 0 },
	{ "mon,fri *-1/2-1,3 *:30:45", "Mon,Fri *-01/2-01,03 *:30:45", 0 },
	/* shorthands */
	{ "minutely", "*-*-* *:*:00", 0 },
	{ "hourly", "*-*-* *:00:00", 0 },
	{ "daily", "*-*-* 00:00:00", 0 },
	{ "weekly", "Mon *-*-* 00:00:00", 0 },
	{ "monthly", "*-*-01 00:00:00", 0 },
	{ "yearly", "*-01-01 00:00:00", 0 },
	{ "annually", "*-01-01 00:00:00", 0 },
	{ "quarterly", "*-01,04,07,10-01 00:00:00", 0 },
	{ "semiannually", "*-01,07-01 00:00:00", 0 },
	{ "DAILY", "*-*-* 00:00:00", 0 },
	/* components */
	{ "*:0/15", "*-*-* *:00/15:00", 0 },
	{ "*-*-01/2", "*-*-01/2 00:00:00", 0 },
	{ "*-02~03", "*-02~03 00:00:00", 0 },
	{ "Mon *-05~07/1", "Mon *-05~07/1 00:00:00", 0 },
	{ "*-*~1", "*-*~01 00:00:00", 0 },
	{ "11:12:13.5", "*-*-* 11:12:13.500000", 0 },
	{ "*-*-* 1:2:3.25/0.5", "*-*-* 01:02:03.250000/0.500000", 0 },
	{ "*:*:*", "*-*-* *:*:*", 0 },
	{ "*:*:0/1", "*-*-* *:*:*", 0 },
	{ "*:*:1..5", "*-*-* *:*:01..05", 0 },
	{ "1..6/2:00", "*-*-* 01..05/2:00:00", 0 },
	{ "1..5:00", "*-*-* 01..05:00:00", 0 },
	{ "5,1,3,1:00", "*-*-* 01,03,05:00:00", 0 },
	{ "Mon..Sun", "*-*-* 00:00:00", 0 },
	{ "Mon,Fri,", "Mon,Fri *-*-* 00:00:00", 0 },
	{ "Mon..Wed,Fri..Sun 12:00", "Mon..Wed,Fri..Sun *-*-* 12:00:00", 0 },
	{ "Monday-Wednesday", "Mon..Wed *-*-* 00:00:00", 0 },
	{ "sat,sun", "Sat,Sun *-*-* 00:00:00", 0 },
	{ "26..30-*-*", "2026..2030-*-* 00:00:00", 0 },
	{ "99-01-01", "1999-01-01 00:00:00", 0 },
	{ "2026/2-*-* 00:00", "2026/2-*-* 00:00:00", 0 },
	{ "2:3:4.000001", "*-*-* 02:03:04.000001", 0 },
	{ "@1700000000", "2023-11-14 22:13:20 UTC", 0 },
	/* zones */
	{ "daily UTC", "*-*-* 00:00:00 UTC", 0 },
	{ "daily utc", "*-*-* 00:00:00 UTC", 0 },
	{ "Mon..Fri *-*-* 09:00 UTC", "Mon..Fri *-*-* 09:00:00 UTC", 0 },
	{ "*-*-* 02:30 Europe/Berlin", "*-*-* 02:30:00 Europe/Berlin", 0 },
	{ "daily Etc/UTC", "*-*-* 00:00:00 Etc/UTC", 0 },
	/* cron */
	{ "0 9 * * 1-5", "0 9 * * 1-5", 1 },
	{ "*/15  *\t* * *", "*/15 * * * *", 1 },
	{ "0 0 1 jan,JUL Sun", "0 0 1 jan,JUL Sun", 1 },
	{ "@daily", "@daily", 1 },
	{ "@REBOOT", "@reboot", 1 },
};

TEST(format)
{
	struct cal_spec *s;
	char *out;
	size_t i;

	for (i = 0; i < ELEMENTSOF(forms); i++) {
		CASE("%s", forms[i].in);
		s = parse(forms[i].in);
		out = cal_format(s);
		ASSERT_STREQ(out, forms[i].out);
		ASSERT_EQ(cal_syntax(s), forms[i].syntax ? CAL_SYNTAX_CRON :
		    CAL_SYNTAX_SYSTEMD);
		free(out);
		cal_free(s);
	}
}

static const struct {
	const char *in, *cause;
} errors[] = {
	{ "", "empty schedule" },
	{ "Mon..Fro 9:00", "unknown weekday 'Fro'" },
	{ "Fro 9:00", "unknown weekday 'Fro'" },
	{ "Fri..Mon", "weekday range 'Fri..Mon' goes backwards" },
	{ "Mon..", "open weekday range in 'Mon..'" },
	{ "Mon.Fri", "invalid weekday list 'Mon.Fri'" },
	{ "Mon,,Fri", "invalid weekday list 'Mon,,Fri'" },
	{ "*-*-* 12:61", "minute 61 out of range 0-59" },
	{ "*-*-* 25:00", "hour 25 out of range 0-23" },
	{ "*-13-01", "month 13 out of range 1-12" },
	{ "*-02-32", "day 32 out of range 1-31" },
	{ "*-02~29", "day ~29 out of range ~1-~28" },
	{ "*:*:60", "second 60 out of range 0-59" },
	{ "*:*:59.9999995", "second 60 out of range 0-59" },
	{ "2200-01-01", "year 2200 out of range 1970-2199" },
	{ "*:0/0", "invalid repetition '/0'" },
	{ "*:0/60", "invalid repetition '0/60': the minute never repeats" },
	{ "*-*~3/3", "invalid repetition '~3/3': the day never repeats" },
	{ "*:*/2", "invalid repetition '*/2' in the minute: a repetition "
	    "needs a start value, like '0/2'" },
	{ "*-*-5..1", "day range '5..1' goes backwards" },
	{ "*:*:1..1", "invalid second '1..1'" },
	{ "*-*-* 1a:00", "invalid hour '1a'" },
	{ "*-*-* 1.5:00", "invalid hour '1.5'" },
	{ "*-~1", "invalid month ''" },
	{ "1-2-3-4", "invalid date '1-2-3-4': expected MONTH-DAY or "
	    "YEAR-MONTH-DAY, with '~' only before the day" },
	{ "1~2-3", "invalid date '1~2-3': expected MONTH-DAY or "
	    "YEAR-MONTH-DAY, with '~' only before the day" },
	{ "5", "invalid date '5': expected MONTH-DAY or YEAR-MONTH-DAY, "
	    "with '~' only before the day" },
	{ "12:00:00:00", "invalid time '12:00:00:00': expected "
	    "HOUR:MINUTE[:SECOND]" },
	{ "*-*-* 5", "invalid time '5': expected HOUR:MINUTE[:SECOND]" },
	{ "12:00 *-*-*", "invalid date '12:00'" },
	{ "12:00 13:00 14:00", "unexpected '14:00'" },
	{ "daily 12:00", "unexpected '12:00' after 'daily'" },
	{ "*-*-* 00:00 Mars/Base", "unknown time zone 'Mars/Base'" },
	{ "daily Europe/../../etc/passwd",
	    "unknown time zone 'Europe/../../etc/passwd'" },
	{ "daily ../../etc/passwd",
	    "unexpected '../../etc/passwd' after 'daily'" },
	/* cron */
	{ "61 * * * *", "minute 61 out of range 0-59" },
	{ "0 24 * * *", "hour 24 out of range 0-23" },
	{ "0 0 32 * *", "day of month 32 out of range 1-31" },
	{ "0 0 0 * *", "day of month 0 out of range 1-31" },
	{ "0 0 * 13 *", "month 13 out of range 1-12" },
	{ "0 0 * * 8", "day of week 8 out of range 0-7" },
	{ "0 0 * foo *", "unknown month 'foo'" },
	{ "0 0 * * Fro", "unknown weekday 'Fro'" },
	{ "0 0 * * monday", "unknown weekday 'monday'" },
	{ "x * * * *", "invalid minute 'x'" },
	{ "*/0 * * * *", "invalid step '/0' in the minute field" },
	{ "*/x * * * *", "invalid step '/x' in the minute field" },
	{ "5-1 * * * *", "range '5-1' goes backwards in the minute field" },
	{ "1,,2 * * * *", "empty list element in the minute field '1,,2'" },
	{ "0 0 * *", "cron needs exactly 5 fields (minute hour day-of-month "
	    "month day-of-week), got 4" },
	{ "0 0 * * * *", "6-field cron is not supported: the first field "
	    "would be seconds in Quartz/robfig and minutes in Vixie cron; use "
	    "5 fields or the systemd calendar syntax '*-*-* *:*:00/10'" },
	{ "0 0 0 * * * 2027", "7-field cron is not supported: Quartz puts "
	    "seconds first and a year last; use 5 fields or the systemd "
	    "calendar syntax ('2027-*-* *:*:00/10')" },
	{ "@foo", "unknown cron macro '@foo' (known: @reboot @yearly "
	    "@annually @monthly @weekly @daily @midnight @hourly)" },
	{ "@daily extra", "unexpected 'extra' after '@daily'" },
	{ "@17x", "invalid timestamp '@17x'" },
	/* Other crons' syntax, named with what to write instead. */
	{ "0 0 * * 5#3", "'5#3' (the 3rd Fri of the month) is Quartz and "
	    "cronie syntax that jobd does not read: write it in systemd "
	    "syntax, e.g. 'Fri *-*-15..21 00:00'" },
	{ "0 0 * * 1#5", "'1#5' (the 5th Mon of the month) is Quartz and "
	    "cronie syntax that jobd does not read: write it in systemd "
	    "syntax, e.g. 'Mon *-*-29..31 00:00'" },
	{ "0 0 * * 5L", "'5L' (the last Fri of the month) is Quartz and "
	    "cronie syntax that jobd does not read: write it in systemd "
	    "syntax, e.g. 'Fri *-*~07/1 00:00'" },
	{ "0 0 15W * *", "'15W' in the day-of-month field: Quartz's 'W' (the "
	    "weekday nearest a day) and 'L-N' are not read by jobd; 'L' alone "
	    "(the last day) is, and the systemd syntax has '*-*~03' (the "
	    "third-last day)" },
	{ "0 0 L-3 * *", "'L-3' in the day-of-month field: Quartz's 'W' (the "
	    "weekday nearest a day) and 'L-N' are not read by jobd; 'L' alone "
	    "(the last day) is, and the systemd syntax has '*-*~03' (the "
	    "third-last day)" },
	{ "H 0 * * *", "'H' in the minute field: Jenkins' 'H' and cronie's "
	    "'~' (a random value) are not read by jobd; write a fixed value "
	    "and set jitter= (e.g. jitter=30min) for a random delay" },
	{ "0~30 0 * * *", "'0~30' in the minute field: Jenkins' 'H' and "
	    "cronie's '~' (a random value) are not read by jobd; write a "
	    "fixed value and set jitter= (e.g. jitter=30min) for a random "
	    "delay" },
	{ "17 * * * * root cd / && run-parts --report /etc/cron.hourly",
	    "this looks like a line of /etc/crontab or /etc/cron.d: 5 time "
	    "fields, then the user 'root' and the command; put '17 * * * *' "
	    "in schedule=, user=root and the rest in command=" },
	{ "CRON_TZ=Nowhere/Atlantis 0 0 * * *", "unknown time zone "
	    "'Nowhere/Atlantis'" },
	{ "CRON_TZ=UTC Mon *-*-* 09:00", "CRON_TZ= and TZ= go before a "
	    "5-field cron line; a systemd calendar event names its zone at its "
	    "end" },
};

TEST(errors)
{
	struct cal_spec *s;
	char *cause;
	size_t i;

	for (i = 0; i < ELEMENTSOF(errors); i++) {
		CASE("'%s'", errors[i].in);
		s = NULL;
		cause = NULL;
		ASSERT_EQ(cal_parse(errors[i].in, &s, &cause), -EINVAL);
		ASSERT_NULL(s);
		ASSERT_STREQ(cause, errors[i].cause);
		free(cause);
	}
}

/* The next elapses of expr from base, as UTC times, each followed by
 * " gap" or " repeat" when it carries that flag. */
static void
check_steps(const char *expr, const char *tzname, const char *base,
    const struct cal_policy *p, const char *const *want, size_t n)
{
	struct cal_spec *s = parse(expr);
	struct tz *z = zone(tzname);
	usec_t t = at(base), next;
	unsigned flags, want_flags;
	size_t i;

	CASE("'%s' in %s from %s", expr, tzname, base);
	for (i = 0; i < n; i++) {
		want_flags = strstr(want[i], " gap") ? CAL_ELAPSE_GAP :
		    strstr(want[i], " repeat") ? CAL_ELAPSE_REPEAT : 0;
		ASSERT_OK(cal_next(s, z, p, t, &next, &flags));
		if (next != at(want[i]))
			test_fail(__FILE__, __LINE__, "step %zu: %lld != %s",
			    i, (long long)(next / S), want[i]);
		ASSERT_EQ(flags, want_flags);
		t = next;
	}
	tz_free(z);
	cal_free(s);
}

#define STEPS(expr, tz, base, p, ...) do {				\
	static const char *const _w[] = { __VA_ARGS__ };		\
	check_steps(expr, tz, base, p, _w, ELEMENTSOF(_w));		\
} while (0)

TEST(cron)
{
	/* Both restricted: the 1st, the 15th and every Friday. */
	STEPS("30 4 1,15 * 5", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-01 04:30:00", "2026-01-02 04:30:00",
	    "2026-01-09 04:30:00", "2026-01-15 04:30:00",
	    "2026-01-16 04:30:00", "2026-01-23 04:30:00",
	    "2026-01-30 04:30:00", "2026-02-01 04:30:00");
	/* '*' first: odd days AND Mondays, as Vixie (croniter ORs). */
	STEPS("0 9 */2 * 1", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-05 09:00:00", "2026-01-19 09:00:00",
	    "2026-02-09 09:00:00", "2026-02-23 09:00:00");
	/* dom '*': every Monday. */
	STEPS("0 9 * * mon", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-05 09:00:00", "2026-01-12 09:00:00");
	/* Names, any case; July 2026 starts on a Wednesday. */
	STEPS("0 12 * jan,JUL Mon-fri", "UTC", "2026-06-30 00:00:00", NULL,
	    "2026-07-01 12:00:00", "2026-07-02 12:00:00",
	    "2026-07-03 12:00:00", "2026-07-06 12:00:00");
	/* 7 is Sunday too. */
	STEPS("0 0 * * 7", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-04 00:00:00", "2026-01-11 00:00:00");
	STEPS("0 8-18/5 * * *", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-01 08:00:00", "2026-01-01 13:00:00",
	    "2026-01-01 18:00:00", "2026-01-02 08:00:00");
	/* Steps stay within the field: 0 and 23, not every 23 hours. */
	STEPS("0 */23 * * *", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-01 23:00:00", "2026-01-02 00:00:00",
	    "2026-01-02 23:00:00");
	STEPS("0 0 31 * *", "UTC", "2026-01-31 00:00:00", NULL,
	    "2026-03-31 00:00:00", "2026-05-31 00:00:00");
	STEPS("0 0 29 2 *", "UTC", "2026-01-01 00:00:00", NULL,
	    "2028-02-29 00:00:00", "2032-02-29 00:00:00");
	STEPS("@hourly", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-01 01:00:00", "2026-01-01 02:00:00");
	STEPS("@weekly", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-04 00:00:00", "2026-01-11 00:00:00");
	STEPS("@monthly", "UTC", "2026-01-15 00:00:00", NULL,
	    "2026-02-01 00:00:00", "2026-03-01 00:00:00");
	STEPS("@yearly", "Asia/Kolkata", "2026-01-15 00:00:00", NULL,
	    "2026-12-31 18:30:00", "2027-12-31 18:30:00");
	STEPS("@midnight", "Asia/Kolkata", "2026-01-15 00:00:00", NULL,
	    "2026-01-15 18:30:00", "2026-01-16 18:30:00");
}

static const struct cal_policy skip_once = { CAL_GAP_SKIP, CAL_REPEAT_ONCE,
    true, true };
static const struct cal_policy skip_twice = { CAL_GAP_SKIP, CAL_REPEAT_TWICE,
    true, true };
static const struct cal_policy run_once = { CAL_GAP_RUN, CAL_REPEAT_ONCE,
    true, true };
static const struct cal_policy run_twice = { CAL_GAP_RUN, CAL_REPEAT_TWICE,
    true, true };

/* What other crons write and jobd reads as they do (cronie, Kubernetes):
 * 2026-01-01 is a Thursday. */
TEST(cron_as_pasted)
{
	/* A range ending on Sunday written 0 or sun. */
	STEPS("0 9 * * sat-sun", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-03 09:00:00", "2026-01-04 09:00:00",
	    "2026-01-10 09:00:00");
	STEPS("0 9 * * 5-0", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-02 09:00:00", "2026-01-03 09:00:00",
	    "2026-01-04 09:00:00", "2026-01-09 09:00:00");
	STEPS("0 9 * * fri-0", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-02 09:00:00", "2026-01-03 09:00:00",
	    "2026-01-04 09:00:00", "2026-01-09 09:00:00");
	STEPS("0 9 * * Mon-Sun", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-01 09:00:00", "2026-01-02 09:00:00");
	/* '?' is '*': here dom '?' means every Monday, not the OR. */
	STEPS("0 0 ? * 1", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-05 00:00:00", "2026-01-12 00:00:00");
	STEPS("0 0 1 * ?", "UTC", "2026-01-01 00:00:01", NULL,
	    "2026-02-01 00:00:00", "2026-03-01 00:00:00");
	/* L: the last day of each month, leap years included. */
	STEPS("0 0 L * *", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-31 00:00:00", "2026-02-28 00:00:00",
	    "2026-03-31 00:00:00", "2026-04-30 00:00:00");
	STEPS("0 0 L 2 *", "UTC", "2027-03-01 00:00:00", NULL,
	    "2028-02-29 00:00:00", "2029-02-28 00:00:00");
	STEPS("0 0 15,L * *", "UTC", "2026-02-01 00:00:00", NULL,
	    "2026-02-15 00:00:00", "2026-02-28 00:00:00",
	    "2026-03-15 00:00:00");
	/* CRON_TZ= (and TZ=) give the line its zone, over the job's. */
	STEPS("CRON_TZ=Asia/Kolkata 0 9 * * *", "UTC",
	    "2026-01-01 00:00:00", NULL, "2026-01-01 03:30:00",
	    "2026-01-02 03:30:00");
	STEPS("TZ=UTC 0 9 * * *", "Asia/Kolkata", "2026-01-01 00:00:00", NULL,
	    "2026-01-01 09:00:00", "2026-01-02 09:00:00");
}

/* Cron lines without dst_gap=/dst_repeat= behave as cronie's cron.c, by
 * kind (hand-checked: Europe/Berlin skips 02:00-03:00 on 2026-03-29 and
 * repeats 02:00-03:00 on 2026-10-25, the switch at 01:00 UTC both days).
 * A fixed minute and hour runs at the end of the gap and once in the
 * repeated hour; '*' first in the minute or hour skips the gap and runs
 * in both repeated hours.  The systemd syntax keeps systemd's: skip,
 * once. */
TEST(cron_dst_as_cronie)
{
	/* Fixed: 02:30 does not exist on 03-29, so 03:00 CEST. */
	STEPS("30 2 * * *", "Europe/Berlin", "2026-03-28 12:00:00", NULL,
	    "2026-03-29 01:00:00 gap", "2026-03-30 00:30:00");
	/* Fixed: 02:30 CEST once, not 02:30 CET. */
	STEPS("30 2 * * *", "Europe/Berlin", "2026-10-24 23:00:00", NULL,
	    "2026-10-25 00:30:00", "2026-10-26 01:30:00");
	/* Wildcard minute: none of the gap... */
	STEPS("*/30 2 * * *", "Europe/Berlin", "2026-03-28 12:00:00", NULL,
	    "2026-03-30 00:00:00", "2026-03-30 00:30:00");
	/* ...and both repeated hours. */
	STEPS("*/30 2 * * *", "Europe/Berlin", "2026-10-24 23:00:00", NULL,
	    "2026-10-25 00:00:00", "2026-10-25 00:30:00",
	    "2026-10-25 01:00:00 repeat", "2026-10-25 01:30:00 repeat",
	    "2026-10-26 01:00:00");
	/* Wildcard hour: hourly runs at 02:00 CEST and 02:00 CET. */
	STEPS("0 * * * *", "Europe/Berlin", "2026-10-24 23:30:00", NULL,
	    "2026-10-25 00:00:00", "2026-10-25 01:00:00 repeat",
	    "2026-10-25 02:00:00");
	STEPS("0 * * * *", "Europe/Berlin", "2026-03-29 00:30:00", NULL,
	    "2026-03-29 01:00:00", "2026-03-29 02:00:00");
	/* dst_gap= / dst_repeat= still decide when given. */
	STEPS("30 2 * * *", "Europe/Berlin", "2026-03-28 12:00:00", &skip_once,
	    "2026-03-30 00:30:00");
	STEPS("*/30 2 * * *", "Europe/Berlin", "2026-10-24 23:00:00",
	    &skip_once, "2026-10-25 00:00:00", "2026-10-25 00:30:00",
	    "2026-10-26 01:00:00");
	/* The systemd syntax: skip, once. */
	STEPS("*-*-* 02:30", "Europe/Berlin", "2026-03-28 12:00:00", NULL,
	    "2026-03-30 00:30:00");
	STEPS("*-*-* 02:00/30", "Europe/Berlin", "2026-10-24 23:00:00", NULL,
	    "2026-10-25 00:00:00", "2026-10-25 00:30:00",
	    "2026-10-26 01:00:00");
}

TEST(cron_zone_is_printed)
{
	struct cal_spec *s = parse("CRON_TZ=Europe/Berlin  0 9 * * *");
	char *t = cal_format(s);

	ASSERT_STREQ(t, "CRON_TZ=Europe/Berlin 0 9 * * *");
	ASSERT_STREQ(cal_zone(s), "Europe/Berlin");
	free(t);
	cal_free(s);
	s = parse("TZ=UTC @daily");
	t = cal_format(s);
	ASSERT_STREQ(t, "CRON_TZ=UTC @daily");
	ASSERT_STREQ(cal_zone(s), "UTC");
	free(t);
	cal_free(s);
}

TEST(reboot)
{
	struct cal_spec *s = parse("@reboot");
	usec_t t;

	ASSERT(cal_is_reboot(s));
	ASSERT_EQ(cal_syntax(s), CAL_SYNTAX_CRON);
	ASSERT_EQ(cal_next(s, NULL, NULL, 0, &t, NULL), -ENOENT);
	cal_free(s);
	s = parse("@daily");
	ASSERT(!cal_is_reboot(s));
	cal_free(s);
}


/* Spring forward: the gap's wall times are skipped, or run once at the
 * gap's end; the repeat policy does not matter. */
static void
spring(const char *expr, const char *expr2)
{
	const char *e[2] = { expr, expr2 };
	int i;

	for (i = 0; i < 2; i++) {
		/* 2026-03-29 02:30 does not exist in Berlin. */
		STEPS(e[i], "Europe/Berlin", "2026-03-27 12:00:00", &skip_once,
		    "2026-03-28 01:30:00", "2026-03-30 00:30:00",
		    "2026-03-31 00:30:00");
		STEPS(e[i], "Europe/Berlin", "2026-03-27 12:00:00",
		    &skip_twice, "2026-03-28 01:30:00",
		    "2026-03-30 00:30:00");
		STEPS(e[i], "Europe/Berlin", "2026-03-27 12:00:00", &run_once,
		    "2026-03-28 01:30:00", "2026-03-29 01:00:00 gap",
		    "2026-03-30 00:30:00");
		STEPS(e[i], "Europe/Berlin", "2026-03-27 12:00:00", &run_twice,
		    "2026-03-28 01:30:00", "2026-03-29 01:00:00 gap",
		    "2026-03-30 00:30:00");
		/* New York, 2026-03-08 02:30 does not exist. */
		STEPS(e[i], "America/New_York", "2026-03-07 17:00:00",
		    &skip_once, "2026-03-09 06:30:00");
		STEPS(e[i], "America/New_York", "2026-03-07 17:00:00",
		    &run_once, "2026-03-08 07:00:00 gap",
		    "2026-03-09 06:30:00");
	}
}

TEST(dst_gap)
{
	spring("*-*-* 02:30", "30 2 * * *");
	/* Hourly across the gap: 01:15 CET, then 03:15 CEST. */
	STEPS("*-*-* *:15", "Europe/Berlin", "2026-03-28 23:10:00", NULL,
	    "2026-03-28 23:15:00", "2026-03-29 00:15:00",
	    "2026-03-29 01:15:00", "2026-03-29 02:15:00");
	STEPS("15 * * * *", "Europe/Berlin", "2026-03-28 23:10:00", &run_once,
	    "2026-03-28 23:15:00", "2026-03-29 00:15:00",
	    "2026-03-29 01:00:00 gap", "2026-03-29 01:15:00");
	/* Lord Howe: 02:00-02:29 missing on 2026-10-04 (15:30Z). */
	STEPS("*-*-* 02:15", "Australia/Lord_Howe", "2026-10-03 12:00:00",
	    &skip_once, "2026-10-04 15:15:00");
	STEPS("15 2 * * *", "Australia/Lord_Howe", "2026-10-03 12:00:00",
	    &run_twice, "2026-10-03 15:30:00 gap",
	    "2026-10-04 15:15:00");
	/* 01:72 normalises into the gap and back to 01:30 standard time:
	 * systemd (PR #36897) then moves on an hour, to 02:30. */
	STEPS("*:30/14", "Australia/Lord_Howe", "2026-10-03 15:29:59", NULL,
	    "2026-10-03 15:30:00", "2026-10-03 15:44:00",
	    "2026-10-03 15:58:00");
	STEPS("*-*-* *:*:00", "Australia/Lord_Howe", "2026-10-03 15:28:30",
	    NULL, "2026-10-03 15:29:00", "2026-10-03 15:30:00",
	    "2026-10-03 15:31:00");
}

/* Fall back: the first occurrence only, or both. */
TEST(dst_fold)
{
	static const char *const daily[] = { "*-*-* 02:30", "30 2 * * *" };
	static const char *const hourly[] = { "*-*-* *:15", "15 * * * *" };
	int i;

	for (i = 0; i < 2; i++) {
		STEPS(daily[i], "Europe/Berlin", "2026-10-23 12:00:00",
		    &skip_once, "2026-10-24 00:30:00",
		    "2026-10-25 00:30:00", "2026-10-26 01:30:00");
		STEPS(daily[i], "Europe/Berlin", "2026-10-23 12:00:00",
		    &run_once, "2026-10-24 00:30:00",
		    "2026-10-25 00:30:00", "2026-10-26 01:30:00");
		STEPS(daily[i], "Europe/Berlin", "2026-10-23 12:00:00",
		    &skip_twice, "2026-10-24 00:30:00",
		    "2026-10-25 00:30:00", "2026-10-25 01:30:00 repeat",
		    "2026-10-26 01:30:00");
		STEPS(daily[i], "Europe/Berlin", "2026-10-23 12:00:00",
		    &run_twice, "2026-10-24 00:30:00",
		    "2026-10-25 00:30:00", "2026-10-25 01:30:00 repeat",
		    "2026-10-26 01:30:00");
		/* 00:15, 01:15, 02:15 CEST, (02:15 CET), 03:15 CET. */
		STEPS(hourly[i], "Europe/Berlin", "2026-10-24 22:10:00",
		    &skip_once, "2026-10-24 22:15:00",
		    "2026-10-24 23:15:00", "2026-10-25 00:15:00",
		    "2026-10-25 02:15:00");
		STEPS(hourly[i], "Europe/Berlin", "2026-10-24 22:10:00",
		    &run_twice, "2026-10-24 22:15:00",
		    "2026-10-24 23:15:00", "2026-10-25 00:15:00",
		    "2026-10-25 01:15:00 repeat", "2026-10-25 02:15:00");
		/* 02:30 comes after New York's repeated hour. */
		STEPS(daily[i], "America/New_York", "2026-10-31 16:00:00",
		    &skip_twice, "2026-11-01 07:30:00",
		    "2026-11-02 07:30:00");
	}
	/* New York at 01:30: once (EDT), or both. */
	STEPS("*-*-* 01:30", "America/New_York", "2026-10-31 16:00:00", NULL,
	    "2026-11-01 05:30:00", "2026-11-02 06:30:00");
	STEPS("30 1 * * *", "America/New_York", "2026-10-31 16:00:00",
	    &skip_twice, "2026-11-01 05:30:00",
	    "2026-11-01 06:30:00 repeat", "2026-11-02 06:30:00");
	/* Every 20 minutes: 01:00-01:40 EDT, then 02:00 EST. */
	STEPS("*-*-* *:00/20", "America/New_York", "2026-11-01 04:50:00",
	    NULL, "2026-11-01 05:00:00", "2026-11-01 05:20:00",
	    "2026-11-01 05:40:00", "2026-11-01 07:00:00");
	STEPS("*/20 * * * *", "America/New_York", "2026-11-01 04:50:00",
	    &run_twice, "2026-11-01 05:00:00", "2026-11-01 05:20:00",
	    "2026-11-01 05:40:00", "2026-11-01 06:00:00 repeat",
	    "2026-11-01 06:20:00 repeat", "2026-11-01 06:40:00 repeat",
	    "2026-11-01 07:00:00");
	/* Lord Howe: 01:30-01:59 twice on 2026-04-05 (15:00Z). */
	STEPS("*-*-* 01:45", "Australia/Lord_Howe", "2026-04-04 12:00:00",
	    NULL, "2026-04-04 14:45:00", "2026-04-05 15:15:00");
	STEPS("45 1 * * *", "Australia/Lord_Howe", "2026-04-04 12:00:00",
	    &run_twice, "2026-04-04 14:45:00",
	    "2026-04-04 15:15:00 repeat", "2026-04-05 15:15:00");
	/* Starting inside the repeated hour keeps its offset (systemd). */
	STEPS("*-*-* *:30", "Europe/Berlin", "2026-10-25 01:10:00", NULL,
	    "2026-10-25 01:30:00 repeat", "2026-10-25 02:30:00");
}

TEST(systemd_semantics)
{
	/* Weekday AND last day of the month (Jan 31, Feb 28: Saturdays;
	 * May 31: Sunday). */
	STEPS("Mon..Fri *-*~01 09:00 UTC", "Asia/Kolkata",
	    "2026-01-15 00:00:00", NULL, "2026-03-31 09:00:00",
	    "2026-04-30 09:00:00", "2026-06-30 09:00:00");
	/* The last Monday in May. */
	STEPS("Mon *-05~07/1", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-05-25 00:00:00", "2027-05-31 00:00:00");
	/* The zone of the expression wins over the one given. */
	STEPS("*-*-* 02:30 Europe/Berlin", "Asia/Kolkata",
	    "2026-03-27 12:00:00", NULL, "2026-03-28 01:30:00",
	    "2026-03-30 00:30:00");
	/* A repetition past the hour carries as systemd's mktime() does. */
	STEPS("*:33/12,2", "UTC", "2026-06-15 10:59:59", NULL,
	    "2026-06-15 11:02:00", "2026-06-15 11:33:00");
	STEPS("*:33/12,2", "UTC", "2026-06-15 23:59:59", NULL,
	    "2026-06-16 00:33:00", "2026-06-16 00:45:00");
	STEPS("0/5:00", "UTC", "2026-06-30 22:00:00", NULL,
	    "2026-07-01 05:00:00", "2026-07-01 10:00:00");
	/* Fractional seconds, kept to the microsecond. */
	STEPS("*-*-* 11:12:13.5", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-01 11:12:13.5", "2026-01-02 11:12:13.5");
	STEPS("*:*:00/0.25", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-01 00:00:00.25", "2026-01-01 00:00:00.5",
	    "2026-01-01 00:00:00.75", "2026-01-01 00:00:01");
	STEPS("*-*-* 1:2:3.25/0.5", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-01-01 01:02:03.25", "2026-01-01 01:02:03.75",
	    "2026-01-01 01:02:04.25");
	STEPS("@1775000000", "UTC", "2026-01-01 00:00:00", NULL,
	    "2026-03-31 23:33:20");
}

TEST(zone_and_end)
{
	struct cal_spec *s = parse("daily Europe/Berlin");
	usec_t t;

	ASSERT_STREQ(cal_zone(s), "Europe/Berlin");
	cal_free(s);
	s = parse("daily UTC");
	ASSERT_STREQ(cal_zone(s), "UTC");
	cal_free(s);
	s = parse("daily");
	ASSERT_NULL(cal_zone(s));
	cal_free(s);
	/* A date in the past never elapses; nothing after 2199. */
	s = parse("2020-01-01");
	ASSERT_EQ(cal_next(s, NULL, NULL, at("2026-01-01 00:00:00"), &t,
	    NULL), -ENOENT);
	cal_free(s);
	s = parse("*-02-30");
	ASSERT_EQ(cal_next(s, NULL, NULL, at("2026-01-01 00:00:00"), &t,
	    NULL), -ENOENT);
	cal_free(s);
	/* Parsed, and never elapsing; jobd.conf refuses it (config-sched.c). */
	s = parse("0 0 30 2 *");
	ASSERT_EQ(cal_next(s, NULL, NULL, at("2026-01-01 00:00:00"), &t,
	    NULL), -ENOENT);
	cal_free(s);
	s = parse("yearly");
	ASSERT_OK(cal_next(s, NULL, NULL, at("2198-06-01 00:00:00"), &t,
	    NULL));
	ASSERT_EQ(t, at("2199-01-01 00:00:00"));
	ASSERT_EQ(cal_next(s, NULL, NULL, t, &t, NULL), -ENOENT);
	cal_free(s);
}

/* Away from DST every policy gives systemd's answers, including where a
 * repetition runs past the end of its field. */
TEST(policies_agree)
{
	static const char *const exprs[] = {
		"*:33/12,2", "0/5:00", "*-*-05/20", "*:*:0/25", "*:11/10:08.75",
		"Mon *-*~07/1", "*-*~01..03/2 12:00", "Wed..Fri *-1/5-* 02:*",
		"2026/2-*-* 0/7:*:59", "*-*-01/9 *:40/7", "0 */7 * * *",
	};
	static const struct cal_policy *const p[] = {
		&skip_twice, &run_once, &run_twice,
	};
	usec_t a, b, t0 = at("2026-01-29 22:17:13");
	size_t i, j, k;
	int r;

	for (i = 0; i < ELEMENTSOF(exprs); i++) {
		struct cal_spec *s = parse(exprs[i]);
		struct tz *z = zone("Asia/Kolkata");

		CASE("%s", exprs[i]);
		for (j = 0; j < ELEMENTSOF(p); j++) {
			a = b = t0;
			for (k = 0; k < 300; k++) {
				r = cal_next(s, z, NULL, a, &a, NULL);
				ASSERT_EQ(cal_next(s, z, p[j], b, &b, NULL), r);
				if (r < 0)
					break;
				ASSERT_EQ(a, b);
			}
			ASSERT(k > 20);
		}
		tz_free(z);
		cal_free(s);
	}
}

/* CPU time, so that a loaded machine does not fail the test. */
static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A year of minutes, under each policy: every elapse later than the one
 * before, the right count, and fast. */
TEST(year_of_minutes)
{
#if defined(__SANITIZE_ADDRESS__)
	const double limit = 5.0;
#else
	const double limit = 0.5;
#endif
	static const struct {
		const char *expr;
		const struct cal_policy *p;
		size_t n;		/* 2026: 60 minutes missing, 60 twice */
	} runs[] = {
		{ "*:*:00", &skip_once, 525540 },
		{ "* * * * *", &skip_once, 525540 },
		{ "*:*:00", &skip_twice, 525600 },
		{ "* * * * *", &run_twice, 525600 },
	};
	struct tz *z = zone("Europe/Berlin");
	usec_t t, next, end = at("2026-12-31 23:00:00");
	size_t i, n;
	double t0;

	for (i = 0; i < ELEMENTSOF(runs); i++) {
		struct cal_spec *s = parse(runs[i].expr);

		CASE("%s, policy %zu", runs[i].expr, i);
		t = at("2025-12-31 23:00:00");
		t0 = seconds();
		for (n = 0; t < end; n++) {
			ASSERT_OK(cal_next(s, z, runs[i].p, t, &next, NULL));
			ASSERT(next > t);
			t = next;
		}
		t0 = seconds() - t0;
		printf("# %zu elapses in %.3f s of CPU\n", n, t0);
		ASSERT(t0 < limit);
		ASSERT_EQ(t, end);
		ASSERT_EQ(n, runs[i].n);
		cal_free(s);
	}
	tz_free(z);
}

static const struct test tests[] = {
	TEST_ENTRY(format),
	TEST_ENTRY(errors),
	TEST_ENTRY(cron),
	TEST_ENTRY(cron_as_pasted),
	TEST_ENTRY(cron_zone_is_printed),
	TEST_ENTRY(cron_dst_as_cronie),
	TEST_ENTRY(reboot),
	TEST_ENTRY(dst_gap),
	TEST_ENTRY(dst_fold),
	TEST_ENTRY(systemd_semantics),
	TEST_ENTRY(zone_and_end),
	TEST_ENTRY(policies_agree),
	TEST_ENTRY_TIMEOUT(year_of_minutes, 60),
};

TEST_MAIN(tests)
