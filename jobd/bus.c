/* The event stream.  Subscribers are control connections in the middle
 * of an Events call; each event is one "continues" reply, written once as
 * JSON text and copied to each subscriber.  A subscriber that does not
 * read is dropped by the control socket's write bound, and its cancel hook
 * removes it here. */
#include <stdlib.h>

#include "bus.h"
#include "control.h"
#include "job.h"
#include "json-writer.h"
#include "method.h"
#include "run.h"
#include "service.h"
#include "xmalloc.h"

struct bus_sub {
	struct bus *bus;
	struct conn *conn;
	struct bus_sub *next;
};

static void
bus_unsubscribe(void *ctx)
{
	struct bus_sub *s = ctx, **pp;

	for (pp = &s->bus->subs; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	free(s);
}

/* Starts an event's object: its type and time; the caller adds fields. */
static void
bus_begin(struct json_writer *w, const char *type)
{
	jw_init(w);
	jw_open(w, '{');
	jw_kstr(w, "type", type);
	jw_kint(w, "usec", (long long)now_realtime());
}

/* Ends the object and sends it to every subscriber. */
static void
bus_send(struct bus *b, struct json_writer *w)
{
	struct bus_sub *s, *next;
	struct json_writer copy;

	jw_close(w, '}');
	for (s = b->subs; s; s = next) {
		next = s->next;
		/* ctl_reply_text may close the connection: unsubscribed. */
		jw_copy(&copy, w);
		ctl_reply_text(s->conn, &copy, true);
	}
	jw_done(w);
}

static void
bus_run(struct bus *b, const char *type, const struct run *r)
{
	struct json_writer w;

	if (!b->subs)
		return;
	bus_begin(&w, type);
	jw_key(&w, "run");
	method_run_write(&w, r);
	bus_send(b, &w);
}

static void
bus_queued_cb(struct run_subscriber *sub, struct run *r)
{
	bus_run(container_of(sub, struct bus, sub), "run-queued", r);
}

static void
bus_started_cb(struct run_subscriber *sub, struct run *r)
{
	bus_run(container_of(sub, struct bus, sub), "run-started", r);
}

static void
bus_finished_cb(struct run_subscriber *sub, struct run *r)
{
	bus_run(container_of(sub, struct bus, sub), "run-finished", r);
}

void
bus_init(struct bus *b, struct run_hub *hub)
{
	*b = (struct bus){ 0 };
	b->sub = (struct run_subscriber){ .queued = bus_queued_cb,
	    .started = bus_started_cb, .finished = bus_finished_cb };
	run_hub_subscribe(hub, &b->sub);
}

void
bus_service_state(struct bus *b, const struct service *s)
{
	struct json_writer w;

	if (!b->subs)
		return;
	bus_begin(&w, "service-state");
	jw_kstr(&w, "service", s->job->name);
	jw_kstr(&w, "state", service_state_name[s->state]);
	bus_send(b, &w);
}

static void
bus_names(struct json_writer *w, const char *key, char **v)
{
	size_t i;

	jw_key(w, key);
	jw_open(w, '[');
	for (i = 0; v && v[i]; i++)
		jw_string(w, v[i]);
	jw_close(w, ']');
}

void
bus_acquired(struct bus *b, const struct run *r, char **locks,
    char **semaphores)
{
	struct json_writer w;

	if (!b->subs)
		return;
	bus_begin(&w, "acquired");
	jw_kint(&w, "run_id", (long long)r->id);
	jw_kstr(&w, "job", r->name);
	bus_names(&w, "locks", locks);
	bus_names(&w, "semaphores", semaphores);
	bus_send(b, &w);
}

void
bus_released(struct bus *b, const struct run *r, char **semaphores)
{
	struct json_writer w;

	if (!b->subs)
		return;
	bus_begin(&w, "released");
	jw_kint(&w, "run_id", (long long)r->id);
	jw_kstr(&w, "job", r->name);
	bus_names(&w, "semaphores", semaphores);
	bus_send(b, &w);
}

void
bus_event(struct bus *b, const char *type, const char *name)
{
	struct json_writer w;

	if (!b->subs)
		return;
	bus_begin(&w, type);
	jw_kstr(&w, "name", name);
	bus_send(b, &w);
}

static void
bus_control(struct conn *c, const char *type, bool continues)
{
	struct json_writer w;

	bus_begin(&w, type);
	jw_close(&w, '}');
	ctl_reply_text(c, &w, continues);
}

void
bus_subscribe(struct bus *b, struct conn *c)
{
	struct bus_sub *s = xcalloc(1, sizeof(*s));

	s->bus = b;
	s->conn = c;
	s->next = b->subs;
	b->subs = s;
	ctl_set_cancel(c, bus_unsubscribe, s);
	/* The first reply says the stream is open. */
	bus_control(c, "subscribed", true);
}

void
bus_close(struct bus *b)
{
	struct bus_sub *s;

	while ((s = b->subs)) {
		b->subs = s->next;
		ctl_set_cancel(s->conn, NULL, NULL);
		bus_control(s->conn, "end", false);
		free(s);
	}
}
