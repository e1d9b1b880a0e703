/* Schedules, pure: parse a systemd calendar expression or a cron line,
 * and compute the next elapse after an instant in a time zone with an
 * explicit DST policy.  No loop, no logging. */
#ifndef JOBD_CALENDAR_H
#define JOBD_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#include "timeutil.h"

struct tz;
struct cal_spec;

enum cal_syntax {
	CAL_SYNTAX_SYSTEMD,
	CAL_SYNTAX_CRON,
};

enum cal_dst_gap {
	CAL_GAP_SKIP,		/* skip a local time that does not exist */
	CAL_GAP_RUN,		/* run at the end of the gap instead */
};

enum cal_dst_repeat {
	CAL_REPEAT_ONCE,	/* a repeated local time: the first one only */
	CAL_REPEAT_TWICE,	/* both occurrences */
};

/* What to do with local times that DST skips or repeats.  A part that is
 * not set (dst_gap=, dst_repeat= not given) follows the expression's
 * syntax, as the scheduler it comes from does:
 *   systemd syntax: skip, once (OnCalendar=);
 *   cron, a fixed minute and hour ("30 2 * * *"): run at the end of the
 *     gap, once (cronie runs such a job for the minutes it skipped, and
 *     not again when the clock goes back);
 *   cron, '*' first in the minute or hour field ("*\/15 2 * * *"): skip,
 *     twice (cronie's "wildcard" jobs run at each local time that
 *     happens, so both repeated hours and none of the gap). */
struct cal_policy {
	enum cal_dst_gap gap;
	enum cal_dst_repeat repeat;
	bool gap_set, repeat_set;
};

/* Flags of an elapse, for `jobctl next`. */
#define CAL_ELAPSE_GAP		(1u << 0)	/* moved to the end of a gap */
#define CAL_ELAPSE_REPEAT	(1u << 1)	/* second of a repeated time */

/* Parses either syntax, decided by shape.  Returns 0, or -EINVAL with
 * *cause (allocated) naming the problem and its position, e.g.
 * "unknown weekday 'Fro'" or "6-field cron is not supported: ...". */
int cal_parse(const char *expr, struct cal_spec **ret, char **cause);
struct cal_spec *cal_free(struct cal_spec *);
enum cal_syntax cal_syntax(const struct cal_spec *);
/* @reboot: no calendar elapses; runs once at daemon start after boot. */
bool cal_is_reboot(const struct cal_spec *);
/* The zone given in the expression itself (systemd suffix), or NULL. */
const char *cal_zone(const struct cal_spec *);
/* Normalised form, as systemd-analyze calendar prints it (systemd
 * syntax), or the cron line (cron syntax).  Allocated. */
char *cal_format(const struct cal_spec *);

/* The next elapse strictly after `after` (usec since the epoch): in the
 * expression's own zone if it has one, else in tz.  Returns 0 with *ret
 * and *ret_flags, or -ENOENT when there is none (a year in the past). */
/* The policy p says for s, its unset parts filled in as above. */
struct cal_policy cal_policy_for(const struct cal_spec *s,
    const struct cal_policy *p);

int cal_next(const struct cal_spec *, const struct tz *tz,
    const struct cal_policy *, usec_t after, usec_t *ret,
    unsigned *ret_flags);

#endif
