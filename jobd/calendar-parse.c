/* The systemd calendar event syntax (systemd.time(7)): parsing into chains
 * of components, normalising and validating them as systemd 252 does, so
 * that the same expressions are accepted and mean the same, and the
 * normalised form `systemd-analyze calendar` prints.  Errors name the
 * offending token. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "calendar-internal.h"
#include "strv.h"
#include "tz.h"
#include "xmalloc.h"

#define USEC_PER_S	1000000

static const char *const field_name[CAL_NFIELDS] = {
	[CAL_YEAR] = "year",
	[CAL_MONTH] = "month",
	[CAL_DAY] = "day",
	[CAL_HOUR] = "hour",
	[CAL_MINUTE] = "minute",
	[CAL_USEC] = "second",
};

static const int field_min[CAL_NFIELDS] = { CAL_YEAR_MIN, 1, 1, 0, 0, 0 };
static const int field_max[CAL_NFIELDS] = {
	CAL_YEAR_MAX, 12, 31, 23, 59, CAL_USEC_MAX
};

static const char *const weekday_name[7][2] = {
	{ "Mon", "Monday" }, { "Tue", "Tuesday" }, { "Wed", "Wednesday" },
	{ "Thu", "Thursday" }, { "Fri", "Friday" }, { "Sat", "Saturday" },
	{ "Sun", "Sunday" },
};

static const struct {
	const char *name;
	const char *expansion;
} shorthands[] = {
	{ "minutely", "*-*-* *:*:00" },
	{ "hourly", "*-*-* *:00:00" },
	{ "daily", "*-*-* 00:00:00" },
	{ "weekly", "Mon *-*-* 00:00:00" },
	{ "monthly", "*-*-01 00:00:00" },
	{ "yearly", "*-01-01 00:00:00" },
	{ "annually", "*-01-01 00:00:00" },
	{ "anually", "*-01-01 00:00:00" },		/* systemd's old typo */
	{ "quarterly", "*-01,04,07,10-01 00:00:00" },
	{ "semiannually", "*-01,07-01 00:00:00" },
	{ "semi-annually", "*-01,07-01 00:00:00" },
	{ "biannually", "*-01,07-01 00:00:00" },
	{ "bi-annually", "*-01,07-01 00:00:00" },
};

/* The weekday (0 = Monday) named by s[0..len), or -1. */
static int
weekday_lookup(const char *s, size_t len)
{
	int i, j;

	for (i = 0; i < 7; i++)
		for (j = 0; j < 2; j++)
			if (strlen(weekday_name[i][j]) == len &&
			    strncasecmp(s, weekday_name[i][j], len) == 0)
				return i;
	return -1;
}

/* "Mon,Wed..Fri", with the legacy "Mon-Fri" too. */
static int
parse_weekdays(const char *w, unsigned *bits, char **cause)
{
	const char *p = w, *range = NULL;
	int l = -1, nr, j;
	size_t len;

	for (;;) {
		len = strcspn(p, "-.,");
		nr = weekday_lookup(p, len);
		if (nr < 0 && len == 0) {
			*cause = xstrfmt("invalid weekday list '%s'", w);
			return -EINVAL;
		}
		if (nr < 0) {
			*cause = xstrfmt("unknown weekday '%.*s'", (int)len, p);
			return -EINVAL;
		}
		*bits |= 1u << nr;
		if (l > nr) {
			*cause = xstrfmt("weekday range '%.*s' goes backwards",
			    (int)(p + len - range), range);
			return -EINVAL;
		}
		for (j = l + 1; l >= 0 && j < nr; j++)
			*bits |= 1u << j;
		if (l < 0)
			range = p;
		p += len;
		if (*p == '\0')
			return 0;
		if ((*p == '.' && (l >= 0 || p[1] != '.')) ||
		    (*p == '-' && l >= 0)) {
			*cause = xstrfmt("invalid weekday list '%s'", w);
			return -EINVAL;
		}
		if (*p == ',')
			l = -1;
		else
			l = nr;
		p += *p == '.' ? 2 : 1;
		if (*p == '\0' && l >= 0) {
			*cause = xstrfmt("open weekday range in '%s'", w);
			return -EINVAL;
		}
		if (*p == '\0')
			return 0;
	}
}

