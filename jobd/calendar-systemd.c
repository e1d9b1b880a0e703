/* systemd's own elapse search (find_next() in calendarspec.c, systemd
 * 252), replayed step by step over a model of glibc's mktime().  Under
 * the default DST policy a systemd calendar event must elapse exactly
 * when systemd says, and near DST changes some of systemd's answers
 * depend on the offset glibc's mktime() tried last (its static
 * localtime_offset), e.g. a '~' day looks at next month and so turns a
 * repeated hour into its second occurrence.  Modelling that state is the
 * only way to agree with systemd-analyze on every input. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "calendar-internal.h"
#include "floor-div.h"
#include "tz.h"

#define USEC_PER_S	1000000
#define SEC_PER_DAY	86400
#define SD_ITERATIONS	1000		/* systemd's MAX_CALENDAR_ITERATIONS */

/* struct tm as systemd uses it: fields may be out of range until
 * normalised; month 1-12; isdst -1 (unknown), 0 or 1. */
struct sd_tm {
	int64_t year;
	int mon, mday, hour, min, sec;
	int isdst;
};

struct sd_state {
	const struct cal_spec *spec;
	const struct tz *z;		/* NULL: UTC (timegm) */
	int64_t guess;			/* glibc's localtime_offset */
	int64_t day;			/* the last day converted, and its */
	struct sd_tm date;		/* date: most calls share a day */
	struct sd_tm memo_in, memo_out;	/* the last mktime() and its */
	int64_t memo_guess, memo_t;	/* result: most calls repeat it */
	int64_t memo_guess_out;
	bool memo;
};

/* localtime_r(), remembering the last day's date. */
static void
sd_localtime(struct sd_state *st, int64_t t, struct sd_tm *tm)
{
	bool isdst;
	int64_t local = t + tz_offset(st->z, t, &isdst);
	int64_t day = floor_div(local, SEC_PER_DAY);
	int rem = (int)(local - day * SEC_PER_DAY);

	if (day != st->day) {
		st->day = day;
		tz_civil_from_days(day, &st->date.year, &st->date.mon,
		    &st->date.mday);
	}
	*tm = st->date;
	tm->hour = rem / 3600;
	tm->min = rem / 60 % 60;
	tm->sec = rem % 60;
	tm->isdst = isdst;
}

/* glibc's __mktime_internal: probe from the last offset used, settle an
 * oscillation (a gap) on the DST side, honour a requested isdst by
 * borrowing a neighbouring offset, and remember the offset found. */
static int64_t sd_mktime_probe(struct sd_state *, struct sd_tm *);

/* mktime() depends on nothing but its input and the offset it tried
 * last, so repeating the last call repeats its answer. */
static int64_t
sd_mktime(struct sd_state *st, struct sd_tm *tm)
{
	struct sd_tm in = *tm;

	if (st->memo && st->memo_guess == st->guess &&
	    memcmp(&in, &st->memo_in, sizeof in) == 0) {
		*tm = st->memo_out;
		st->guess = st->memo_guess_out;
		return st->memo_t;
	}
	st->memo_in = in;
	st->memo_guess = st->guess;
	st->memo_t = sd_mktime_probe(st, tm);
	st->memo_out = *tm;
	st->memo_guess_out = st->guess;
	st->memo = true;
	return st->memo_t;
}

static int64_t
sd_mktime_probe(struct sd_state *st, struct sd_tm *tm)
{
	int64_t y = tm->year + floor_div(tm->mon - 1, 12), L, t, t1, t2, dt;
	int mon = (int)(tm->mon - 1 - floor_div(tm->mon - 1, 12) * 12) + 1;
	int sec = tm->sec < 0 ? 0 : tm->sec > 59 ? 59 : tm->sec;
	int probes = 6, dst2 = 0, dir;
	bool isdst, n_isdst;
	int32_t off;
	int64_t delta;

	L = (tz_days_from_civil(y, mon, 1) + tm->mday - 1) * SEC_PER_DAY +
	    (int64_t)tm->hour * 3600 + (int64_t)tm->min * 60 + sec;
	t = t1 = t2 = L + st->guess;
	for (;;) {
		off = tz_offset(st->z, t, &isdst);
		dt = L - (t + off);
		if (dt == 0)
			break;
		if (t == t1 && t != t2 && (tm->isdst < 0 ?
		    dst2 <= isdst : (tm->isdst != 0) != isdst))
			goto found;
		if (--probes == 0)
			goto found;
		t1 = t2;
		t2 = t;
		t += dt;
		dst2 = isdst;
	}
	if (tm->isdst >= 0 && (tm->isdst != 0) != isdst) {
		for (delta = 601200; delta < 457243200 / 2 + 601200;
		    delta += 601200) {
			for (dir = -1; dir <= 1; dir += 2) {
				off = tz_offset(st->z, t + delta * dir,
				    &n_isdst);
				if (n_isdst == (tm->isdst != 0)) {
					t = L - off;
					goto found;
				}
			}
		}
		t += 3600 * ((tm->isdst == 0) - !isdst);
	}
found:
	if (st->z)
		st->guess = t - L;
	t += tm->sec - sec;
	sd_localtime(st, t, tm);
	return t;
}

