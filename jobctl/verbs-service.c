/* jobctl's verbs for services and events: stop, restart, reload (of the
 * configuration or of services), signal, reset-failed, event and the
 * events stream, and what a reply listing services means for the exit
 * code (start and restart --wait: every service ready).  The verb table
 * that names them is in jobctl.c; print.c formats services and status. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jobctl.h"
#include "print.h"
#include "strv-json.h"
#include "varlink.h"

/* Whether a service reached what the verb waited for: up for start and
 * restart, gone for stop. */
static bool
service_reached(json_t *svc, bool for_stop)
{
	const char *st = json_string_value(json_object_get(svc, "state"));

	if (!st)
		return false;
	if (for_stop)
		return !strcmp(st, "stopped") || !strcmp(st, "failed");
	return !strcmp(st, "ready") || !strcmp(st, "reloading");
}

static void
service_not_stopped(json_t *s)
{
	const char *reason = json_string_value(json_object_get(s, "reason"));

	fprintf(stderr, "jobctl: service '%s' is %s%s%s%s\n",
	    json_string_value(json_object_get(s, "name")) ?: "?",
	    json_string_value(json_object_get(s, "state")) ?: "?",
	    reason ? " (" : "", reason ?: "", reason ? ")" : "");
}

/* start --wait: this start attempt failed; say why, and what jobd does
 * next ("restarting in 2s" in backoff). */
static void
service_not_started(json_t *s)
{
	const char *reason = json_string_value(json_object_get(s, "reason"));
	const char *st = json_string_value(json_object_get(s, "state")) ?: "?";
	json_t *next = json_object_get(s, "next_restart_usec");
	char span[TIMESPAN_MAX] = "";
	usec_t now = now_realtime(), at;

	if (json_is_integer(next) && (at = (usec_t)json_integer_value(next)) >
	    now)
		timespan_format(span, sizeof(span), (at - now) /
		    USEC_PER_MSEC * USEC_PER_MSEC);
	fprintf(stderr, "jobctl: service '%s' %s: %s", json_string_value(
	    json_object_get(s, "name")) ?: "?", !strcmp(st, "failed") ?
	    "failed" : "did not start", reason ?: st);
	if (!strcmp(st, "backoff"))
		fprintf(stderr, "; restarting%s%s", *span ? " in " : "",
		    span);
	fputc('\n', stderr);
}

int
verbs_service_reply(json_t *p, bool continues, void *data)
{
	struct ctx *c = data;
	json_t *svcs = json_object_get(p, "services"), *s;
	int r = 0;
	size_t i;

	if (!json_is_array(svcs))
		return client_mismatch("reply has no 'services' array");
	if (continues)
		return -1;
	if (c->opts & OPT_JSON)
		print_json(p);
	else
		print_services(svcs);
	if (!(c->opts & OPT_WAIT))
		return 0;
	json_array_foreach(svcs, i, s) {
		if (service_reached(s, c->wait_gone))
			continue;
		if (c->wait_gone)
			service_not_stopped(s);
		else
			service_not_started(s);
		r = EXIT_REFUSED;
	}
	return r;
}

/* Stop, Restart, ResetFailed: services and an optional wait. */
static int
service_call(struct ctx *c, const char *method, bool wait)
{
	json_t *p;
	int r;

	if ((r = names_expand(c, NAMES_SERVICES)) >= 0)
		return r;
	p = json_pack("{s:o}", "services", strv_json(c->args));
	if (wait)
		json_object_set_new(p, "wait", json_true());
	return jobctl_call(c, method, p, false, verbs_service_reply);
}

int
verbs_service_stop(struct ctx *c)
{
	c->wait_gone = true;
	return service_call(c, VARLINK_INTERFACE ".Stop",
	    c->opts & OPT_WAIT);
}

int
verbs_service_restart(struct ctx *c)
{
	return service_call(c, VARLINK_INTERFACE ".Restart",
	    c->opts & OPT_WAIT);
}

int
verbs_service_reset_failed(struct ctx *c)
{
	return service_call(c, VARLINK_INTERFACE ".ResetFailed", false);
}

int
verbs_service_signal(struct ctx *c)
{
	return jobctl_call(c, VARLINK_INTERFACE ".Signal", json_pack(
	    "{s:[s], s:s}", "services", c->args[0], "signal", c->args[1]),
	    false, verbs_service_reply);
}

static int
reply_reload(json_t *p, bool continues UNUSED, void *data)
{
	struct ctx *c = data;
	const char *keys[] = { "added", "removed", "changed", "unchanged" };
	size_t i;

	for (i = 0; i < ELEMENTSOF(keys); i++)
		if (!json_is_array(json_object_get(p, keys[i])))
			return client_mismatch("reply has no '%s' array",
			    keys[i]);
	if (c->opts & OPT_JSON)
		print_json(p);
	else
		print_reload(p, c->opts & OPT_DRY_RUN);
	return 0;
}

