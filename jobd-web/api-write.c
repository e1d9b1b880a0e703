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
	static const char *const pause[] = { "until_usec", NULL };
	static const char *const skip[] = { "count", NULL };
	const char *action = args[1];
	json_t *body, *p;

	if (!strcmp(action, "start")) {
		if (!(body = api_body_only(r, none)))
			return;
		json_decref(body);
		api_call(w, r, IFACE "Start", json_pack("{s:[s]}", "jobs",
		    args[0]), NULL);
		return;
	}
	if (!strcmp(action, "resume")) {
		if (!(body = api_body_only(r, none)))
			return;
		json_decref(body);
		api_call(w, r, IFACE "Resume", json_pack("{s:s}", "job",
		    args[0]), NULL);
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
	api_call(w, r, !strcmp(action, "pause") ? IFACE "Pause" : IFACE "Skip",
	    p, NULL);
}

void
api_run_cancel(struct web *w, struct web_request *r, char **args)
{
	static const char *const none[] = { NULL };
	json_int_t id;
	json_t *body;
	char *target;

	if (!api_run_id(r, args[0], &id) || !(body = api_body_only(r, none)))
		return;
	json_decref(body);
	target = xstrfmt("%lld", (long long)id);
	api_call(w, r, IFACE "Cancel", json_pack("{s:[s]}", "targets",
	    target), NULL);
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
