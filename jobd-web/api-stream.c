/* The streams of /api/v1: a run's output as it is printed
 * (runs/{id}/output?follow=1) and jobd's event stream (events).  A feed is
 * one Varlink call with "more" shared by every client of the same stream
 * (jobd gives jobd-web's uid a few connections, and 100 people watching
 * one run should cost jobd one follower); each reply is serialised once
 * and appended to every client's SSE buffer.  The HTTP answer waits for
 * the feed's first reply, so an unknown run is a 404 and not an empty
 * stream.  A client that joins later gets the feed's last lines first.
 * A client that cannot keep up (its buffer past SSE_HIGH_WATER) is cut
 * off with an error event; EventSource reconnects by itself. */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "api.h"
#include "sse.h"
#include "vlcall.h"
#include "xmalloc.h"

#define IFACE "io.jobd.Manager."
/* Lines of a run's past output a stream starts with, unless lines=, and
 * the most a feed keeps for clients that join later. */
#define API_OUTPUT_LINES 1000
/* ... and at most this much text of them, well under SSE_HIGH_WATER, so
 * that a client that joins is not cut off by its first event. */
#define API_BACKLOG_BYTES (256 * 1024)

struct feed_client;

struct feed {
	struct web *web;
	bool output;			/* a run's output, else events */
	json_int_t run;
	struct vlcall *call;
	bool open;			/* the first reply came */
	bool busy;			/* in feed_reply: not freed there */
	json_t *backlog;		/* output: the last LogLines */
	size_t backlog_bytes;
	TAILQ_HEAD(, feed_client) clients;
	TAILQ_ENTRY(feed) link;
};

struct feed_client {
	struct feed *feed;
	struct web_request *req;	/* until its stream opens */
	struct sse *sse;
	uint64_t lines;			/* backlog lines it asked for */
	bool cut;			/* fell behind: to be cut off */
	TAILQ_ENTRY(feed_client) link;
};

static void
feed_free(struct feed *f)
{
	TAILQ_REMOVE(&f->web->feeds, f, link);
	vlcall_cancel(f->call);
	json_decref(f->backlog);
	free(f);
}

/* A client leaves; the feed ends with its last client. */
static void
feed_leave(struct feed_client *c)
{
	struct feed *f = c->feed;

	TAILQ_REMOVE(&f->clients, c, link);
	free(c);
	if (TAILQ_EMPTY(&f->clients) && !f->busy)
		feed_free(f);
}

/* The client went before its stream opened. */
static void
feed_release(struct web_request *r)
{
	struct feed_client *c = r->data;

	r->data = NULL;
	feed_leave(c);
}

static void
feed_gone(void *data)
{
	feed_leave(data);
}

/* The client's buffer went past SSE_HIGH_WATER (while an event was
 * added): the feed cannot wait for it without holding up everyone else,
 * so it is cut off once that event is in. */
static void
feed_pause(void *data, bool paused)
{
	struct feed_client *c = data;

	if (paused)
		c->cut = true;
}

/* Sends one event; false when the client was cut off (and is freed). */
static bool
feed_deliver(struct feed_client *c, const char *event, const char *text)
{
	sse_send(c->sse, event, text);
	if (!c->cut)
		return true;
	sse_send(c->sse, "error", "{\"error\":\"the client did not keep up "
	    "with the stream; reconnect to go on\"}");
	sse_end(c->sse);	/* calls feed_gone: c is freed */
	return false;
}

static bool
feed_send(struct feed_client *c, const char *event, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT);
	bool ok = true;

	if (text)
		ok = feed_deliver(c, event, text);
	free(text);
	return ok;
}

/* The last lines of the backlog, as a Logs reply says them. */
static json_t *
feed_backlog(struct feed *f, uint64_t lines, json_t *first)
{
	size_t n = json_array_size(f->backlog), from;
	json_t *a = json_array(), *o;
	size_t i;

	from = n > lines ? n - (size_t)lines : 0;
	for (i = from; i < n; i++)
		json_array_append(a, json_array_get(f->backlog, i));
	o = json_pack("{s:I,s:o,s:O}", "run", f->run, "lines", a, "finished",
	    json_object_get(first, "finished") ?: json_false());
	return o;
}

static void
feed_open_client(struct feed_client *c, json_t *first)
{
	struct web_request *r = c->req;
	struct sse_owner owner = {
		.pause = feed_pause,
		.gone = feed_gone,
		.data = c,
	};
	struct timeval tv;
	json_t *o;

	r->release = NULL;
	r->data = NULL;
	c->req = NULL;
	c->sse = sse_open(r, &owner);
	if (c->feed->output) {
		o = feed_backlog(c->feed, c->lines, first);
		feed_send(c, "lines", o);	/* may cut c off */
		json_decref(o);
		return;
	}
	/* A client joining a running feed is told so as jobd tells it. */
	gettimeofday(&tv, NULL);
	o = json_pack("{s:s,s:I}", "type", "subscribed", "usec",
	    (json_int_t)tv.tv_sec * 1000000 + tv.tv_usec);
	feed_send(c, "subscribed", o);
	json_decref(o);
}

static size_t
feed_line_bytes(json_t *line)
{
	return 64 + json_string_length(json_object_get(line, "text")) +
	    json_string_length(json_object_get(line, "base64"));
}

