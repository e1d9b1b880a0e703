/* jobctl's verbs for periodic jobs: next, calendar, pause, resume and
 * skip.  Each builds one io.jobd.Manager call; print.c formats the
 * replies.  The option and verb tables that name them are in jobctl.c. */
#include <stdio.h>

#include "jobctl.h"
#include "print.h"
#include "varlink.h"

/* jobd's bound for Next, Calendar and Skip counts. */
#define SCHED_COUNT_MAX 1000

/* Adds -n as key when given; returns -1 to go on or the usage error. */
static int
sched_count(struct ctx *c, json_t *p, const char *key)
{
	if (!(c->opts & OPT_LINES))
		return -1;
	if (c->lines < 1 || c->lines > SCHED_COUNT_MAX) {
		json_decref(p);
		return jobctl_usage_error(c->verb, "invalid count %"
		    JSON_INTEGER_FORMAT ": expected 1 to %d", c->lines,
		    SCHED_COUNT_MAX);
	}
	json_object_set_new(p, key, json_integer(c->lines));
	return -1;
}

/* Next and Calendar reply with elapses, Pause, Resume and Skip with the
 * job's pause state: c->sched says which the verb asked for. */
static int
reply_sched(json_t *p, bool continues UNUSED, void *data)
{
	struct ctx *c = data;
	bool state = c->sched == SCHED_STATE;

	if (state && !json_is_string(json_object_get(p, "job")))
		return client_mismatch("reply has no 'job'");
	if (!state && !json_is_array(json_object_get(p, "elapses")))
		return client_mismatch("reply has no 'elapses' array");
	if (c->opts & OPT_JSON)
		print_json(p);
	else if (c->sched == SCHED_NEXT)
		print_next(p);
	else if (c->sched == SCHED_CALENDAR)
		print_calendar(p, c->args[0]);
	else
		print_sched_state(p);
	return 0;
}

static int
sched_call(struct ctx *c, const char *method, json_t *p,
    enum sched_reply expect)
{
	c->sched = expect;
	return jobctl_call(c, method, p, false, reply_sched);
}

int
verbs_sched_next(struct ctx *c)
{
	json_t *p = json_pack("{s:s}", "job", c->args[0]);
	int r;

	if ((r = sched_count(c, p, "count")) >= 0)
		return r;
	return sched_call(c, VARLINK_INTERFACE ".Next", p, SCHED_NEXT);
}

int
verbs_sched_calendar(struct ctx *c)
{
	json_t *p = json_pack("{s:s}", "expression", c->args[0]);
	int r;

	if ((r = sched_count(c, p, "count")) >= 0)
		return r;
	if (c->opts & OPT_TIMEZONE)
		json_object_set_new(p, "timezone", json_string(c->timezone));
	if (c->opts & OPT_BASE)
		json_object_set_new(p, "base_usec",
		    json_integer((json_int_t)c->base));
	return sched_call(c, VARLINK_INTERFACE ".Calendar", p, SCHED_CALENDAR);
}

int
verbs_sched_pause(struct ctx *c)
{
	json_t *p = json_pack("{s:s}", "job", c->args[0]);

	/* Without until_usec (or --until infinity): until resume. */
	if ((c->opts & OPT_UNTIL) && c->until != USEC_INFINITY)
		json_object_set_new(p, "until_usec",
		    json_integer((json_int_t)c->until));
	return sched_call(c, VARLINK_INTERFACE ".Pause", p, SCHED_STATE);
}

int
verbs_sched_resume(struct ctx *c)
{
	return sched_call(c, VARLINK_INTERFACE ".Resume", json_pack("{s:s}",
	    "job", c->args[0]), SCHED_STATE);
}

int
verbs_sched_skip(struct ctx *c)
{
	json_t *p = json_pack("{s:s}", "job", c->args[0]);
	int r;

	if ((r = sched_count(c, p, "count")) >= 0)
		return r;
	return sched_call(c, VARLINK_INTERFACE ".Skip", p, SCHED_STATE);
}
