/* jobctl run, remove, and what start gives a run: a transient job of a
 * command no file declares (once, or on a calendar), its removal, and
 * parameters (--param NAME=VALUE) and appended arguments (after --).
 * jobd checks every value again; jobctl only catches what is malformed
 * on its face, so the error comes before a call. */
#include <stdio.h>
#include <string.h>

#include "jobctl.h"
#include "print.h"
#include "strv.h"
#include "strv-json.h"
#include "varlink.h"

int
verbs_run_option(struct ctx *c, unsigned bit, const char *arg)
{
	switch (bit) {
	case OPT_NAME:
		c->name = arg;
		break;
	case OPT_TIMEOUT:
		c->timeout = arg;
		break;
	case OPT_ON_CALENDAR:
		c->on_calendar = arg;
		break;
	case OPT_LOCK:
		c->locks = strv_append(c->locks, arg);
		break;
	case OPT_ENV:
		if (!strchr(arg, '=') || arg[0] == '=')
			return jobctl_usage_error(NULL, "invalid --env '%s': "
			    "expected KEY=VALUE", arg);
		c->env = strv_append(c->env, arg);
		break;
	case OPT_PARAM:
		if (!strchr(arg, '=') || arg[0] == '=')
			return jobctl_usage_error(NULL, "invalid --param '%s': "
			    "expected NAME=VALUE", arg);
		c->params = strv_append(c->params, arg);
		break;
	}
	return -1;
}

int
verbs_start_extras(struct ctx *c, json_t *p)
{
	if (c->params)
		json_object_set_new(p, "params", strv_json(c->params));
	if (c->ntrailing > 0)
		json_object_set_new(p, "args", strv_json(c->trailing));
	if ((c->params || c->ntrailing > 0) && c->nargs != 1) {
		json_decref(p);
		return jobctl_usage_error(c->verb, "--param and arguments "
		    "after -- need exactly one job");
	}
	return -1;
}

/* The command: after --, or the arguments when there is no --. */
static json_t *
run_command(struct ctx *c)
{
	if (c->dashdash)
		return strv_json(c->trailing);
	return strv_json(c->args);
}

static int
reply_periodic(json_t *p, bool continues UNUSED, void *data)
{
	struct ctx *c = data;
	json_t *next = json_object_get(p, "next_usec");
	char ts[TIMESTAMP_MAX];

	if (c->opts & OPT_JSON) {
		print_json(p);
		return 0;
	}
	printf("transient job %s", json_string_value(json_object_get(p,
	    "job")) ?: "?");
	if (json_is_integer(next))
		printf(", next run %s", timestamp_format(ts, sizeof(ts),
		    (usec_t)json_integer_value(next)));
	putchar('\n');
	return 0;
}

int
verbs_run(struct ctx *c)
{
	bool wait = c->opts & OPT_WAIT;
	json_t *p;

	if (c->dashdash && c->nargs > 0)
		return jobctl_usage_error(c->verb, "the command goes after --, "
		    "'%s' before it is not an option", c->args[0]);
	if ((c->dashdash ? c->ntrailing : c->nargs) == 0)
		return jobctl_usage_error(c->verb, "'run' needs a command");
	if (c->on_calendar && !c->name)
		return jobctl_usage_error(c->verb, "--on-calendar needs --name");
	if (c->on_calendar && wait)
		return jobctl_usage_error(c->verb, "--on-calendar takes no "
		    "--wait: the job runs later");
	p = json_pack("{s:o}", "command", run_command(c));
	if (c->name)
		json_object_set_new(p, "name", json_string(c->name));
	if (c->user)
		json_object_set_new(p, "user", json_string(c->user));
	if (c->timeout)
		json_object_set_new(p, "timeout", json_string(c->timeout));
	if (c->on_calendar)
		json_object_set_new(p, "on_calendar",
		    json_string(c->on_calendar));
	if (c->locks)
		json_object_set_new(p, "locks", strv_json(c->locks));
	if (c->env)
		json_object_set_new(p, "env", strv_json(c->env));
	if (wait)
		json_object_set_new(p, "wait", json_true());
	return jobctl_call(c, VARLINK_INTERFACE ".Run", p, wait,
	    c->on_calendar ? reply_periodic : jobctl_reply_runs);
}

static int
reply_removed(json_t *p, bool continues UNUSED, void *data)
{
	struct ctx *c = data;

	if (c->opts & OPT_JSON)
		print_json(p);
	return 0;
}

int
verbs_remove(struct ctx *c)
{
	return jobctl_call(c, VARLINK_INTERFACE ".Remove",
	    json_pack("{s:s}", "job", c->args[0]), false, reply_removed);
}