/* The backlog keeps the newest lines within both bounds. */
static void
feed_keep_lines(struct feed *f, json_t *params)
{
	json_t *line, *keep;
	size_t i, n, drop = 0;

	json_array_foreach(json_object_get(params, "lines"), i, line) {
		json_array_append(f->backlog, line);
		f->backlog_bytes += feed_line_bytes(line);
	}
	n = json_array_size(f->backlog);
	while (drop < n && (n - drop > API_OUTPUT_LINES ||
	    f->backlog_bytes > API_BACKLOG_BYTES))
		f->backlog_bytes -= feed_line_bytes(json_array_get(f->backlog,
		    drop++));
	if (!drop)
		return;
	keep = json_array();
	for (i = drop; i < n; i++)
		json_array_append(keep, json_array_get(f->backlog, i));
	json_decref(f->backlog);
	f->backlog = keep;
}

/* Every open client gets the reply (params NULL: only the end); a client
 * may leave (and with the last one the feed goes) while it is sent, so
 * the list is walked with care. */
static void
feed_broadcast(struct feed *f, json_t *params, bool last)
{
	const char *event = f->output ? "lines" :
	    json_string_value(json_object_get(params, "type")) ?: "event";
	struct feed_client *c, *next;
	char *text = params ? json_dumps(params, JSON_COMPACT) : NULL;
	bool output = f->output;

	TAILQ_FOREACH_SAFE(c, &f->clients, link, next) {
		if (!c->sse)
			continue;
		if (text && !feed_deliver(c, event, text))
			continue;
		if (last) {
			if (output)
				sse_send(c->sse, "end", "{\"finished\":true}");
			sse_end(c->sse);	/* c leaves */
		}
	}
	free(text);
}

static void
feed_fail(struct feed *f, const char *error, json_t *params)
{
	struct feed_client *c, *next;
	struct web_request *r;
	char *text;

	f->call = NULL;
	TAILQ_FOREACH_SAFE(c, &f->clients, link, next) {
		if (c->req) {
			r = c->req;
			r->release = NULL;
			r->data = NULL;
			api_error_reply(r, error, params);
			feed_leave(c);
		} else {
			text = json_dumps(params, JSON_COMPACT);
			sse_send(c->sse, "error", text ? text : "{}");
			free(text);
			sse_end(c->sse);	/* c leaves */
		}
	}
}

static void feed_deliver_reply(struct feed *, json_t *, bool);

/* Clients may leave while a reply is handed out: the feed is freed after,
 * when the last one has. */
static void
feed_reply(void *data, json_t *params, const char *error, bool continues)
{
	struct feed *f = data;

	f->busy = true;
	if (error)
		feed_fail(f, error, params);
	else
		feed_deliver_reply(f, params, continues);
	f->busy = false;
	if (TAILQ_EMPTY(&f->clients))
		feed_free(f);
}

static void
feed_deliver_reply(struct feed *f, json_t *params, bool continues)
{
	struct feed_client *c, *next;

	if (!continues)
		f->call = NULL;
	if (f->output)
		feed_keep_lines(f, params);
	if (!f->open) {
		f->open = true;
		/* The clients waiting get what the first reply holds. */
		TAILQ_FOREACH_SAFE(c, &f->clients, link, next)
			feed_open_client(c, params);
		if (!continues)
			feed_broadcast(f, NULL, true);
		return;
	}
	feed_broadcast(f, params, !continues);
}

static struct feed *
feed_find(struct web *w, bool output, json_int_t run)
{
	struct feed *f;

	TAILQ_FOREACH(f, &w->feeds, link)
		if (f->output == output && (!output || f->run == run) &&
		    f->call)
			return f;
	return NULL;
}

static void
feed_join(struct web *w, struct web_request *r, bool output, json_int_t run,
    uint64_t lines)
{
	struct feed *f = feed_find(w, output, run);
	struct feed_client *c;
	json_t *p;

	if (!f) {
		f = xcalloc(1, sizeof(*f));
		f->web = w;
		f->output = output;
		f->run = run;
		f->backlog = json_array();
		TAILQ_INIT(&f->clients);
		p = output ? json_pack("{s:I,s:I,s:b}", "run", run, "lines",
		    (json_int_t)API_OUTPUT_LINES, "follow", true) : NULL;
		f->call = vlcall_start(&w->streams, w->loop, w->socket,
		    output ? IFACE "Logs" : IFACE "Events", p, true,
		    feed_reply, f);
		if (!f->call) {
			json_decref(f->backlog);
			free(f);
			web_respond_error(r, 503, "too many streams at once "
			    "(runs followed and the event stream share "
			    "jobd-web's connections to jobd)", NULL, NULL);
			return;
		}
		TAILQ_INSERT_TAIL(&w->feeds, f, link);
	}
	c = xcalloc(1, sizeof(*c));
	c->feed = f;
	c->req = r;
	c->lines = lines;
	TAILQ_INSERT_TAIL(&f->clients, c, link);
	r->data = c;
	r->release = feed_release;
	if (f->open)
		feed_open_client(c, NULL);
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

	if (!api_run_id(r, args[0], &id) ||
	    !api_query_uint(r, "lines", 100000, API_OUTPUT_LINES, &lines))
		return;
	if (!api_flag(r, "follow")) {
		api_call(w, r, IFACE "Logs", json_pack("{s:I,s:I}", "run", id,
		    "lines", (json_int_t)lines), NULL);
		return;
	}
	feed_join(w, r, true, id, lines);
}

void
api_events(struct web *w, struct web_request *r, char **args)
{
	(void)args;
	feed_join(w, r, false, 0, 0);
}
