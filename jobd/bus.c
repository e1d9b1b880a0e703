/* The event stream.  Subscribers are control connections in the middle
 * of an Events call; each event is one "continues" reply.  A subscriber
 * that does not read is dropped by the control socket's write bound, and
 * its cancel hook removes it here. */
#include <stdlib.h>

#include "bus.h"
#include "control.h"
#include "daemon.h"
#include "job.h"
#include "method.h"
#include "run.h"
#include "xmalloc.h"

struct bus_sub {
	struct daemon *daemon;
	struct conn *conn;
	struct bus_sub *next;
};

static void
bus_unsubscribe(void *ctx)
{
	struct bus_sub *s = ctx, **pp;

	for (pp = &s->daemon->bus.subs; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	free(s);
}

void
bus_emit(struct daemon *d, const char *type, json_t *fields)
{
	struct bus_sub *s, *next;

	if (!d->bus.subs) {
		json_decref(fields);
		return;
	}
	json_object_set_new(fields, "type", json_string(type));
	json_object_set_new(fields, "usec",
	    json_integer((json_int_t)now_realtime()));
	for (s = d->bus.subs; s; s = next) {
		next = s->next;
		/* ctl_reply may close the connection, which unsubscribes. */
		ctl_reply(s->conn, json_deep_copy(fields), true);
	}
	json_decref(fields);
}

void
bus_emit_run(struct daemon *d, const char *type, const struct run *r)
{
	if (d->bus.subs)
		bus_emit(d, type, json_pack("{s:o}", "run",
		    method_run_json(r)));
}

void
bus_subscribe(struct daemon *d, struct conn *c)
{
	struct bus_sub *s = xcalloc(1, sizeof(*s));

	s->daemon = d;
	s->conn = c;
	s->next = d->bus.subs;
	d->bus.subs = s;
	ctl_set_cancel(c, bus_unsubscribe, s);
	/* The first reply says the stream is open. */
	ctl_reply(c, json_pack("{s:s, s:I}", "type", "subscribed", "usec",
	    (json_int_t)now_realtime()), true);
}

void
bus_close(struct daemon *d)
{
	struct bus_sub *s;

	while ((s = d->bus.subs)) {
		d->bus.subs = s->next;
		ctl_set_cancel(s->conn, NULL, NULL);
		ctl_reply(s->conn, json_pack("{s:s, s:I}", "type", "end", "usec",
		    (json_int_t)now_realtime()), false);
		free(s);
	}
}
