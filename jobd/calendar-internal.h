/* Shared between calendar.c (dispatch), calendar-parse.c (systemd
 * syntax), calendar-cron.c (cron syntax) and calendar-next.c (elapses).
 * Not part of the calendar API. */
#ifndef JOBD_CALENDAR_INTERNAL_H
#define JOBD_CALENDAR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"

#define CAL_YEAR_MIN	1970
#define CAL_YEAR_MAX	2199		/* as systemd: nothing after 2199 */
#define CAL_CHAIN_MAX	240		/* list elements per component */
#define CAL_USEC_MAX	(60 * 1000000 - 1)

/* The components of a wall time, in the order they are searched. */
enum cal_field {
	CAL_YEAR,
	CAL_MONTH,
	CAL_DAY,
	CAL_HOUR,
	CAL_MINUTE,
	CAL_USEC,	/* microseconds within the minute */
	CAL_NFIELDS,
};

/* One list element: start, start..stop, start/repeat, start..stop/repeat
 * (a plain range has repeat 1, or 1 s in CAL_USEC). */
struct cal_comp {
	int start;
	int stop;			/* -1: none */
	int repeat;			/* 0: none */
};

struct cal_chain {
	struct cal_comp *v;
	size_t n;			/* 0: any value */
};

struct cal_spec {
	enum cal_syntax syntax;
	bool reboot;			/* cron @reboot */
	char *zone_name;		/* systemd suffix, NULL if none */
	struct tz *zone;		/* loaded zone_name, or UTC */
	bool utc;

	/* systemd */
	unsigned weekdays;		/* bit 0 = Monday; 0 = any */
	bool end_of_month;		/* day counts back from month end */
	struct cal_chain chain[CAL_NFIELDS];

	/* cron: bit n set = value n allowed */
	uint64_t minutes;
	uint32_t hours, doms;		/* doms bit 0: 'L', the last day */
	uint16_t months;
	uint8_t dows;			/* bit 0 = Sunday */
	bool dom_star, dow_star;	/* field began with '*' (Vixie) */
	bool wildcard;			/* minute or hour began with '*' */
	char *text;			/* normalised cron line */
};

/* A local wall time while searching; usec counts within the minute. */
struct cal_civil {
	int year, month, day, hour, minute;
	int usec;
};

/* Splits at spaces and tabs: a vector (never NULL) and its length. */
char **cal_split_words(const char *s, size_t *ret_n);

int cal_parse_systemd(const char *expr, struct cal_spec *, char **cause);
char *cal_format_systemd(const struct cal_spec *);
int cal_parse_cron(char **words, size_t n, struct cal_spec *,
    char **cause);
int cal_parse_cron_macro(const char *word, struct cal_spec *, char **cause);

/* The first wall time >= *c that the spec matches (-ENOENT if none up to
 * CAL_YEAR_MAX), with no regard to time zones. */
int cal_next_wall(const struct cal_spec *, struct cal_civil *c);

/* The next elapse as systemd computes it (calendar-systemd.c): for the
 * systemd syntax under the default DST policy.  -ELOOP where systemd
 * gives up ("Infinite loop in calendar calculation"). */
int cal_next_systemd(const struct cal_spec *, const struct tz *,
    usec_t after, usec_t *ret);

#endif
