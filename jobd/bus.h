/* The event stream: every state change as one JSON object to each client
 * that called io.jobd.Manager.Events (with "more"), for scripts and for
 * debugging.  Part of the protocol layer: the runtime hands it facts as C
 * structs (runs' news, a service's state, admission), and the JSON is
 * written here.  Emitting with no subscriber costs one test. */
#ifndef JOBD_BUS_H
#define JOBD_BUS_H

#include "run-events.h"

struct conn;
struct run;
struct service;

struct bus_sub;

struct bus {
	struct bus_sub *subs;
	struct run_subscriber sub;	/* run-queued/started/finished */
};

void bus_init(struct bus *, struct run_hub *);
void bus_subscribe(struct bus *, struct conn *);
/* Ends every stream (shutdown). */
void bus_close(struct bus *);

void bus_service_state(struct bus *, const struct service *);
void bus_acquired(struct bus *, const struct run *, char **locks,
    char **semaphores);
void bus_released(struct bus *, const struct run *, char **semaphores);
/* An event went from clear to set, or from set to clear. */
void bus_event(struct bus *, const char *type, const char *name);

#endif