static int
sd_end_of_month(struct sd_state *st, const struct sd_tm *tm, int day)
{
	struct sd_tm t = *tm;

	t.mon++;
	t.mday = 1 - day;
	sd_mktime(st, &t);
	if (t.mon != (tm->mon - 1) % 12 + 1)
		return -1;
	return t.mday;
}

/* find_matching_component(): the earliest value >= *val; 1 if it moved,
 * 0 if not, -ENOENT if none.  '~' days cost two mktime() calls each. */
static int
sd_matching(struct sd_state *st, const struct cal_chain *ch, bool eom,
    const struct sd_tm *tm, int *val)
{
	int d = -1, start, stop, k, r, i;
	bool set = false;

	if (ch->n == 0)
		return 0;
	for (i = 0; i < (int)ch->n; i++) {
		const struct cal_comp *c = &ch->v[i];

		start = c->start;
		stop = c->stop;
		if (eom) {
			start = sd_end_of_month(st, tm, c->start);
			stop = sd_end_of_month(st, tm, c->stop);
			if (stop > 0) {
				k = start;
				start = stop;
				stop = k;
			}
		}
		if (start >= *val) {
			if (!set || start < d) {
				d = start;
				set = true;
			}
		} else if (c->repeat > 0) {
			k = start + c->repeat *
			    ((*val - start + c->repeat - 1) / c->repeat);
			if ((!set || k < d) && (stop < 0 || k <= stop)) {
				d = k;
				set = true;
			}
		}
	}
	if (!set)
		return -ENOENT;
	r = *val != d;
	*val = d;
	return r;
}

/* tm_within_bounds(): 1 if tm is a real time, 0 if normalising moved it
 * forward (tm updated, only the field below the highest change reset),
 * negative if it moved back or past the last year. */
static int
sd_within_bounds(struct sd_state *st, struct sd_tm *tm)
{
	struct sd_tm t = *tm;
	int cmp;

	if (tm->year > CAL_YEAR_MAX)
		return -ERANGE;
	sd_mktime(st, &t);
#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)
	if ((cmp = CMP(t.year, tm->year)) != 0)
		t.mon = 1;
	else if ((cmp = CMP(t.mon, tm->mon)) != 0)
		t.mday = 1;
	else if ((cmp = CMP(t.mday, tm->mday)) != 0)
		t.hour = 0;
	else if ((cmp = CMP(t.hour, tm->hour)) != 0)
		t.min = 0;
	else if ((cmp = CMP(t.min, tm->min)) != 0)
		t.sec = 0;
	else
		cmp = CMP(t.sec, tm->sec);
#undef CMP
	if (cmp < 0)
		return -EDEADLK;
	if (cmp > 0)
		*tm = t;
	return cmp == 0;
}

static bool
sd_weekday_ok(struct sd_state *st, const struct sd_tm *tm)
{
	struct sd_tm t = *tm;
	int wday;

	if (!st->spec->weekdays)
		return true;
	sd_mktime(st, &t);
	wday = tz_weekday(tz_days_from_civil(t.year, t.mon, t.mday));
	return st->spec->weekdays & (1u << (wday == 0 ? 6 : wday - 1));
}

/* Starts every field below f again, and the microseconds. */
static void
sd_reset(struct sd_tm *c, int *usec, enum cal_field f)
{
	if (f < CAL_MONTH)
		c->mon = 1;
	if (f < CAL_DAY)
		c->mday = 1;
	if (f < CAL_HOUR)
		c->hour = 0;
	if (f < CAL_MINUTE)
		c->min = 0;
	c->sec = 0;
	*usec = 0;
}

