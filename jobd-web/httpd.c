/* libmicrohttpd on the libuv loop.  MHD runs in "external" mode with epoll:
 * its epoll descriptor is watched with uv_poll and MHD_run is called when
 * it is readable or when MHD's own timeout (idle connections) falls due.
 * A request is dispatched once its body is in; a handler that must ask
 * jobd first leaves it without a response, and the connection is
 * suspended until web_respond* resumes it (MHD then calls us again and
 * the response is queued). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ascii.h"
#include "httpd.h"
#include "log.h"
#include "vlcall.h"
#include "xmalloc.h"

/* A connection's deadline for a whole request to arrive: MHD's own
 * timeout counts only silence, and a client sending a byte now and then
 * would hold a connection for ever. */
struct conn_watch {
	uv_timer_t timer;
	struct httpd *httpd;
	MHD_socket fd;
};

struct httpd {
	struct MHD_Daemon *mhd;
	uv_loop_t *loop;
	uint64_t request_ms;		/* a request's headers and body */
	uv_poll_t poll;
	uv_timer_t timer;
	httpd_dispatch_fn dispatch;
	void *owner;
	bool stopping;
	TAILQ_HEAD(, web_request) requests;
};

static void httpd_run(struct httpd *);

static void
watch_expired(uv_timer_t *t)
{
	struct conn_watch *w = t->data;

	/* MHD sees the connection fail and closes it. */
	shutdown(w->fd, SHUT_RDWR);
	httpd_run(w->httpd);
}

static void
watch_freed(uv_handle_t *h)
{
	free(h->data);
}

static void
httpd_connection(void *cls, struct MHD_Connection *conn, void **ctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct httpd *h = cls;
	const union MHD_ConnectionInfo *info;
	struct conn_watch *w = *ctx;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (w)
			uv_close((uv_handle_t *)&w->timer, watch_freed);
		*ctx = NULL;
		return;
	}
	info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!info)
		return;
	w = xcalloc(1, sizeof(*w));
	w->httpd = h;
	w->fd = info->connect_fd;
	uv_timer_init(h->loop, &w->timer);
	w->timer.data = w;
	uv_timer_start(&w->timer, watch_expired, h->request_ms, 0);
	*ctx = w;
}

/* The deadline runs while a request arrives: stopped once it is
 * dispatched, started again for the next one on the connection. */
static void
httpd_watch(struct MHD_Connection *conn, bool arriving)
{
	const union MHD_ConnectionInfo *info;
	struct conn_watch *w;

	info = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (!info || !(w = info->socket_context))
		return;
	if (arriving)
		uv_timer_start(&w->timer, watch_expired,
		    w->httpd->request_ms, 0);
	else
		uv_timer_stop(&w->timer);
}

/* %HH escapes of the path and query, except %00: a NUL would cut a name
 * short (/jobs/%00x would read /jobs/), so it stays as it is written and
 * matches nothing. */
static size_t
httpd_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *in = s, *out = s;
	int hi, lo;

	(void)cls;
	(void)conn;
	while (*in) {
		if (in[0] == '%' && (hi = ascii_hexval(in[1])) >= 0 &&
		    (lo = ascii_hexval(in[2])) >= 0 && (hi | lo)) {
			*out++ = (char)(hi << 4 | lo);
			in += 3;
		} else
			*out++ = *in++;
	}
	*out = '\0';
	return (size_t)(out - s);
}

static void
httpd_polled(uv_poll_t *p, int status, int events)
{
	(void)status;
	(void)events;
	httpd_run(p->data);
}

static void
httpd_timed(uv_timer_t *t)
{
	httpd_run(t->data);
}

/* Lets MHD do what is ready, then waits for its next deadline. */
static void
httpd_run(struct httpd *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (h->stopping)
		return;
	MHD_run(h->mhd);
	if (MHD_get_timeout(h->mhd, &ms) == MHD_YES)
		uv_timer_start(&h->timer, httpd_timed, ms, 0);
	else
		uv_timer_stop(&h->timer);
}

