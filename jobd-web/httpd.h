/* The HTTP side of jobd-web: libmicrohttpd driven from the libuv loop (its
 * epoll descriptor watched, its timeout on a timer), and a request that a
 * handler answers now or later (while jobd answers it, the connection is
 * suspended). */
#ifndef JOBD_WEB_HTTPD_H
#define JOBD_WEB_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/queue.h>

#include <jansson.h>
#include <microhttpd.h>
#include <uv.h>

/* Bodies of POST requests: the largest a call to jobd needs is tiny. */
#define HTTPD_MAX_BODY (64 * 1024)
/* Connections at once: 1000 idle clients leave room for real ones. */
#define HTTPD_MAX_CONNECTIONS 1500
/* Per connection, headers included: about 16 KiB of headers fit. */
#define HTTPD_CONNECTION_MEMORY (32 * 1024)

struct httpd;
struct sse;
struct vlcall;

struct web_request {
	struct httpd *httpd;
	struct MHD_Connection *conn;
	const char *method;		/* "GET", borrowed from MHD */
	const char *path;		/* decoded, without the query */
	char *body;			/* NUL-terminated, body_len bytes */
	size_t body_len;
	bool body_over;			/* more than HTTPD_MAX_BODY */
	bool dispatched, suspended;
	struct MHD_Response *response;	/* ready to queue */
	unsigned status;
	struct vlcall *call;		/* a call to jobd in flight */
	char *set_cookie;		/* a Set-Cookie header to add */
	/* Called once when the request is over (answered, or the client
	 * went away), so a handler frees what it kept in data. */
	void (*release)(struct web_request *);
	void *data;
	TAILQ_ENTRY(web_request) link;
};

/* Called for each request once its body is read. */
typedef void (*httpd_dispatch_fn)(void *owner, struct web_request *);

struct httpd_config {
	int listen_fd;			/* bound and listening */
	unsigned idle_timeout_sec;
	httpd_dispatch_fn dispatch;
	void *owner;
};

int httpd_start(uv_loop_t *, const struct httpd_config *, struct httpd **ret);
/* Closes every connection and the listening socket; the loop may then
 * end. */
void httpd_stop(struct httpd *);
uv_loop_t *httpd_loop(struct httpd *);

/* Answers: each sets the response (and resumes a suspended connection).
 * body is copied. */
void web_respond(struct web_request *, unsigned status,
    const char *content_type, const char *body, size_t len);
/* Steals json. */
void web_respond_json(struct web_request *, unsigned status, json_t *json);
/* {"error": message, "varlink_error"?, "parameters"?}; params borrowed. */
void web_respond_error(struct web_request *, unsigned status,
    const char *message, const char *varlink_error, json_t *params);
/* Takes a response made elsewhere (a stream). */
void web_respond_with(struct web_request *, unsigned status,
    struct MHD_Response *);

/* A stream's connection waits for data (MHD stops writing to it) or goes
 * on. */
void web_suspend(struct web_request *);
void web_resume(struct web_request *);

/* A header of the request, or NULL. */
const char *web_header(struct web_request *, const char *name);
/* A query argument, or NULL. */
const char *web_query(struct web_request *, const char *name);
/* A cookie, or NULL. */
const char *web_cookie(struct web_request *, const char *name);

/* The headers every response carries (content policy, no sniffing). */
void httpd_decorate(struct MHD_Response *);

#endif
