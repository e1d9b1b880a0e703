/* The event stream: every state change as one JSON object to each client
 * that called io.jobd.Manager.Events (with "more"), for scripts and for
 * debugging.  Emitting with no subscriber costs one test. */
#ifndef JOBD_BUS_H
#define JOBD_BUS_H

#include <jansson.h>

struct daemon;
struct conn;
struct run;

struct bus_sub;

struct bus {
	struct bus_sub *subs;
};

/* Sends {"type": type, "usec": now, ...fields} (steals fields). */
void bus_emit(struct daemon *, const char *type, json_t *fields);
void bus_emit_run(struct daemon *, const char *type, const struct run *);
void bus_subscribe(struct daemon *, struct conn *);
/* Ends every stream (shutdown). */
void bus_close(struct daemon *);

#endif