void
httpd_decorate(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'self'; img-src 'self' data:; "
	    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

void
web_respond_with(struct web_request *r, unsigned status,
    struct MHD_Response *resp)
{
	if (r->response) {
		/* A second answer (a late reply after an error): keep the
		 * first. */
		MHD_destroy_response(resp);
		return;
	}
	httpd_decorate(resp);
	if (r->set_cookie)
		MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
	r->response = resp;
	r->status = status;
	web_resume(r);
}

void
web_suspend(struct web_request *r)
{
	if (!r->suspended) {
		r->suspended = true;
		MHD_suspend_connection(r->conn);
	}
}

/* In external mode MHD's wake-up descriptor is not in the epoll set we
 * watch: MHD_run must be called soon after a resume, or the connection
 * waits for the next unrelated event. */
void
web_resume(struct web_request *r)
{
	struct httpd *h = r->httpd;

	if (!r->suspended)
		return;
	r->suspended = false;
	MHD_resume_connection(r->conn);
	if (!h->stopping)
		uv_timer_start(&h->timer, httpd_timed, 0, 0);
}

void
web_respond(struct web_request *r, unsigned status, const char *content_type,
    const char *body, size_t len)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(len, (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	if (!resp)
		abort();
	MHD_add_response_header(resp, "Content-Type", content_type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	web_respond_with(r, status, resp);
}

void
web_respond_json(struct web_request *r, unsigned status, json_t *json)
{
	char *s = json_dumps(json, JSON_COMPACT);

	json_decref(json);
	if (!s) {
		web_respond(r, 500, "application/json",
		    "{\"error\":\"cannot encode the answer\"}", 35);
		return;
	}
	web_respond(r, status, "application/json", s, strlen(s));
	free(s);
}

void
web_respond_error(struct web_request *r, unsigned status, const char *message,
    const char *varlink_error, json_t *params)
{
	json_t *o = json_pack("{s:s}", "error", message);

	if (varlink_error)
		json_object_set_new(o, "varlink_error",
		    json_string(varlink_error));
	if (params && json_object_size(params))
		json_object_set(o, "parameters", params);
	web_respond_json(r, status, o);
}

const char *
web_header(struct web_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
web_query(struct web_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

const char *
web_cookie(struct web_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/* A body bigger than HTTPD_MAX_BODY is refused as soon as its length is
 * known; one sent chunked is read to the limit and then refused, so the
 * buffer never grows past it. */
static void
httpd_take_body(struct web_request *r, const char *data, size_t n)
{
	if (r->body_over || r->body_len + n > HTTPD_MAX_BODY) {
		r->body_over = true;
		return;
	}
	r->body = xrealloc(r->body, r->body_len + n + 1);
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
}

static enum MHD_Result
httpd_queue(struct web_request *r)
{
	enum MHD_Result ret;

	ret = MHD_queue_response(r->conn, r->status, r->response);
	MHD_destroy_response(r->response);
	r->response = NULL;
	return ret;
}

static bool
httpd_too_long(struct web_request *r)
{
	const char *cl = web_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	unsigned long long n;

	if (!cl)
		return false;
	errno = 0;
	n = strtoull(cl, &end, 10);
	return errno || *end || n > HTTPD_MAX_BODY;
}

static enum MHD_Result
httpd_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	struct httpd *h = cls;
	struct web_request *r = *req_cls;

	(void)version;
	if (!r) {
		r = xcalloc(1, sizeof(*r));
		r->httpd = h;
		r->conn = conn;
		r->method = method;
		r->path = url;
		*req_cls = r;
		TAILQ_INSERT_TAIL(&h->requests, r, link);
		if (httpd_too_long(r)) {
			web_respond_error(r, 413, "request body too large "
			    "(at most 64 KiB)", NULL, NULL);
			return httpd_queue(r);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		httpd_take_body(r, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!r->dispatched) {
		r->dispatched = true;
		httpd_watch(conn, false);
		if (r->body_over)
			web_respond_error(r, 413, "request body too large "
			    "(at most 64 KiB)", NULL, NULL);
		else
			h->dispatch(h->owner, r);
	}
	if (r->response)
		return httpd_queue(r);
	web_suspend(r);
	return MHD_YES;
}

static void
httpd_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct web_request *r = *req_cls;
	struct httpd *h = cls;

	if (!r)
		return;
	*req_cls = NULL;
	TAILQ_REMOVE(&h->requests, r, link);
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		httpd_watch(conn, true);
	vlcall_cancel(r->call);
	if (r->release)
		r->release(r);
	if (r->response)
		MHD_destroy_response(r->response);
	free(r->body);
	free(r->set_cookie);
	free(r);
}

static void
httpd_log(void *cls, const char *fmt, va_list ap)
{
	char *msg = NULL;

	(void)cls;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("http: %s", msg);
	free(msg);
}

int
httpd_start(uv_loop_t *loop, const struct httpd_config *cfg,
    struct httpd **ret)
{
	struct httpd *h = xcalloc(1, sizeof(*h));
	const union MHD_DaemonInfo *info;
	int r;

	h->loop = loop;
	h->dispatch = cfg->dispatch;
	h->owner = cfg->owner;
	h->request_ms = (uint64_t)cfg->idle_timeout_sec * 1000;
	TAILQ_INIT(&h->requests);
	h->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
	    MHD_USE_ERROR_LOG, 0, NULL, NULL, httpd_access, h,
	    MHD_OPTION_LISTEN_SOCKET, cfg->listen_fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTPD_MAX_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout_sec,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)HTTPD_CONNECTION_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, httpd_completed, h,
	    MHD_OPTION_NOTIFY_CONNECTION, httpd_connection, h,
	    MHD_OPTION_UNESCAPE_CALLBACK, httpd_unescape, h,
	    MHD_OPTION_EXTERNAL_LOGGER, httpd_log, h,
	    MHD_OPTION_END);
	if (!h->mhd) {
		free(h);
		return -EINVAL;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info) {
		MHD_stop_daemon(h->mhd);
		free(h);
		return -ENOTSUP;
	}
	uv_timer_init(loop, &h->timer);
	h->timer.data = h;
	r = uv_poll_init(loop, &h->poll, info->epoll_fd);
	if (r == 0)
		r = uv_poll_start(&h->poll, UV_READABLE, httpd_polled);
	if (r < 0) {
		log_error("cannot watch the HTTP server: %s", uv_strerror(r));
		abort();
	}
	h->poll.data = h;
	httpd_run(h);
	*ret = h;
	return 0;
}

/* The timer is closed after the poll, and close callbacks run in order:
 * its callback is the last use of h. */
static void
httpd_freed(uv_handle_t *handle)
{
	free(handle->data);
}

void
httpd_stop(struct httpd *h)
{
	struct web_request *r;

	h->stopping = true;
	/* MHD refuses to stop with suspended connections. */
	TAILQ_FOREACH(r, &h->requests, link)
		web_resume(r);
	uv_close((uv_handle_t *)&h->poll, NULL);
	uv_close((uv_handle_t *)&h->timer, httpd_freed);
	/* Completion callbacks run here and cancel calls to jobd. */
	MHD_stop_daemon(h->mhd);
}

uv_loop_t *
httpd_loop(struct httpd *h)
{
	return h->loop;
}
