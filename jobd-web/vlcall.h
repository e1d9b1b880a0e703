/* jobd-web's side of jobd's control socket: one Varlink call per
 * connection, on the loop.  A call with "more" streams its replies until
 * jobd sends the last one; the caller may cancel it at any time. */
#ifndef JOBD_WEB_VLCALL_H
#define JOBD_WEB_VLCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/queue.h>

#include <jansson.h>
#include <uv.h>

/* The error a reply carries when jobd could not be reached or broke the
 * protocol (params: {"reason": "..."}); never one of jobd's own. */
#define VLCALL_UNREACHABLE "jobd-web.JobdUnreachable"

/* Replies may hold whole output tails or every job: jobctl's bound. */
#define VLCALL_MAX_REPLY (16 * 1024 * 1024)

struct vlcall;

/* jobd gives a uid that is not an administrator 32 connections at once:
 * calls share a bounded number of connections, and those past it wait in
 * a FIFO queue (up to max_queued; then vlcall_start fails). */
struct vlpool {
	unsigned max, active;
	size_t queued, max_queued;
	TAILQ_HEAD(, vlcall) queue;
};

void vlpool_init(struct vlpool *, unsigned max, size_t max_queued);

/* Called for each reply: params (borrowed, never NULL), error (NULL for a
 * successful reply) and whether more replies follow.  After a reply with
 * continues false (or any error) the call is over and freed. */
typedef void (*vlcall_reply_fn)(void *data, json_t *params,
    const char *error, bool continues);

/* Connects to socket and sends method ("io.jobd.Manager.List") with params
 * (stolen; NULL: {}), now or when the pool has room.  NULL when the pool's
 * queue is full (params are freed; no callback). */
struct vlcall *vlcall_start(struct vlpool *, uv_loop_t *, const char *socket,
    const char *method, json_t *params, bool more, vlcall_reply_fn,
    void *data);
/* No callback after this; the connection closes. */
void vlcall_cancel(struct vlcall *);
/* Stops (or resumes) reading replies, so a slow HTTP client holds jobd's
 * stream back instead of growing jobd-web. */
void vlcall_pause(struct vlcall *, bool paused);

#endif
