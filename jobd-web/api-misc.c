/* The paths outside /api/v1 that tools poll: /healthz (jobd-web is up and
 * jobd answers) for load balancers and systemd, /metrics (jobd's metrics
 * text) for Prometheus. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "vlcall.h"

static json_t *
shape_health(struct web_request *r, json_t *params)
{
	(void)r;
	return json_pack("{s:b,s:O?,s:O?}", "ok", true, "version",
	    json_object_get(params, "version"), "jobd_pid",
	    json_object_get(params, "pid"));
}

static void
health_replied(void *data, json_t *params, const char *error,
    bool continues)
{
	struct web_request *r = data;
	json_t *o;

	(void)continues;
	r->call = NULL;
	if (!error) {
		web_respond_json(r, 200, shape_health(r, params));
		return;
	}
	o = json_pack("{s:b,s:s}", "ok", false, "error",
	    json_string_value(json_object_get(params, "reason")) ?: error);
	web_respond_json(r, 503, o);
}

void
api_healthz(struct web *w, struct web_request *r, char **args)
{
	(void)args;
	api_vlcall(w, r, "io.jobd.Manager.Daemon", NULL, health_replied, r);
}

/* Prometheus asks for OpenMetrics in Accept when it can read it. */
static bool
wants_openmetrics(struct web_request *r)
{
	const char *accept = web_header(r, "Accept");

	return accept && strstr(accept, "application/openmetrics-text");
}

static void
metrics_replied(void *data, json_t *params, const char *error,
    bool continues)
{
	struct web_request *r = data;
	const char *text = json_string_value(json_object_get(params, "text"));

	(void)continues;
	r->call = NULL;
	if (error) {
		api_error_reply(r, error, params);
		return;
	}
	if (!text)
		text = "";
	web_respond(r, 200, wants_openmetrics(r) ?
	    "application/openmetrics-text; version=1.0.0; charset=utf-8" :
	    "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
}

void
api_metrics(struct web *w, struct web_request *r, char **args)
{
	(void)args;
	api_vlcall(w, r, "io.jobd.Manager.Metrics", json_pack("{s:s}",
	    "format", wants_openmetrics(r) ? "openmetrics" : "prometheus"),
	    metrics_replied, r);
}
