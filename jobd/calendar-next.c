/* Elapses: the next wall time a spec matches, searched field by field
 * (year, month, day, hour, minute, second) as systemd does, never minute
 * by minute; and the mapping of wall times to instants through the
 * zone's segments of constant UTC offset, with the DST policy deciding
 * what happens to wall times in a gap or a repeated hour. */
#include <errno.h>
#include <stdint.h>

#include "calendar-internal.h"
#include "floor-div.h"
#include "tz.h"

#define USEC_PER_S	1000000
#define SEC_PER_DAY	86400
#define AFTER_MAX	((usec_t)7258118400 * USEC_PER_S)	/* 2200-01-01 */

static int
chain_next(const struct cal_chain *ch, int v, int eom_last)
{
	int best = -1, start, stop, k, t;
	size_t i;

	if (ch->n == 0)
		return v;
	for (i = 0; i < ch->n; i++) {
		const struct cal_comp *c = &ch->v[i];

		start = c->start;
		stop = c->stop;
		if (eom_last) {
			/* Days from the end: ~1 is the last day. */
			start = eom_last + 1 - c->start;
			stop = c->stop < 0 ? -1 : eom_last + 1 - c->stop;
			if (stop > 0) {
				t = start;
				start = stop;
				stop = t;
			}
		}
		if (start >= v)
			k = start;
		else if (c->repeat > 0) {
			k = start + c->repeat *
			    ((v - start + c->repeat - 1) / c->repeat);
			if (stop >= 0 && k > stop)
				continue;
		} else
			continue;
		if (best < 0 || k < best)
			best = k;
	}
	return best;
}

/* The first set bit >= v, or -1. */
static int
bits_next(uint64_t bits, int v)
{
	if (v > 63 || (bits >> v) == 0)
		return -1;
	return v + __builtin_ctzll(bits >> v);
}

static int
field_next(const struct cal_spec *s, enum cal_field f, int v)
{
	if (s->syntax == CAL_SYNTAX_SYSTEMD)
		return chain_next(&s->chain[f], v, 0);
	switch (f) {
	case CAL_MONTH:
		return bits_next(s->months, v);
	case CAL_HOUR:
		return bits_next(s->hours, v);
	case CAL_MINUTE:
		return bits_next(s->minutes, v);
	case CAL_USEC:
		return v == 0 ? 0 : -1;
	default:
		return v;
	}
}

static bool
day_matches(const struct cal_spec *s, const struct cal_civil *c, int day)
{
	int wday = tz_weekday(tz_days_from_civil(c->year, c->month, day));
	bool dom, dow;

	if (s->syntax == CAL_SYNTAX_SYSTEMD)
		return !s->weekdays ||
		    (s->weekdays & (1u << (wday == 0 ? 6 : wday - 1)));
	/* Vixie: AND when either field is '*...', else OR.  Bit 0 of doms
	 * is 'L', the month's last day. */
	dom = (s->doms & (1u << day)) || ((s->doms & 1) &&
	    day == tz_days_in_month(c->year, c->month));
	dow = s->dows & (1u << wday);
	return s->dom_star || s->dow_star ? dom && dow : dom || dow;
}

/* The first day >= c->day in c's month that matches, or -1; for the
 * systemd syntax, a repetition may run past the month's end. */
static int
day_next(const struct cal_spec *s, const struct cal_civil *c)
{
	int last = tz_days_in_month(c->year, c->month), d = c->day;

	while (d <= last) {
		if (s->syntax == CAL_SYNTAX_SYSTEMD)
			d = chain_next(&s->chain[CAL_DAY], d,
			    s->end_of_month ? last : 0);
		if (d < 0)
			return -1;
		if (d > last)
			return s->syntax == CAL_SYNTAX_SYSTEMD ? d : -1;
		if (day_matches(s, c, d))
			return d;
		d++;
	}
	return -1;
}

static void
civil_carry(struct cal_civil *c)
{
	if (c->minute > 59) {
		c->minute = 0;
		c->hour++;
	}
	if (c->hour > 23) {
		c->hour = 0;
		c->day++;
	}
	if (c->month <= 12 && c->day > tz_days_in_month(c->year, c->month)) {
		c->day = 1;
		c->month++;
	}
	if (c->month > 12) {
		c->month = 1;
		c->year++;
	}
}

