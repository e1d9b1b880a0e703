/* Time values in microseconds (usec_t), clocks, and time spans as users
 * write them ("1h 30min", "500ms", "90"). */
#ifndef JOBD_TIMEUTIL_H
#define JOBD_TIMEUTIL_H

#include <stdint.h>
#include <stddef.h>

typedef uint64_t usec_t;

#define USEC_INFINITY ((usec_t)UINT64_MAX)
#define USEC_PER_MSEC ((usec_t)1000ULL)
#define USEC_PER_SEC ((usec_t)1000000ULL)
#define USEC_PER_MINUTE (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MINUTE)
#define USEC_PER_DAY (24 * USEC_PER_HOUR)

usec_t now_realtime(void);
usec_t now_monotonic(void);

/* Parses a time span: a sequence of NUMBER[UNIT] with units us, ms, s,
 * min, h, d, w, M (30.44 d), y (365.25 d) and their long forms (sec,
 * second(s), minute(s), hour(s), day(s), week(s), month(s), year(s));
 * a bare number means seconds; fractions allowed ("1.5h"); "infinity" is
 * USEC_INFINITY.  Returns 0, or -EINVAL with *cause saying what is wrong
 * (allocated; the caller frees it), -ERANGE on overflow. */
int timespan_parse(const char *s, usec_t *ret, char **cause);

/* Formats a span the way timespan_parse reads it ("1h 30min", "500ms"). */
char *timespan_format(char *buf, size_t len, usec_t span);

/* RFC 3339 in UTC with microseconds: 2026-11-23T10:00:00.000000Z. */
char *timestamp_format(char *buf, size_t len, usec_t t);

#define TIMESPAN_MAX 64
#define TIMESTAMP_MAX 40

#endif
