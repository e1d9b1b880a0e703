/* Time zones, pure: instant <-> local wall time in any IANA zone, read
 * from TZif files (/usr/share/zoneinfo), with DST gaps and folds made
 * explicit.  No setenv("TZ"), no localtime(): safe on any thread. */
#ifndef JOBD_TZ_H
#define JOBD_TZ_H

#include <stdbool.h>
#include <stdint.h>

struct tz;

struct tz_local {
	int year, month, day;		/* month 1-12, day 1-31 */
	int hour, minute, second;
	int wday;			/* 0 = Sunday */
	int32_t gmtoff;			/* seconds east of UTC */
	bool isdst;
};

/* Loads a zone: "UTC", an IANA name ("Europe/Berlin"), or NULL/"" for the
 * system zone (/etc/localtime, else UTC).  -ENOENT with *cause for an
 * unknown name, -EBADMSG for a damaged file. */
int tz_load(const char *name, struct tz **ret, char **cause);
struct tz *tz_free(struct tz *);
const char *tz_name(const struct tz *);

/* The local time of instant t (seconds since the epoch). */
void tz_to_local(const struct tz *, int64_t t, struct tz_local *ret);

/* The instants at which the wall time w (fields year..second; wday and
 * gmtoff ignored) happens: returns 1 (normal), 2 (a fold, ret[0] < ret[1])
 * or 0 (a gap: *ret_gap_end is the first instant after the gap). */
int tz_from_local(const struct tz *, const struct tz_local *w,
    int64_t ret[2], int64_t *ret_gap_end);

/* The UTC offset in force at instant t (seconds east), and whether it is
 * daylight saving time: tz_to_local without the calendar fields. */
int32_t tz_offset(const struct tz *, int64_t t, bool *ret_isdst);

/* The first instant after t at which the zone's UTC offset changes:
 * returns 1 with *ret, or 0 when the offset never changes again. */
int tz_next_transition(const struct tz *, int64_t t, int64_t *ret);

/* Proleptic Gregorian calendar arithmetic, shared with the calendar
 * module: days since 1970-01-01 and back, month lengths, weekday
 * (0 = Sunday). */
int64_t tz_days_from_civil(int64_t year, int month, int day);
void tz_civil_from_days(int64_t days, int64_t *ret_year, int *ret_month,
    int *ret_day);
int tz_days_in_month(int64_t year, int month);
int tz_weekday(int64_t days);

#endif