/* reload: the configuration; reload SERVICE...: their reload_signal. */
int
verbs_reload(struct ctx *c)
{
	if (c->nargs == 0)
		return jobctl_call(c, VARLINK_INTERFACE ".Reload",
		    json_pack("{s:b}", "dry_run", (c->opts & OPT_DRY_RUN) != 0),
		    false, reply_reload);
	if (c->opts & OPT_DRY_RUN)
		return jobctl_usage_error(c->verb, "--dry-run is for the "
		    "configuration, not for services");
	return jobctl_call(c, VARLINK_INTERFACE ".ReloadService",
	    json_pack("{s:o}", "services", strv_json(c->args)),
	    false, verbs_service_reply);
}

static const char *
field(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "?";
}

/* "event NAME: set", and the runs it started. */
static void
print_event_change(json_t *p)
{
	printf("event %s: %s%s", field(p, "name"),
	    json_is_true(json_object_get(p, "set")) ? "set" : "clear",
	    json_is_true(json_object_get(p, "changed")) ? "" : " (already)");
	print_ids(", started runs", json_object_get(p, "runs"));
	putchar('\n');
}

/* The run of an event: a Run, or only its id (acquired, released). */
static void
print_bus_run(json_t *p)
{
	json_t *run = json_object_get(p, "run");

	if (!run)
		run = json_object_get(p, "run_id");
	if (json_is_integer(run)) {
		printf(" run %" JSON_INTEGER_FORMAT " %s",
		    json_integer_value(run), field(p, "job"));
		return;
	}
	if (!json_is_object(run))
		return;
	printf(" run %" JSON_INTEGER_FORMAT " %s %s", json_integer_value(
	    json_object_get(run, "id")), field(run, "job"),
	    json_is_string(json_object_get(run, "result")) ?
	    field(run, "result") : field(run, "state"));
	if (json_is_string(json_object_get(run, "waiting_for")))
		printf(" (waiting for %s)", field(run, "waiting_for"));
}

/* "12:00:03.042 run-finished run 7 backup failed". */
static void
print_bus_event(json_t *p)
{
	static const char *const keys[] = { "service", "state", "name" };
	static const char *const lists[] = { "locks", "semaphores" };
	json_int_t usec = json_integer_value(json_object_get(p, "usec"));
	time_t t = (time_t)(usec / 1000000);
	char tbuf[32];
	json_t *v, *e;
	struct tm tm;
	size_t i, j;

	if (!localtime_r(&t, &tm) ||
	    strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm) == 0)
		snprintf(tbuf, sizeof(tbuf), "?");
	printf("%s.%03d %s", tbuf, (int)(usec % 1000000 / 1000),
	    field(p, "type"));
	print_bus_run(p);
	for (i = 0; i < ELEMENTSOF(keys); i++)
		if (json_is_string(json_object_get(p, keys[i])))
			printf(" %s", field(p, keys[i]));
	for (i = 0; i < ELEMENTSOF(lists); i++) {
		v = json_object_get(p, lists[i]);
		if (json_array_size(v) == 0)
			continue;
		printf(" %s", lists[i]);
		json_array_foreach(v, j, e)
			printf(" %s", json_string_value(e) ?: "?");
	}
	putchar('\n');
}

static int
reply_event(json_t *p, bool continues UNUSED, void *data)
{
	struct ctx *c = data;
	json_t *events = json_object_get(p, "events"), *e;
	size_t i;

	if (c->opts & OPT_JSON) {
		print_json(p);
		return 0;
	}
	if (json_is_array(events)) {
		json_array_foreach(events, i, e)
			printf("%s %s\n", field(e, "name"),
			    json_is_true(json_object_get(e, "set")) ? "set" :
			    "clear");
		return 0;
	}
	if (!json_is_string(json_object_get(p, "name")))
		return client_mismatch("reply has no 'name'");
	print_event_change(p);
	return 0;
}

/* event set NAME, event clear NAME, event list. */
int
verbs_event(struct ctx *c)
{
	const char *sub = c->args[0];

	if (!strcmp(sub, "list")) {
		if (c->nargs != 1)
			return jobctl_usage_error(c->verb, "'event list' takes "
			    "no name");
		return jobctl_call(c, VARLINK_INTERFACE ".EventList", NULL,
		    false, reply_event);
	}
	if (strcmp(sub, "set") && strcmp(sub, "clear"))
		return jobctl_usage_error(c->verb, "unknown event verb '%s': "
		    "expected set, clear or list", sub);
	if (c->nargs != 2)
		return jobctl_usage_error(c->verb, "'event %s' needs NAME",
		    sub);
	return jobctl_call(c, !strcmp(sub, "set") ? VARLINK_INTERFACE
	    ".EventSet" : VARLINK_INTERFACE ".EventClear", json_pack("{s:s}",
	    "name", c->args[1]), false, reply_event);
}

/* One line per state change, flushed at once for pipes. */
static int
reply_events(json_t *p, bool continues, void *data)
{
	struct ctx *c = data;

	if (!json_is_string(json_object_get(p, "type")))
		return client_mismatch("event has no 'type'");
	if (c->opts & OPT_JSON)
		print_json(p);
	else
		print_bus_event(p);
	/* A reader that went away (| head) ends jobctl quietly. */
	if (fflush(stdout) == EOF)
		return 0;
	return continues ? -1 : 0;
}

int
verbs_events(struct ctx *c)
{
	return jobctl_call(c, VARLINK_INTERFACE ".Events", NULL, true,
	    reply_events);
}