/* Sets field f to v; when that moves it forward, every smaller field
 * starts again from its first value. */
static void
civil_set(struct cal_civil *c, enum cal_field f, int v)
{
	int *field[CAL_NFIELDS] = {
		&c->year, &c->month, &c->day, &c->hour, &c->minute, &c->usec
	};
	static const int first[CAL_NFIELDS] = { 0, 1, 1, 0, 0, 0 };
	int i;

	if (*field[f] == v)
		return;
	*field[f] = v;
	for (i = f + 1; i < CAL_NFIELDS; i++)
		*field[i] = first[i];
}

static int64_t civil_to_local(const struct cal_civil *);
static void civil_from_local(int64_t, int, struct cal_civil *);

/*
 * systemd lets a repetition run past the end of its field (minute 69 of
 * 23:00) and normalises that with mktime(): the carry moves the fields
 * above, and only the field right below the highest one that changed
 * starts again, the others keep their normalised values (so 23:69 on the
 * 30th of June goes on from 00:09 on the 1st of July).  Mirrored, quirk
 * and all, so that every DST policy agrees with systemd away from DST.
 */
static void
civil_overflow(struct cal_civil *c, enum cal_field f, int v)
{
	struct cal_civil n = *c, m;
	int frac;

	if (f == CAL_MONTH) {
		civil_set(c, CAL_YEAR, c->year + 1);
		return;
	}
	civil_set(&n, f, v);
	frac = n.usec % USEC_PER_S;
	civil_from_local(civil_to_local(&n), frac, &m);
	if (m.year != n.year)
		m.month = 1;
	else if (m.month != n.month)
		m.day = 1;
	else if (m.day != n.day)
		m.hour = 0;
	else if (m.hour != n.hour)
		m.minute = 0;
	else
		m.usec = frac;
	*c = m;
}

int
cal_next_wall(const struct cal_spec *s, struct cal_civil *c)
{
	int max[CAL_NFIELDS] = {
		CAL_YEAR_MAX, 12, 31, 23, 59, CAL_USEC_MAX
	};
	int f, v, n;

	for (n = 0; n < 100000; n++) {
		civil_carry(c);
		max[CAL_DAY] = tz_days_in_month(c->year, c->month);
		for (f = CAL_YEAR; f < CAL_NFIELDS; f++) {
			v = f == CAL_DAY ? day_next(s, c) :
			    field_next(s, f, f == CAL_YEAR ? c->year :
			    f == CAL_MONTH ? c->month : f == CAL_HOUR ?
			    c->hour : f == CAL_MINUTE ? c->minute : c->usec);
			if (v < 0 || v > max[f])
				break;
			civil_set(c, f, v);
		}
		if (f == CAL_NFIELDS)
			return 0;
		if (f == CAL_YEAR)
			return -ENOENT;
		if (v > max[f]) {
			civil_overflow(c, f, v);
			continue;
		}
		/* Nothing left in this field: carry into the one above. */
		civil_set(c, f - 1, (f == CAL_MONTH ? c->year :
		    f == CAL_DAY ? c->month : f == CAL_HOUR ? c->day :
		    f == CAL_MINUTE ? c->hour : c->minute) + 1);
	}
	return -ENOENT;
}

static void
civil_from_local(int64_t local, int frac, struct cal_civil *c)
{
	int64_t days = floor_div(local, SEC_PER_DAY), y;
	int rem = (int)(local - days * SEC_PER_DAY);

	tz_civil_from_days(days, &y, &c->month, &c->day);
	c->year = (int)y;
	c->hour = rem / 3600;
	c->minute = rem / 60 % 60;
	c->usec = rem % 60 * USEC_PER_S + frac;
}

static int64_t
civil_to_local(const struct cal_civil *c)
{
	return tz_days_from_civil(c->year, c->month, c->day) * SEC_PER_DAY +
	    c->hour * 3600 + c->minute * 60 + c->usec / USEC_PER_S;
}

static int32_t
offset_at(const struct tz *z, int64_t t)
{
	struct tz_local l;

	tz_to_local(z, t, &l);
	return l.gmtoff;
}