/* Up to 6 fractional digits as microseconds, rounding on the 7th. */
static int
parse_fraction(const char **p, int *ret)
{
	const char *s = *p;
	int i, v = 0;

	for (i = 0; i < 6; i++, s++) {
		if (!ascii_isdigit(*s)) {
			if (i == 0)
				return -EINVAL;
			for (; i < 6; i++)
				v *= 10;
			break;
		}
		v = v * 10 + (*s - '0');
	}
	if (*s >= '5' && *s <= '9')
		v++;
	while (ascii_isdigit(*s))
		s++;
	*p = s;
	*ret = v;
	return 0;
}

/* A number; in seconds (usec) with an optional fraction, in usec. */
static int
parse_decimal(const char **p, bool usec, int *ret)
{
	const char *s = *p;
	long long v = 0;
	int frac, r;

	if (!ascii_isdigit(*s))
		return -EINVAL;
	for (; ascii_isdigit(*s); s++)
		if (v <= INT_MAX)
			v = v * 10 + (*s - '0');
	if (usec) {
		v = v > INT_MAX ? v : v * USEC_PER_S;
		if (s[0] == '.' && s[1] != '.') {
			s++;
			r = parse_fraction(&s, &frac);
			if (r < 0)
				return r;
			v += frac;
		}
	}
	if (v > INT_MAX)
		return -ERANGE;
	*p = s;
	*ret = (int)v;
	return 0;
}

/* START[..STOP][/REPEAT], up to the end of the part. */
static int
parse_comp(const char **p, bool usec, struct cal_comp *c, char **cause)
{
	const char *s = *p, *slash;
	int r;

	c->stop = -1;
	c->repeat = 0;
	r = parse_decimal(&s, usec, &c->start);
	if (r == 0 && s[0] == '.' && s[1] == '.') {
		s += 2;
		r = parse_decimal(&s, usec, &c->stop);
		c->repeat = usec ? USEC_PER_S : 1;
	}
	if (r == 0 && *s == '/') {
		slash = s++;
		r = parse_decimal(&s, usec, &c->repeat);
		if (r == 0 && c->repeat == 0) {
			*cause = xstrfmt("invalid repetition '%.*s'",
			    (int)strcspn(slash, ","), slash);
			return -EINVAL;
		}
	} else if (r == 0 && usec && c->stop >= 0 &&
	    (long long)c->start + c->repeat > c->stop)
		r = -EINVAL;
	if (r == 0 && *s != '\0' && *s != ',')
		r = -EINVAL;
	*p = s;
	return r;
}

/* A whole part: '*' or a list of components. */
static int
parse_chain(const char *part, enum cal_field f, struct cal_chain *ch,
    char **cause)
{
	bool usec = f == CAL_USEC;
	const char *s = part;
	struct cal_comp c;
	int r;

	if (strcmp(part, "*") == 0) {
		if (usec) {
			ch->v = xmalloc(sizeof *ch->v);
			ch->v[0] = (struct cal_comp){ 0, -1, USEC_PER_S };
			ch->n = 1;
		}
		return 0;
	}
	if (part[0] == '*' && part[1] == '/') {
		*cause = xstrfmt("invalid repetition '%s' in the %s: a "
		    "repetition needs a start value, like '0%s'", part,
		    field_name[f], part + 1);
		return -EINVAL;
	}
	for (;;) {
		if (ch->n >= CAL_CHAIN_MAX) {
			*cause = xstrfmt("too many values in the %s",
			    field_name[f]);
			return -EINVAL;
		}
		r = parse_comp(&s, usec, &c, cause);
		if (r < 0 && *cause)
			return r;
		if (r < 0) {
			*cause = xstrfmt("invalid %s '%s'", field_name[f],
			    part);
			return r;
		}
		ch->v = xreallocarray(ch->v, ch->n + 1, sizeof *ch->v);
		ch->v[ch->n++] = c;
		if (*s == '\0')
			return 0;
		s++;
	}
}

/* Splits a word at any of seps into at most max parts (in place). */
static size_t
split_parts(char *w, const char *seps, char **parts, char *sep, size_t max)
{
	size_t n = 0;

	for (;;) {
		size_t len = strcspn(w, seps);

		if (n == max)
			return max + 1;
		parts[n] = w;
		sep[n] = w[len];
		n++;
		if (w[len] == '\0')
			return n;
		w[len] = '\0';
		w += len + 1;
	}
}

