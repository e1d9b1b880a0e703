/* POST handlers of /api/v1: the actions of jobctl (start, pause, resume,
 * skip, cancel, service start/stop/restart, event set/clear), each one
 * call to jobd, which applies its own access rules to jobd-web's user.
 * Bodies are small JSON objects; a key a handler does not know is an
 * error rather than silently ignored. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "xmalloc.h"

#define IFACE "io.jobd.Manager."

/* Checks the body's keys against allowed (NULL-terminated); the body, or
 * NULL after answering 400. */
static json_t *
api_body_only(struct web_request *r, const char *const *allowed)
{
	json_t *body = api_body(r), *v;
	const char *key, *const *a;
	char *msg;

	if (!body)
		return NULL;
	json_object_foreach(body, key, v) {
		for (a = allowed; *a && strcmp(*a, key); a++)
			;
		if (!*a) {
			msg = xstrfmt("unknown key in the body: \"%.64s\"",
			    key);
			web_respond_error(r, 400, msg, NULL, NULL);
			free(msg);
			json_decref(body);
			return NULL;
		}
	}
	return body;
}

/* Whom jobd-web acts for, as jobd records it beside jobd-web's own uid
 * (on_behalf_of, marked there as jobd-web's claim): the user an
 * authenticating proxy in front names in X-Remote-User, else how the
 * request proved itself (the bearer token, or a session of the page). */
static void
api_on_behalf_of(struct web_request *r, json_t *params)
{
	const char *u = web_header(r, "X-Remote-User");
	size_t i, n = u ? strlen(u) : 0;
	char *who;

	for (i = 0; i < n && u[i] > 0x20 && u[i] < 0x7f; i++)
		;
	if (n > 0 && n <= 64 && i == n)
		who = xstrfmt("jobd-web user %s (X-Remote-User)", u);
	else
		who = xstrdup(web_header(r, "Authorization") ?
		    "jobd-web (bearer token)" : "jobd-web (session)");
	json_object_set_new(params, "on_behalf_of", json_string(who));
	free(who);
}

/* Start's body: {"params": {"NAME": "VALUE"...}, "args": ["ARG"...]},
 * both optional, into Start's params ["NAME=VALUE"...] and args.  jobd
 * checks them against the job; here only their shape. */
static bool
api_start_extras(struct web_request *r, json_t *body, json_t *p)
{
	json_t *params = json_object_get(body, "params");
	json_t *args = json_object_get(body, "args"), *v, *list;
	const char *k;
	size_t i;

	if (params) {
		if (!json_is_object(params))
			goto bad;
		list = json_array();
		json_object_set_new(p, "params", list);
		json_object_foreach(params, k, v) {
			if (!json_is_string(v))
				goto bad;
			json_array_append_new(list, json_sprintf("%s=%s", k,
			    json_string_value(v)));
		}
	}
	if (args) {
		if (!json_is_array(args))
			goto bad;
		json_array_foreach(args, i, v)
			if (!json_is_string(v))
				goto bad;
		json_object_set(p, "args", args);
	}
	return true;
bad:
	web_respond_error(r, 400, "expected {\"params\": {\"NAME\": "
	    "\"VALUE\"}, \"args\": [\"ARG\"]}", NULL, NULL);
	return false;
}

/* A positive integer member, copied into params under the same name. */
static bool
api_copy_uint(struct web_request *r, json_t *body, const char *key,
    json_t *params)
{
	json_t *v = json_object_get(body, key);
	char *msg;

	if (!v)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) <= 0) {
		msg = xstrfmt("%s: expected a positive integer", key);
		web_respond_error(r, 400, msg, NULL, NULL);
		free(msg);
		return false;
	}
	json_object_set(params, key, v);
	return true;
}

void
api_job_action(struct web *w, struct web_request *r, char **args)
{
	static const char *const none[] = { NULL };
	static const char *const start[] = { "params", "args", NULL };
	static const char *const pause[] = { "until_usec", NULL };
	static const char *const skip[] = { "count", NULL };
	const char *action = args[1];
	json_t *body, *p;

	if (!strcmp(action, "start")) {
		if (!(body = api_body_only(r, start)))
			return;
		p = json_pack("{s:[s]}", "jobs", args[0]);
		if (!api_start_extras(r, body, p)) {
			json_decref(p);
			json_decref(body);
			return;
		}
		json_decref(body);
		api_on_behalf_of(r, p);
		api_call(w, r, IFACE "Start", p, NULL);
		return;
	}
	if (!strcmp(action, "resume")) {
		if (!(body = api_body_only(r, none)))
			return;
		json_decref(body);
		p = json_pack("{s:s}", "job", args[0]);
		api_on_behalf_of(r, p);
		api_call(w, r, IFACE "Resume", p, NULL);
		return;
	}
	body = api_body_only(r, !strcmp(action, "pause") ? pause : skip);
	if (!body)
		return;
	p = json_pack("{s:s}", "job", args[0]);
	if (!api_copy_uint(r, body, !strcmp(action, "pause") ? "until_usec" :
	    "count", p)) {
		json_decref(p);
		json_decref(body);
		return;
	}
	json_decref(body);
	api_on_behalf_of(r, p);
	api_call(w, r, !strcmp(action, "pause") ? IFACE "Pause" : IFACE "Skip",
	    p, NULL);
}

void
api_run_cancel(struct web *w, struct web_request *r, char **args)
{
	static const char *const none[] = { NULL };
	json_int_t id;
	json_t *body, *p;
	char *target;

	if (!api_run_id(r, args[0], &id) || !(body = api_body_only(r, none)))
		return;
	json_decref(body);
	target = xstrfmt("%lld", (long long)id);
	p = json_pack("{s:[s]}", "targets", target);
	api_on_behalf_of(r, p);
	api_call(w, r, IFACE "Cancel", p, NULL);
	free(target);
}

void
api_service_action(struct web *w, struct web_request *r, char **args)
{
	static const char *const none[] = { NULL };
	const char *method;
	json_t *body;

	if (!(body = api_body_only(r, none)))
		return;
	json_decref(body);
	if (!strcmp(args[1], "start"))
		method = IFACE "Start";
	else if (!strcmp(args[1], "stop"))
		method = IFACE "Stop";
	else
		method = IFACE "Restart";
	api_call(w, r, method, json_pack("{s:[s]}", !strcmp(args[1], "start") ?
	    "jobs" : "services", args[0]), NULL);
}

void
api_event_action(struct web *w, struct web_request *r, char **args)
{
	static const char *const none[] = { NULL };
	json_t *body;

	if (!(body = api_body_only(r, none)))
		return;
	json_decref(body);
	api_call(w, r, !strcmp(args[1], "set") ? IFACE "EventSet" :
	    IFACE "EventClear", json_pack("{s:s}", "name", args[0]), NULL);
}