/* Does a wall time in [from, to) (local seconds) match? */
static bool
matches_between(const struct cal_spec *s, int64_t from, int64_t to)
{
	struct cal_civil c;

	civil_from_local(from, 0, &c);
	return cal_next_wall(s, &c) == 0 && civil_to_local(&c) < to;
}

/* Is instant t the second occurrence of a repeated wall time? */
static bool
is_repeat_at(const struct tz *z, int64_t t)
{
	struct tz_local w;
	int64_t inst[2];

	if (!z)
		return false;
	tz_to_local(z, t, &w);
	return tz_from_local(z, &w, inst, NULL) == 2 && t == inst[1];
}

/*
 * The zone's timeline is a run of segments of constant UTC offset; within
 * one, wall time and instant map one to one.  Search the segment holding
 * `after` from its wall time; when the match lies past the segment's end,
 * go on in the next segment.  Entering a segment whose offset is larger
 * (a gap), the skipped wall times never happen: policy "run" fires once at
 * the gap's end if one of them matches.  Entering one whose offset is
 * smaller (a fold), the wall times of the previous segment come again:
 * policy "once" starts past them, as systemd does, "twice" runs them too.
 * A start inside a fold keeps its own offset, as systemd's mktime() does.
 */
struct cal_policy
cal_policy_for(const struct cal_spec *s, const struct cal_policy *p)
{
	struct cal_policy r = { CAL_GAP_SKIP, CAL_REPEAT_ONCE, true, true };

	if (s->syntax == CAL_SYNTAX_CRON && !s->wildcard)
		r.gap = CAL_GAP_RUN;
	else if (s->syntax == CAL_SYNTAX_CRON)
		r.repeat = CAL_REPEAT_TWICE;
	if (p && p->gap_set)
		r.gap = p->gap;
	if (p && p->repeat_set)
		r.repeat = p->repeat;
	return r;
}

int
cal_next(const struct cal_spec *s, const struct tz *tz,
    const struct cal_policy *p, usec_t after, usec_t *ret,
    unsigned *ret_flags)
{
	const struct cal_policy pol = cal_policy_for(s, p);
	const struct tz *z = s->utc ? NULL : s->zone ? s->zone : tz;
	int64_t sec, end, local, w;
	struct cal_civil c;
	int32_t off, prev;
	bool has_end, first = true;
	int frac, n, r;

	p = &pol;
	if (s->reboot || after >= AFTER_MAX)
		return -ENOENT;
	if (s->syntax == CAL_SYNTAX_SYSTEMD && p->gap == CAL_GAP_SKIP &&
	    p->repeat == CAL_REPEAT_ONCE) {
		r = cal_next_systemd(s, z, after, ret);
		if (r == 0 && ret_flags)
			*ret_flags = is_repeat_at(z, *ret / USEC_PER_S) ?
			    CAL_ELAPSE_REPEAT : 0;
		/* Where systemd would give up, answer all the same. */
		if (r != -ELOOP)
			return r;
	}
	sec = (int64_t)((after + 1) / USEC_PER_S);
	frac = (int)((after + 1) % USEC_PER_S);
	prev = frac == 0 ? offset_at(z, sec - 1) : offset_at(z, sec);
	for (n = 0; n < 10000; n++, first = false) {
		off = offset_at(z, sec);
		has_end = tz_next_transition(z, sec, &end) > 0;
		local = sec + off;
		if (off > prev && p->gap == CAL_GAP_RUN &&
		    matches_between(s, sec + prev, local)) {
			*ret = (usec_t)sec * USEC_PER_S;
			if (ret_flags)
				*ret_flags = CAL_ELAPSE_GAP;
			return 0;
		}
		if (off < prev && !first && p->repeat == CAL_REPEAT_ONCE)
			local = sec + prev;
		civil_from_local(local, frac, &c);
		r = cal_next_wall(s, &c);
		if (r < 0)
			return r;
		w = civil_to_local(&c);
		if (has_end && w >= end + off) {
			prev = off;
			sec = end;
			frac = 0;
			continue;
		}
		*ret = (usec_t)(w - off) * USEC_PER_S + c.usec % USEC_PER_S;
		if (ret_flags)
			*ret_flags = is_repeat_at(z, w - off) ?
			    CAL_ELAPSE_REPEAT : 0;
		return 0;
	}
	return -ENOENT;
}