/* One step of find_next() for field f: 1 to go on with the next field,
 * 0 to start the loop again, -ENOENT when there is nothing more. */
static int
sd_step(struct sd_state *st, struct sd_tm *c, int *usec, enum cal_field f)
{
	const struct cal_spec *s = st->spec;
	int *field[] = { NULL, &c->mon, &c->mday, &c->hour, &c->min };
	int r, v;

	if (f == CAL_YEAR) {
		v = (int)c->year;
		r = sd_matching(st, &s->chain[f], false, c, &v);
		c->year = v;
		if (r > 0)
			sd_reset(c, usec, f);
		if (r < 0 || sd_within_bounds(st, c) <= 0)
			return -ENOENT;
		return 1;
	}
	if (f == CAL_USEC) {
		v = c->sec * USEC_PER_S + *usec;
		r = sd_matching(st, &s->chain[f], false, c, &v);
		*usec = v % USEC_PER_S;
		c->sec = v / USEC_PER_S;
	} else {
		r = sd_matching(st, &s->chain[f], f == CAL_DAY &&
		    s->end_of_month, c, field[f]);
		if (r > 0)
			sd_reset(c, usec, f);
	}
	if (r < 0 || (r = sd_within_bounds(st, c)) < 0) {
		/* Nothing left: carry into the field above. */
		if (f == CAL_MONTH)
			c->year++;
		else
			(*field[f - 1])++;
		sd_reset(c, usec, f - 1);
		return 0;
	}
	return r;
}

/* Fields of a before those of b, then the microseconds. */
static bool
sd_before(const struct sd_tm *a, int ausec, const struct sd_tm *b, int busec)
{
	if (a->year != b->year)
		return a->year < b->year;
	if (a->mon != b->mon)
		return a->mon < b->mon;
	if (a->mday != b->mday)
		return a->mday < b->mday;
	if (a->hour != b->hour)
		return a->hour < b->hour;
	if (a->min != b->min)
		return a->min < b->min;
	if (a->sec != b->sec)
		return a->sec < b->sec;
	return ausec < busec;
}

/*
 * find_next() as Debian's systemd 252 has it, with the fix for zones
 * whose normalisation runs backwards (systemd PR #36897): a candidate
 * before the start means mktime() was steered wrong by the forced
 * tm_isdst = -1, so move an hour on and let mktime()'s own isdst stand
 * from then on.
 */
static int
sd_find_next(struct sd_state *st, struct sd_tm *tm, int *usec)
{
	struct sd_tm c = *tm;
	int tm_usec = *usec, n, f, r;
	bool keep_isdst = false;

	for (n = 0; n < SD_ITERATIONS; n++) {
		sd_mktime(st, &c);
		if (!keep_isdst)
			c.isdst = -1;
		for (f = CAL_YEAR; f < CAL_NFIELDS; f++) {
			r = sd_step(st, &c, &tm_usec, f);
			if (r < 0)
				return r;
			if (r == 0)
				break;
			if (f == CAL_DAY && !sd_weekday_ok(st, &c)) {
				c.mday++;
				sd_reset(&c, &tm_usec, CAL_DAY);
				break;
			}
		}
		if (f == CAL_NFIELDS && sd_before(&c, tm_usec, tm, *usec)) {
			keep_isdst = true;
			c.hour++;
			continue;
		}
		if (f == CAL_NFIELDS) {
			*tm = c;
			*usec = tm_usec;
			return 0;
		}
	}
	/* systemd: "Infinite loop in calendar calculation". */
	return -ELOOP;
}

int
cal_next_systemd(const struct cal_spec *s, const struct tz *z, usec_t after,
    usec_t *ret)
{
	struct sd_state st = {
		.spec = s, .z = s->utc ? NULL : z, .day = INT64_MIN,
	};
	struct sd_tm tm;
	int64_t t;
	int usec, r;

	after++;
	sd_localtime(&st, (int64_t)(after / USEC_PER_S), &tm);
	usec = (int)(after % USEC_PER_S);
	r = sd_find_next(&st, &tm, &usec);
	if (r < 0)
		return r;
	t = sd_mktime(&st, &tm);
	if (t < 0)
		return -ENOENT;
	*ret = (usec_t)t * USEC_PER_S + (usec_t)usec;
	return 0;
}
