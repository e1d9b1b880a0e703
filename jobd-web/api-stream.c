/* The streams of /api/v1: a run's output as it is printed
 * (runs/{id}/output?follow=1) and jobd's event stream (events), each a
 * Varlink call with "more" whose replies become Server-Sent Events.  The
 * HTTP answer waits for jobd's first reply, so an unknown run is a 404
 * and not an empty stream; after that a slow client pauses the reading
 * of jobd's replies (and jobd applies its own bound to jobd-web). */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "sse.h"
#include "vlcall.h"
#include "xmalloc.h"

#define IFACE "io.jobd.Manager."
/* Lines of a run's past output a stream starts with, unless lines=. */
#define API_OUTPUT_LINES 1000

struct api_stream {
	struct web_request *req;	/* until the stream opens */
	struct vlcall *call;
	struct sse *sse;
	bool output;			/* runs/{id}/output, else events */
};

static void
api_stream_free(struct api_stream *s)
{
	vlcall_cancel(s->call);
	free(s);
}

/* The client went before the stream opened. */
static void
api_stream_release(struct web_request *r)
{
	api_stream_free(r->data);
	r->data = NULL;
}

static void
api_stream_pause(void *data, bool paused)
{
	struct api_stream *s = data;

	if (s->call)
		vlcall_pause(s->call, paused);
}

static void
api_stream_gone(void *data)
{
	api_stream_free(data);
}

static void
api_stream_send(struct api_stream *s, const char *event, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT);

	if (text)
		sse_send(s->sse, event, text);
	free(text);
}

static void
api_stream_open(struct api_stream *s)
{
	struct web_request *r = s->req;
	struct sse_owner owner = {
		.pause = api_stream_pause,
		.gone = api_stream_gone,
		.data = s,
	};

	r->release = NULL;
	r->data = NULL;
	s->req = NULL;
	s->sse = sse_open(r, &owner);
}

static void
api_stream_reply(void *data, json_t *params, const char *error,
    bool continues)
{
	struct api_stream *s = data;
	struct sse *sse;

	if (!continues || error)
		s->call = NULL;
	if (s->req) {
		if (error) {
			api_error_reply(s->req, error, params);
			s->req->release = NULL;
			s->req->data = NULL;
			free(s);
			return;
		}
		api_stream_open(s);
	}
	sse = s->sse;
	if (error)
		api_stream_send(s, "error", params);
	else if (s->output)
		api_stream_send(s, "lines", params);
	else
		api_stream_send(s, json_string_value(json_object_get(params,
		    "type")) ?: "event", params);
	if (!continues || error) {
		if (s->output && !error)
			sse_send(sse, "end", "{\"finished\":true}");
		/* s is freed through the owner's gone. */
		sse_end(sse);
	}
}

static void
api_stream_start(struct web *w, struct web_request *r, const char *method,
    json_t *params, bool output)
{
	struct api_stream *s = xcalloc(1, sizeof(*s));

	s->req = r;
	s->output = output;
	r->data = s;
	r->release = api_stream_release;
	s->call = vlcall_start(w->loop, w->socket, method, params, true,
	    api_stream_reply, s);
}

static bool
api_flag(struct web_request *r, const char *name)
{
	const char *v = web_query(r, name);

	return v && strcmp(v, "0") && strcmp(v, "false") && strcmp(v, "no");
}

void
api_run_output(struct web *w, struct web_request *r, char **args)
{
	json_int_t id;
	uint64_t lines;
	json_t *p;

	if (!api_run_id(r, args[0], &id) ||
	    !api_query_uint(r, "lines", 100000, API_OUTPUT_LINES, &lines))
		return;
	p = json_pack("{s:I,s:I}", "run", id, "lines", (json_int_t)lines);
	if (!api_flag(r, "follow")) {
		api_call(w, r, IFACE "Logs", p, NULL);
		return;
	}
	json_object_set_new(p, "follow", json_true());
	api_stream_start(w, r, IFACE "Logs", p, true);
}

void
api_events(struct web *w, struct web_request *r, char **args)
{
	(void)args;
	api_stream_start(w, r, IFACE "Events", NULL, false);
}
