/* Clocks and time spans.  Everything inside jobd is usec_t; this module is
 * where user text ("1h 30min") and wall-clock timestamps meet that value.
 * Pure apart from reading the clocks; it never logs. */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ascii.h"
#include "timeutil.h"
#include "xmalloc.h"

static usec_t
now(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) < 0)
		assert(!"clock_gettime failed");
	return (usec_t)ts.tv_sec * USEC_PER_SEC + (usec_t)ts.tv_nsec / 1000;
}

usec_t
now_realtime(void)
{
	return now(CLOCK_REALTIME);
}

usec_t
now_monotonic(void)
{
	return now(CLOCK_MONOTONIC);
}

static const struct {
	const char *name;
	usec_t usec;
} timespan_units[] = {
	{ "us", 1 },
	{ "usec", 1 },
	{ "ms", USEC_PER_MSEC },
	{ "msec", USEC_PER_MSEC },
	{ "s", USEC_PER_SEC },
	{ "sec", USEC_PER_SEC },
	{ "second", USEC_PER_SEC },
	{ "seconds", USEC_PER_SEC },
	{ "m", USEC_PER_MINUTE },
	{ "min", USEC_PER_MINUTE },
	{ "minute", USEC_PER_MINUTE },
	{ "minutes", USEC_PER_MINUTE },
	{ "h", USEC_PER_HOUR },
	{ "hr", USEC_PER_HOUR },
	{ "hour", USEC_PER_HOUR },
	{ "hours", USEC_PER_HOUR },
	{ "d", USEC_PER_DAY },
	{ "day", USEC_PER_DAY },
	{ "days", USEC_PER_DAY },
	{ "w", 7 * USEC_PER_DAY },
	{ "week", 7 * USEC_PER_DAY },
	{ "weeks", 7 * USEC_PER_DAY },
	{ "M", 2629800 * USEC_PER_SEC },	/* 30.44 days */
	{ "month", 2629800 * USEC_PER_SEC },
	{ "months", 2629800 * USEC_PER_SEC },
	{ "y", 31557600 * USEC_PER_SEC },	/* 365.25 days */
	{ "year", 31557600 * USEC_PER_SEC },
	{ "years", 31557600 * USEC_PER_SEC },
};

static int
timespan_fail(int r, char **cause, char *msg)
{
	if (cause)
		*cause = msg;
	else
		free(msg);
	return r;
}

/* Parses one NUMBER[UNIT] at *sp into *ret; leaves *sp after it. */
static int
timespan_component(const char **sp, usec_t *ret, char **cause)
{
	const char *s = *sp, *unit;
	usec_t whole = 0, frac = 0, mult = USEC_PER_SEC, div = 1;
	size_t i, n;

	if (!ascii_isdigit(*s))
		return timespan_fail(-EINVAL, cause,
		    xstrfmt("expected a number at '%s'", s));
	for (; ascii_isdigit(*s); s++) {
		if (whole > (UINT64_MAX - 9) / 10)
			return timespan_fail(-ERANGE, cause,
			    xstrdup("time span too large"));
		whole = whole * 10 + (usec_t)(*s - '0');
	}
	unit = s + (*s == '.');
	for (; ascii_isdigit(*unit); unit++)
		;
	n = 0;
	while (*unit == ' ' || *unit == '\t')
		unit++;
	while (ascii_isalpha(unit[n]))
		n++;
	if (n > 0) {
		for (i = 0; i < ELEMENTSOF(timespan_units); i++)
			if (strlen(timespan_units[i].name) == n &&
			    !strncmp(timespan_units[i].name, unit, n))
				break;
		if (i == ELEMENTSOF(timespan_units))
			return timespan_fail(-EINVAL, cause,
			    xstrfmt("unknown unit '%.*s'", (int)n, unit));
		mult = timespan_units[i].usec;
	}
	/* Fraction digits past the unit's resolution add nothing. */
	if (*s == '.')
		for (s++; ascii_isdigit(*s); s++)
			if (div < mult) {
				div *= 10;
				frac += mult * (usec_t)(*s - '0') / div;
			}
	if (whole > (UINT64_MAX - frac) / mult)
		return timespan_fail(-ERANGE, cause,
		    xstrdup("time span too large"));
	*ret = whole * mult + frac;
	*sp = unit + n;
	return 0;
}

int
timespan_parse(const char *s, usec_t *ret, char **cause)
{
	usec_t sum = 0, v;
	int r;

	s += strspn(s, " \t");
	if (!strncmp(s, "infinity", 8) && s[8 + strspn(s + 8, " \t")] == '\0') {
		*ret = USEC_INFINITY;
		return 0;
	}
	if (!*s)
		return timespan_fail(-EINVAL, cause,
		    xstrdup("empty time span"));
	while (*s) {
		r = timespan_component(&s, &v, cause);
		if (r < 0)
			return r;
		if (v >= USEC_INFINITY - sum)
			return timespan_fail(-ERANGE, cause,
			    xstrdup("time span too large"));
		sum += v;
		s += strspn(s, " \t");
	}
	*ret = sum;
	return 0;
}

char *
timespan_format(char *buf, size_t len, usec_t span)
{
	static const struct {
		const char *name;
		usec_t usec;
	} units[] = {
		{ "d", USEC_PER_DAY },
		{ "h", USEC_PER_HOUR },
		{ "min", USEC_PER_MINUTE },
		{ "s", USEC_PER_SEC },
		{ "ms", USEC_PER_MSEC },
		{ "us", 1 },
	};
	size_t i, off = 0;
	int n;

	if (len == 0)
		return buf;
	if (span == USEC_INFINITY || span == 0) {
		snprintf(buf, len, "%s", span ? "infinity" : "0");
		return buf;
	}
	buf[0] = '\0';
	for (i = 0; i < ELEMENTSOF(units) && span > 0; i++) {
		if (span < units[i].usec)
			continue;
		n = snprintf(buf + off, len - off, "%s%llu%s",
		    off ? " " : "",
		    (unsigned long long)(span / units[i].usec), units[i].name);
		if (n < 0 || (size_t)n >= len - off) {
			/* No half-written component. */
			buf[off] = '\0';
			break;
		}
		off += (size_t)n;
		span %= units[i].usec;
	}
	return buf;
}

char *
timestamp_format(char *buf, size_t len, usec_t t)
{
	time_t sec = (time_t)(t / USEC_PER_SEC);
	struct tm tm;
	char date[32];

	if (t == USEC_INFINITY || !gmtime_r(&sec, &tm) ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		snprintf(buf, len, "n/a");
		return buf;
	}
	snprintf(buf, len, "%s.%06uZ", date, (unsigned)(t % USEC_PER_SEC));
	return buf;
}