/* MONTH-DAY, MONTH~DAY, YEAR-MONTH-DAY or YEAR-MONTH~DAY. */
static int
parse_date(const char *word, struct cal_spec *s, char **cause)
{
	_cleanup_free_ char *w = xstrdup(word);
	char *part[3], sep[3];
	size_t n;
	int f0, r, i;

	n = split_parts(w, "-~", part, sep, 3);
	if (n < 2 || n > 3 || (n == 3 && sep[0] == '~')) {
		*cause = xstrfmt("invalid date '%s': expected MONTH-DAY or "
		    "YEAR-MONTH-DAY, with '~' only before the day", word);
		return -EINVAL;
	}
	s->end_of_month = sep[n - 2] == '~';
	f0 = n == 3 ? CAL_YEAR : CAL_MONTH;
	for (i = 0; i < (int)n; i++) {
		r = parse_chain(part[i], f0 + i, &s->chain[f0 + i], cause);
		if (r < 0)
			return r;
	}
	return 0;
}

/* HOUR:MINUTE[:SECOND]. */
static int
parse_time(const char *word, struct cal_spec *s, char **cause)
{
	_cleanup_free_ char *w = xstrdup(word);
	char *part[3], sep[3];
	size_t n, i;
	int r;

	n = split_parts(w, ":", part, sep, 3);
	if (n < 2 || n > 3) {
		*cause = xstrfmt("invalid time '%s': expected "
		    "HOUR:MINUTE[:SECOND]", word);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		r = parse_chain(part[i], CAL_HOUR + i, &s->chain[CAL_HOUR + i],
		    cause);
		if (r < 0)
			return r;
	}
	return 0;
}

static void
const_chain(struct cal_chain *ch, int v)
{
	ch->v = xreallocarray(ch->v, ch->n + 1, sizeof *ch->v);
	ch->v[ch->n++] = (struct cal_comp){ v, -1, 0 };
}

/* systemd's "@EPOCH": that second, in UTC. */
static int
parse_timestamp(const char *word, struct cal_spec *s, char **cause)
{
	struct tz_local l;
	long long v = 0;
	const char *p;

	for (p = word + 1; ascii_isdigit(*p) && v < INT64_MAX / 100; p++)
		v = v * 10 + (*p - '0');
	if (p == word + 1 || *p != '\0') {
		*cause = xstrfmt("invalid timestamp '%s'", word);
		return -EINVAL;
	}
	tz_to_local(NULL, v, &l);
	const_chain(&s->chain[CAL_YEAR], l.year);
	const_chain(&s->chain[CAL_MONTH], l.month);
	const_chain(&s->chain[CAL_DAY], l.day);
	const_chain(&s->chain[CAL_HOUR], l.hour);
	const_chain(&s->chain[CAL_MINUTE], l.minute);
	const_chain(&s->chain[CAL_USEC], l.second * USEC_PER_S);
	s->utc = true;
	return 0;
}

/* [WEEKDAYS] [DATE] [TIME], the zone already taken off. */
static int
parse_words(char **w, size_t n, struct cal_spec *s, char **cause)
{
	size_t i;
	int r;

	if (n == 1 && w[0][0] == '@')
		return parse_timestamp(w[0], s, cause);
	if (n > 0 && ascii_isalpha(w[0][0])) {
		r = parse_weekdays(w[0], &s->weekdays, cause);
		if (r < 0)
			return r;
		w++;
		n--;
	}
	if (n > 2) {
		*cause = xstrfmt("unexpected '%s'", w[2]);
		return -EINVAL;
	}
	if (n == 2 && strchr(w[0], ':')) {
		*cause = xstrfmt("invalid date '%s'", w[0]);
		return -EINVAL;
	}
	if (n == 2 && !strchr(w[1], ':')) {
		*cause = xstrfmt("invalid time '%s': expected "
		    "HOUR:MINUTE[:SECOND]", w[1]);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		r = strchr(w[i], ':') ? parse_time(w[i], s, cause) :
		    parse_date(w[i], s, cause);
		if (r < 0)
			return r;
	}
	/* No time means 00:00:00, no seconds means :00. */
	if (n == 0 || !strchr(w[n - 1], ':')) {
		const_chain(&s->chain[CAL_HOUR], 0);
		const_chain(&s->chain[CAL_MINUTE], 0);
	}
	if (s->chain[CAL_USEC].n == 0)
		const_chain(&s->chain[CAL_USEC], 0);
	return 0;
}

static int
comp_cmp(const void *a, const void *b)
{
	const struct cal_comp *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->stop != y->stop)
		return x->stop < y->stop ? -1 : 1;
	if (x->repeat != y->repeat)
		return x->repeat < y->repeat ? -1 : 1;
	return 0;
}

