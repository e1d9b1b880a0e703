/* An HTTP client on the loop: libcurl's multi interface driven by libuv
 * (a uv_poll per socket curl asks for, one uv_timer for curl's timeout),
 * as curl's own multi-uv example does.  POST (GET for health probes),
 * http and https only, no redirects, a bounded response that is read and
 * dropped.  Name
 * resolution runs on libcurl's resolver threads, so nothing here blocks
 * the loop. */
#ifndef JOBD_HTTP_CLIENT_H
#define JOBD_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "timeutil.h"

struct http_socket;
struct http_transfer;

/* Past this many bytes a response is not read further (a 2xx counts as
 * answered all the same). */
#define HTTP_MAX_RESPONSE (1024 * 1024)
/* The start of a response body handed to done, for error messages. */
#define HTTP_HEAD_MAX 256

struct http_client {
	uv_loop_t *loop;
	void *multi;			/* CURLM */
	uv_timer_t timer;		/* curl's timeout */
	bool open, closing;
	bool async_dns;			/* resolves off the loop thread */
	struct http_socket *sockets;	/* polled for curl */
	struct http_transfer *transfers;	/* in flight */
	unsigned ntransfers;
};

struct http_request {
	const char *url;
	char *const *headers;		/* "Name: value"; NULL-ended or NULL */
	const char *content_type;	/* unless headers have one */
	const char *body;
	size_t body_len;
	usec_t timeout;			/* the whole transfer */
	usec_t connect_timeout;		/* 0: timeout */
	bool get;			/* a GET: no body */
};

/* The transfer ended: status is the HTTP status when a response came (and
 * error NULL), else 0 and error says why (curl's words).  head: the start
 * of the response body (at most HTTP_HEAD_MAX bytes, NUL-terminated, not
 * checked for anything).  The transfer is freed after the call. */
typedef void (*http_done_fn)(void *ctx, long status, const char *error,
    const char *head);

/* Returns 0, or -errno with *cause (libcurl could not be set up). */
int http_client_init(struct http_client *, uv_loop_t *, char **cause);
/* Starts a POST (a GET with req->get) of req (copied); done comes later, on the loop.  Returns
 * 0 and the transfer in *ret (may be NULL), or -errno with *cause and
 * done is never called. */
int http_post(struct http_client *, const struct http_request *,
    http_done_fn done, void *ctx, struct http_transfer **ret, char **cause);
/* Stops a transfer in flight; its done is not called. */
void http_cancel(struct http_transfer *);
/* Stops every transfer (no done) and closes the handles; the struct may
 * be freed once the loop has run their close callbacks. */
void http_client_close(struct http_client *);

#endif
