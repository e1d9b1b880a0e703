/* The handlers of /api/v1 and what they share: the application they serve
 * (jobd's socket, the access rules) and one call to jobd whose reply,
 * shaped or as it is, becomes the answer. */
#ifndef JOBD_WEB_API_H
#define JOBD_WEB_API_H

#include <stdbool.h>

#include <jansson.h>

#include "httpd.h"
#include "vlcall.h"

/* Connections to jobd (a uid that is not an administrator gets 32): one-
 * shot calls share API_CALLS, waiting in turn past them; the streams
 * (one Events call for every events client, one Logs call per followed
 * run) get API_STREAMS, and a new stream past them is refused. */
#define API_CALLS 16
#define API_CALLS_QUEUED 4096
#define API_STREAMS 13

struct auth;

struct web {
	uv_loop_t *loop;
	const char *socket;		/* jobd's control socket */
	struct auth *auth;
	struct httpd *httpd;
	struct vlpool calls, streams;
	TAILQ_HEAD(, feed) feeds;	/* api-stream.c */
};

/* A handler gets the request and the path's {parameters} in order. */
typedef void (*api_handler_fn)(struct web *, struct web_request *,
    char **args);

/* Turns a successful reply's parameters into the answer (a new
 * reference), or NULL after answering with an error itself. */
typedef json_t *(*api_shape_fn)(struct web_request *, json_t *params);

/* Starts a one-shot call for r (r->call); false after answering 503 when
 * too many wait already. */
bool api_vlcall(struct web *, struct web_request *, const char *method,
    json_t *params, vlcall_reply_fn, void *data);

/* Calls jobd and answers with the reply (shaped when shape is given) or
 * with the error it maps to.  Steals params. */
void api_call(struct web *, struct web_request *, const char *method,
    json_t *params, api_shape_fn shape);
/* The HTTP status for an error of jobd's (or of the call itself). */
unsigned api_error_status(const char *varlink_error);
/* Answers with jobd's error as JSON. */
void api_error_reply(struct web_request *, const char *error,
    json_t *params);

/* The request's body as a JSON object ({} when there is none), or NULL
 * after answering 400. */
json_t *api_body(struct web_request *);
/* A non-negative integer query argument in [0, max], def when absent;
 * false after answering 400. */
bool api_query_uint(struct web_request *, const char *name, uint64_t max,
    uint64_t def, uint64_t *ret);

/* A run id of the path, or false after answering 404. */
bool api_run_id(struct web_request *, const char *s, json_int_t *ret);

/* api-*.c */
void api_jobs(struct web *, struct web_request *, char **);
void api_job(struct web *, struct web_request *, char **);
void api_job_next(struct web *, struct web_request *, char **);
void api_services(struct web *, struct web_request *, char **);
void api_runs(struct web *, struct web_request *, char **);
void api_run(struct web *, struct web_request *, char **);
void api_sync(struct web *, struct web_request *, char **);
void api_alerts(struct web *, struct web_request *, char **);
void api_daemon(struct web *, struct web_request *, char **);
void api_metrics(struct web *, struct web_request *, char **);
void api_healthz(struct web *, struct web_request *, char **);
void api_job_action(struct web *, struct web_request *, char **);
void api_run_cancel(struct web *, struct web_request *, char **);
void api_service_action(struct web *, struct web_request *, char **);
void api_event_action(struct web *, struct web_request *, char **);
void api_run_output(struct web *, struct web_request *, char **);
void api_events(struct web *, struct web_request *, char **);

#endif
