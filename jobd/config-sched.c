/* The schedule keys of a job: schedule= (systemd calendar or cron syntax,
 * repeatable: a union), timezone=, every=, on_boot=, the DST policy,
 * catch-up, jitter and overlap.  Value parsers only; the table that names
 * the keys is in config-keys.c. */
#include <errno.h>
#include <string.h>

#include "calendar.h"
#include "config-internal.h"
#include "strv.h"
#include "tz.h"
#include "xmalloc.h"

const char *const catch_up_mode_name[CATCH_UP_NMODES] = {
	[CATCH_UP_NONE] = "none",
	[CATCH_UP_LATEST] = "latest",
	[CATCH_UP_ALL] = "all",
};

const char *const overlap_mode_name[OVERLAP_NMODES] = {
	[OVERLAP_SKIP] = "skip",
	[OVERLAP_QUEUE] = "queue",
	[OVERLAP_REPLACE] = "replace",
	[OVERLAP_ALLOW] = "allow",
};


/* A cron line that matches no time from the epoch to 2199 ("0 0 31 2 *")
 * is refused rather than a job that silently never runs.  The systemd
 * syntax keeps systemd's reading: systemd-analyze calendar (the oracle)
 * takes such an event and says it never elapses, and jobctl calendar
 * shows both the same way. */
static bool
config_schedule_never_fires(const struct cal_spec *spec)
{
	usec_t t;

	return cal_syntax(spec) == CAL_SYNTAX_CRON && !cal_is_reboot(spec) &&
	    cal_next(spec, NULL, NULL, 0, &t, NULL) == -ENOENT;
}

int
config_parse_schedule(const char *value, void *dst, const char *dir,
    char **cause)
{
	struct job_schedule *s = dst;
	struct cal_spec *spec;
	char *why = NULL;

	(void)dir;
	if (s->n >= CONFIG_MAX_SCHEDULES)
		return config_fail(cause, xstrfmt("too many schedules (max %d)",
		    CONFIG_MAX_SCHEDULES));
	if (cal_parse(value, &spec, &why) < 0) {
		/* Read as "schedule 'EXPR': why" (see config.c). */
		*cause = xstrfmt("'%s': %s", value, why);
		free(why);
		return -EINVAL;
	}
	if (config_schedule_never_fires(spec)) {
		cal_free(spec);
		*cause = xstrfmt("'%s': this schedule never fires (no date "
		    "matches it, e.g. day 31 of a month that has 30 days)",
		    value);
		return -EINVAL;
	}
	s->exprs = strv_append(s->exprs, value);
	s->specs = xreallocarray(s->specs, s->n + 1, sizeof(*s->specs));
	s->specs[s->n++] = spec;
	return 0;
}

int
config_parse_timezone(const char *value, void *dst, const char *dir,
    char **cause)
{
	struct job_schedule *s = dst;
	char *why = NULL;
	struct tz *tz;

	(void)dir;
	if (tz_load(value, &tz, &why) < 0) {
		*cause = xstrfmt("'%s': %s", value, why ? why :
		    "unknown time zone");
		free(why);
		return -EINVAL;
	}
	tz_free(s->tz);
	free(s->timezone);
	s->tz = tz;
	s->timezone = xstrdup(value);
	return 0;
}

static const char *const dst_gap_name[] = { "skip", "run" };
static const char *const dst_repeat_name[] = { "once", "twice" };

/* dst_gap= and dst_repeat= (dst: the struct cal_policy): given, they
 * override the schedule syntax's own DST behaviour (calendar.h). */
int
config_parse_dst_gap(const char *value, void *dst, const char *dir,
    char **cause)
{
	struct cal_policy *p = dst;
	int v, r;

	(void)dir;
	if ((r = config_choice(value, dst_gap_name, 2, &v, cause)) == 0) {
		p->gap = (enum cal_dst_gap)v;
		p->gap_set = true;
	}
	return r;
}

int
config_parse_dst_repeat(const char *value, void *dst, const char *dir,
    char **cause)
{
	struct cal_policy *p = dst;
	int v, r;

	(void)dir;
	if ((r = config_choice(value, dst_repeat_name, 2, &v, cause)) == 0) {
		p->repeat = (enum cal_dst_repeat)v;
		p->repeat_set = true;
	}
	return r;
}

CONFIG_ENUM_PARSER(config_parse_catch_up, enum catch_up_mode,
    catch_up_mode_name, CATCH_UP_NMODES)
CONFIG_ENUM_PARSER(config_parse_overlap, enum overlap_mode, overlap_mode_name,
    OVERLAP_NMODES)

int
config_parse_on_boot(const char *value, void *dst, const char *dir,
    char **cause)
{
	struct job_schedule *s = dst;
	char *why = NULL;

	(void)dir;
	if (timespan_parse(value, &s->on_boot, &why) < 0 ||
	    s->on_boot == USEC_INFINITY) {
		*cause = xstrfmt("invalid time span '%s': %s", value,
		    why ? why : "must be finite");
		free(why);
		return -EINVAL;
	}
	s->has_on_boot = true;
	return 0;
}

void
job_schedule_free(struct job_schedule *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		cal_free(s->specs[i]);
	free(s->specs);
	strv_free(s->exprs);
	free(s->timezone);
	tz_free(s->tz);
}

bool
job_schedule_equal(const struct job_schedule *a, const struct job_schedule *b)
{
	return strv_equal(a->exprs, b->exprs) &&
	    ((!a->timezone && !b->timezone) || (a->timezone && b->timezone &&
	    !strcmp(a->timezone, b->timezone))) &&
	    a->every == b->every && a->on_boot == b->on_boot &&
	    a->has_on_boot == b->has_on_boot &&
	    a->dst.gap == b->dst.gap && a->dst.repeat == b->dst.repeat &&
	    a->dst.gap_set == b->dst.gap_set &&
	    a->dst.repeat_set == b->dst.repeat_set &&
	    a->catch_up == b->catch_up && a->catch_up_max == b->catch_up_max &&
	    a->starting_deadline == b->starting_deadline &&
	    a->jitter == b->jitter && a->overlap == b->overlap &&
	    a->queue_max == b->queue_max;
}

bool
job_config_is_periodic(const struct job_config *jc)
{
	return jc->sched.n > 0 || jc->sched.every > 0 ||
	    jc->sched.has_on_boot;
}