/* As systemd: ranges end on a repetition, a repetition that cannot
 * happen once is dropped, and the list is sorted and deduplicated. */
static void
normalize_chain(struct cal_chain *ch)
{
	struct cal_comp *c;
	size_t i, n = 0;

	for (i = 0; i < ch->n; i++) {
		c = &ch->v[i];
		if (c->stop > c->start && c->repeat > 0)
			c->stop -= (c->stop - c->start) % c->repeat;
		if ((c->stop > c->start && c->repeat > 0 &&
		    c->start + c->repeat > c->stop) || c->start == c->stop) {
			c->repeat = 0;
			c->stop = -1;
		}
	}
	if (ch->n > 1)
		qsort(ch->v, ch->n, sizeof *ch->v, comp_cmp);
	for (i = 0; i < ch->n; i++)
		if (n == 0 || comp_cmp(&ch->v[n - 1], &ch->v[i]) != 0)
			ch->v[n++] = ch->v[i];
	ch->n = n;
}

static void
fix_year(struct cal_chain *ch)
{
	size_t i;

	/* 12 means 2012 and 89 means 1989, as in systemd. */
	for (i = 0; i < ch->n; i++) {
		if (ch->v[i].start >= 0 && ch->v[i].start < 100)
			ch->v[i].start += ch->v[i].start < 70 ? 2000 : 1900;
		if (ch->v[i].stop >= 0 && ch->v[i].stop < 100)
			ch->v[i].stop += ch->v[i].stop < 70 ? 2000 : 1900;
	}
}

/* A value as the user wrote it, for messages: "61", "~29", "5.5". */
static char *
value_str(enum cal_field f, bool eom, int v)
{
	if (f == CAL_USEC && v % USEC_PER_S)
		return xstrfmt("%d.%06d", v / USEC_PER_S, v % USEC_PER_S);
	if (f == CAL_USEC)
		return xstrfmt("%d", v / USEC_PER_S);
	return xstrfmt("%s%d", eom ? "~" : "", v);
}

static int
check_comp(const struct cal_comp *c, enum cal_field f, bool eom,
    char **cause)
{
	int from = field_min[f], to = field_max[f] - (eom ? 3 : 0);
	_cleanup_free_ char *a = value_str(f, eom, c->start);
	_cleanup_free_ char *b = value_str(f, eom, c->stop);
	_cleanup_free_ char *rep = value_str(f, false, c->repeat);

	if (c->start < from || c->start > to || (c->stop >= 0 &&
	    (c->stop < from || c->stop > to))) {
		_cleanup_free_ char *lo = value_str(f, eom, from);
		_cleanup_free_ char *hi = value_str(f, eom,
		    f == CAL_USEC ? to - to % USEC_PER_S : to);

		*cause = xstrfmt("%s %s out of range %s-%s", field_name[f],
		    c->start < from || c->start > to ? a : b, lo, hi);
		return -EINVAL;
	}
	if (c->stop >= 0 && c->start + c->repeat > c->stop) {
		*cause = xstrfmt("%s range '%s..%s' goes backwards",
		    field_name[f], a, b);
		return -EINVAL;
	}
	if (c->repeat > to - from || (c->stop < 0 && (eom ?
	    c->start - c->repeat < from : c->start + c->repeat > to))) {
		*cause = xstrfmt("invalid repetition '%s/%s': the %s never "
		    "repeats", a, rep, field_name[f]);
		return -EINVAL;
	}
	return 0;
}

