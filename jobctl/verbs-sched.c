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

static int
reply_next(json_t *p, bool continues UNUSED, void *data)
{
	struct ctx *c = data;

	if (!json_is_array(json_object_get(p, "elapses")))
		return client_mismatch("reply has no 'elapses' array");
	if (c->opts & OPT_JSON)
		print_json(p);
	else
		print_next(p);
	return 0;
}

int
verbs_sched_next(struct ctx *c)
{
	json_t *p = json_pack("{s:s}", "job", c->args[0]);
	int r;

	if ((r = sched_count(c, p, "count")) >= 0)
		return r;
	return jobctl_call(c, VARLINK_INTERFACE ".Next", p, false, reply_next);
}

static int
reply_calendar(json_t *p, bool continues UNUSED, void *data)
{
	struct ctx *c = data;

	if (!json_is_array(json_object_get(p, "elapses")))
		return client_mismatch("reply has no 'elapses' array");
	if (c->opts & OPT_JSON)
		print_json(p);
	else
		print_calendar(p, c->args[0]);
	return 0;
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
	return jobctl_call(c, VARLINK_INTERFACE ".Calendar", p, false,
	    reply_calendar);
}

/* Pause, Resume and Skip all reply with the job's pause state. */
static int
reply_state(json_t *p, bool continues UNUSED, void *data)
{
	struct ctx *c = data;

	if (!json_is_string(json_object_get(p, "job")))
		return client_mismatch("reply has no 'job'");
	if (c->opts & OPT_JSON)
		print_json(p);
	else
		print_sched_state(p);
	return 0;
}

int
verbs_sched_pause(struct ctx *c)
{
	json_t *p = json_pack("{s:s}", "job", c->args[0]);

	/* Without until_usec (or --until infinity): until resume. */
	if ((c->opts & OPT_UNTIL) && c->until != USEC_INFINITY)
		json_object_set_new(p, "until_usec",
		    json_integer((json_int_t)c->until));
	return jobctl_call(c, VARLINK_INTERFACE ".Pause", p, false,
	    reply_state);
}

int
verbs_sched_resume(struct ctx *c)
{
	return jobctl_call(c, VARLINK_INTERFACE ".Resume", json_pack("{s:s}",
	    "job", c->args[0]), false, reply_state);
}

int
verbs_sched_skip(struct ctx *c)
{
	json_t *p = json_pack("{s:s}", "job", c->args[0]);
	int r;

	if ((r = sched_count(c, p, "count")) >= 0)
		return r;
	return jobctl_call(c, VARLINK_INTERFACE ".Skip", p, false,
	    reply_state);
}
