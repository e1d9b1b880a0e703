/* jobctl's alert verbs: `alerts` (the newest delivery attempts, as a
 * table or JSON) and `alert test NAME`.  The option and verb tables that
 * name them are in jobctl.c. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jobctl.h"
#include "print.h"
#include "varlink.h"

static const char *
str_at(json_t *o, const char *key, const char *none)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : none;
}

static long long
int_at(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* TIME ALERT SINK EVENT JOB RUN ATTEMPT STATUS DETAIL, newest first. */
static void
print_alerts(json_t *attempts, long long pending)
{
	char when[32], run[24];
	json_t *a;
	size_t i;

	printf("%-19s %-12s %-7s %-9s %-16s %-8s %-7s %-7s %s\n", "TIME",
	    "ALERT", "SINK", "EVENT", "JOB", "RUN", "ATTEMPT", "STATUS",
	    "DETAIL");
	json_array_foreach(attempts, i, a) {
		time_t t = (time_t)(int_at(a, "at_usec") / 1000000);

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
		    localtime(&t));
		if (int_at(a, "run") > 0)
			snprintf(run, sizeof(run), "%lld", int_at(a, "run"));
		else
			snprintf(run, sizeof(run), "-");
		printf("%-19s %-12s %-7s %-9s %-16s %-8s %-7lld %-7s %s\n",
		    when, str_at(a, "alert", "?"), str_at(a, "sink", "?"),
		    str_at(a, "event", "?"), str_at(a, "job", "-"), run,
		    int_at(a, "attempt"), str_at(a, "status", "?"),
		    str_at(a, "detail", "-"));
	}
	if (pending > 0)
		printf("%lld deliver%s pending\n", pending,
		    pending == 1 ? "y" : "ies");
}

static int
reply_alerts(json_t *p, bool continues, void *data)
{
	struct ctx *c = data;
	json_t *attempts = json_object_get(p, "attempts");

	(void)continues;
	if (!json_is_array(attempts))
		return client_mismatch("reply has no 'attempts' array");
	if (c->opts & OPT_JSON)
		print_json(p);
	else
		print_alerts(attempts, int_at(p, "pending"));
	return 0;
}

int
verbs_alerts(struct ctx *c)
{
	json_t *p = json_object();

	if (c->opts & OPT_LINES && c->lines < 0) {
		json_decref(p);
		return jobctl_usage_error(c->verb, "invalid count %"
		    JSON_INTEGER_FORMAT ": expected 0 (all) or more", c->lines);
	}
	if (c->opts & OPT_FAILED)
		json_object_set_new(p, "failed", json_true());
	json_object_set_new(p, "limit", json_integer(c->opts & OPT_LINES ?
	    c->lines : 20));
	return jobctl_call(c, VARLINK_INTERFACE ".Alerts", p, false,
	    reply_alerts);
}

static int
reply_alert_test(json_t *p, bool continues, void *data)
{
	struct ctx *c = data;
	json_t *sinks = json_object_get(p, "sinks"), *s;
	size_t i;

	(void)continues;
	if (!json_is_array(sinks))
		return client_mismatch("reply has no 'sinks' array");
	if (c->opts & OPT_JSON) {
		print_json(p);
		return 0;
	}
	printf("alert '%s': test queued for", str_at(p, "name", "?"));
	json_array_foreach(sinks, i, s)
		printf("%s %s", i ? "," : "", json_string_value(s) ?
		    json_string_value(s) : "?");
	printf("; see jobctl alerts\n");
	return 0;
}

int
verbs_alert(struct ctx *c)
{
	if (strcmp(c->args[0], "test"))
		return jobctl_usage_error(c->verb, "unknown alert verb '%s': "
		    "expected test", c->args[0]);
	if (c->nargs != 2)
		return jobctl_usage_error(c->verb, "'alert test' needs NAME");
	return jobctl_call(c, VARLINK_INTERFACE ".AlertTest",
	    json_pack("{s:s}", "name", c->args[1]), false, reply_alert_test);
}