static int
normalize_and_check(struct cal_spec *s, char **cause)
{
	size_t i;
	int f, r;

	if (s->weekdays >= 127)
		s->weekdays = 0;
	if (s->chain[CAL_DAY].n == 0)
		s->end_of_month = false;
	fix_year(&s->chain[CAL_YEAR]);
	for (f = 0; f < CAL_NFIELDS; f++) {
		normalize_chain(&s->chain[f]);
		for (i = 0; i < s->chain[f].n; i++) {
			r = check_comp(&s->chain[f].v[i], f,
			    f == CAL_DAY && s->end_of_month, cause);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Takes a trailing "UTC" or IANA zone off the word list. */
static int
parse_zone(char **w, size_t *n, struct cal_spec *s, char **cause)
{
	const char *z;

	if (*n < 2 || !ascii_isalpha(w[*n - 1][0]))
		return 0;
	z = w[*n - 1];
	if (strcasecmp(z, "UTC") == 0)
		s->utc = true;
	else if (tz_load(z, &s->zone, cause) < 0)
		return -EINVAL;
	else
		s->zone_name = xstrdup(z);
	(*n)--;
	return 0;
}

int
cal_parse_systemd(const char *expr, struct cal_spec *s, char **cause)
{
	_cleanup_(strv_freep) char **w = NULL;
	size_t n, i;
	int r;

	w = cal_split_words(expr, &n);
	r = parse_zone(w, &n, s, cause);
	if (r < 0)
		return r;
	if (n == 0) {
		*cause = xstrdup("empty schedule");
		return -EINVAL;
	}
	for (i = 0; i < ELEMENTSOF(shorthands); i++) {
		if (strcasecmp(w[0], shorthands[i].name) != 0)
			continue;
		if (n > 1) {
			*cause = xstrfmt("unexpected '%s' after '%s'", w[1],
			    w[0]);
			return -EINVAL;
		}
		strv_free(w);
		w = cal_split_words(shorthands[i].expansion, &n);
		break;
	}
	r = parse_words(w, n, s, cause);
	if (r < 0)
		return r;
	return normalize_and_check(s, cause);
}

/* A growing string for the normalised form. */
struct buf {
	char *s;
	size_t len;
};

static void PRINTF_LIKE(2, 3)
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	b->s = xrealloc(b->s, b->len + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void
format_weekdays(struct buf *b, unsigned bits)
{
	int i, start = -1, n = 0;

	/* Runs of three or more days as "Mon..Wed", shorter ones listed. */
	for (i = 0; i <= 7; i++) {
		if (i < 7 && (bits & (1u << i))) {
			if (start < 0)
				start = i;
			continue;
		}
		if (start < 0)
			continue;
		buf_printf(b, "%s%s", n++ ? "," : "", weekday_name[start][0]);
		if (i - start == 2)
			buf_printf(b, ",%s", weekday_name[start + 1][0]);
		else if (i - start > 2)
			buf_printf(b, "..%s", weekday_name[i - 1][0]);
		start = -1;
	}
	buf_printf(b, " ");
}

/* One component, as systemd prints it: "01..05/2", "13.500000". */
static void
format_comp(struct buf *b, int width, const struct cal_comp *c, bool usec)
{
	int d = usec ? USEC_PER_S : 1;

	buf_printf(b, "%0*d", width, c->start / d);
	if (c->start % d > 0)
		buf_printf(b, ".%06d", c->start % d);
	if (c->stop > 0)
		buf_printf(b, "..%0*d", width, c->stop / d);
	if (c->stop > 0 && c->stop % d > 0)
		buf_printf(b, ".%06d", c->stop % d);
	if (c->repeat > 0 && !(c->stop > 0 && c->repeat == d))
		buf_printf(b, "/%d", c->repeat / d);
	if (c->repeat % d > 0)
		buf_printf(b, ".%06d", c->repeat % d);
}

static void
format_chain(struct buf *b, int width, const struct cal_chain *ch,
    bool usec)
{
	size_t i;

	for (i = 0; usec && i < ch->n; i++)
		if (ch->v[i].start == 0 && ch->v[i].stop < 0 &&
		    ch->v[i].repeat == USEC_PER_S)
			break;
	if (ch->n == 0 || (usec && i < ch->n)) {
		buf_printf(b, "*");
		return;
	}
	for (i = 0; i < ch->n; i++) {
		if (i > 0)
			buf_printf(b, ",");
		format_comp(b, width, &ch->v[i], usec);
	}
}

char *
cal_format_systemd(const struct cal_spec *s)
{
	struct buf b = { 0 };

	if (s->weekdays)
		format_weekdays(&b, s->weekdays);
	format_chain(&b, 4, &s->chain[CAL_YEAR], false);
	buf_printf(&b, "-");
	format_chain(&b, 2, &s->chain[CAL_MONTH], false);
	buf_printf(&b, "%c", s->end_of_month ? '~' : '-');
	format_chain(&b, 2, &s->chain[CAL_DAY], false);
	buf_printf(&b, " ");
	format_chain(&b, 2, &s->chain[CAL_HOUR], false);
	buf_printf(&b, ":");
	format_chain(&b, 2, &s->chain[CAL_MINUTE], false);
	buf_printf(&b, ":");
	format_chain(&b, 2, &s->chain[CAL_USEC], true);
	if (s->utc)
		buf_printf(&b, " UTC");
	else if (s->zone_name)
		buf_printf(&b, " %s", s->zone_name);
	return b.s;
}
