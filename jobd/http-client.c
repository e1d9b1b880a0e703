/* HTTP POSTs (and GETs) on the loop through libcurl's multi socket interface: curl
 * says which sockets to watch (http_socket_cb) and when to wake it
 * (http_timer_cb); libuv watches and wakes; each finished transfer is
 * read off curl's message queue and handed to its owner.  Callbacks into
 * the owner never run inside a curl callback, so the owner may start or
 * stop transfers from them.  Knows nothing of alerts or JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http-client.h"
#include "macro.h"
#include "strv.h"
#include "xmalloc.h"

struct http_socket {
	uv_poll_t poll;
	curl_socket_t fd;
	struct http_client *client;
	struct http_socket *next, **prev;
};

struct http_transfer {
	struct http_client *client;
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	size_t received;
	char head[HTTP_HEAD_MAX + 1];
	size_t head_len;
	bool truncated;			/* stopped reading the response */
	char error[CURL_ERROR_SIZE];
	http_done_fn done;
	void *ctx;
	struct http_transfer *next, **prev;
};

#define LIST_ADD(head, x) do {						\
	(x)->next = (head);						\
	if ((x)->next)							\
		(x)->next->prev = &(x)->next;				\
	(x)->prev = &(head);						\
	(head) = (x);							\
} while (0)
#define LIST_DEL(x) do {						\
	*(x)->prev = (x)->next;						\
	if ((x)->next)							\
		(x)->next->prev = (x)->prev;				\
} while (0)

static void http_check_done(struct http_client *);

static void
http_socket_close_cb(uv_handle_t *h)
{
	free(container_of((uv_poll_t *)h, struct http_socket, poll));
}

static void
http_socket_close(struct http_socket *s)
{
	LIST_DEL(s);
	uv_close((uv_handle_t *)&s->poll, http_socket_close_cb);
}

/* A socket curl watches is ready (or failed): curl reads or writes. */
static void
http_poll_cb(uv_poll_t *h, int status, int events)
{
	struct http_socket *s = container_of(h, struct http_socket, poll);
	struct http_client *c = s->client;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	else {
		if (events & UV_READABLE)
			flags |= CURL_CSELECT_IN;
		if (events & UV_WRITABLE)
			flags |= CURL_CSELECT_OUT;
	}
	/* s may be closed (not freed) by curl meanwhile. */
	curl_multi_socket_action(c->multi, s->fd, flags, &running);
	http_check_done(c);
}

/* curl: watch socket fd for what (or stop watching it). */
static int
http_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
    void *socketp)
{
	struct http_client *c = userp;
	struct http_socket *s = socketp;
	int events = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			if (!c->closing)
				curl_multi_assign(c->multi, fd, NULL);
			http_socket_close(s);
		}
		return 0;
	}
	if (!s) {
		s = xcalloc(1, sizeof(*s));
		if (uv_poll_init_socket(c->loop, &s->poll, fd) < 0) {
			free(s);
			return -1;
		}
		s->fd = fd;
		s->client = c;
		LIST_ADD(c->sockets, s);
		curl_multi_assign(c->multi, fd, s);
	}
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	uv_poll_start(&s->poll, events, http_poll_cb);
	return 0;
}

static void
http_timeout_cb(uv_timer_t *t)
{
	struct http_client *c = container_of(t, struct http_client, timer);
	int running;

	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	http_check_done(c);
}

/* curl: call back in timeout_ms (-1: no timeout wanted). */
static int
http_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http_client *c = userp;

	(void)multi;
	if (c->closing)
		return 0;
	if (timeout_ms < 0)
		uv_timer_stop(&c->timer);
	else
		uv_timer_start(&c->timer, http_timeout_cb,
		    (uint64_t)timeout_ms, 0);
	return 0;
}

/* The response body: the first bytes kept for errors, the rest dropped,
 * and the transfer stopped past HTTP_MAX_RESPONSE. */
static size_t
http_write_cb(char *data, size_t size, size_t n, void *userp)
{
	struct http_transfer *t = userp;
	size_t len = size * n, keep;

	if (t->received + len > HTTP_MAX_RESPONSE) {
		t->truncated = true;
		return 0;
	}
	t->received += len;
	keep = MIN(len, HTTP_HEAD_MAX - t->head_len);
	memcpy(t->head + t->head_len, data, keep);
	t->head_len += keep;
	t->head[t->head_len] = '\0';
	return len;
}

static void
http_transfer_free(struct http_transfer *t)
{
	struct http_client *c = t->client;

	LIST_DEL(t);
	c->ntransfers--;
	curl_multi_remove_handle(c->multi, t->easy);
	curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	free(t->body);
	free(t);
}

/* Hands each finished transfer to its owner. */
static void
http_check_done(struct http_client *c)
{
	struct http_transfer *t;
	CURLMsg *msg;
	CURLcode res;
	long status = 0;
	int left;

	while (!c->closing && (msg = curl_multi_info_read(c->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		res = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&t);
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
		    &status);
		/* A 2xx whose body was too long to read still answered. */
		if (res == CURLE_WRITE_ERROR && t->truncated && status >= 200 &&
		    status < 300)
			res = CURLE_OK;
		if (res == CURLE_OK)
			t->done(t->ctx, status, NULL, t->head);
		else
			t->done(t->ctx, 0, t->error[0] ? t->error :
			    curl_easy_strerror(res), t->head);
		http_transfer_free(t);
	}
}

int
http_client_init(struct http_client *c, uv_loop_t *loop, char **cause)
{
	const curl_version_info_data *v;
	CURLcode r;

	*c = (struct http_client){ .loop = loop };
	/* Thread-safe in libcurl >= 7.84 built "threadsafe" (Debian's). */
	if ((r = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		*cause = xstrfmt("libcurl: %s", curl_easy_strerror(r));
		return -ENOMEM;
	}
	v = curl_version_info(CURLVERSION_NOW);
	c->async_dns = v && (v->features & CURL_VERSION_ASYNCHDNS);
	if (!(c->multi = curl_multi_init())) {
		*cause = xstrdup("libcurl: cannot make a multi handle");
		return -ENOMEM;
	}
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	uv_timer_init(loop, &c->timer);
	c->open = true;
	return 0;
}

static bool
headers_have(char *const *headers, const char *name)
{
	size_t n = strlen(name);

	for (; headers && *headers; headers++)
		if (!strncasecmp(*headers, name, n) && (*headers)[n] == ':')
			return true;
	return false;
}

/* The request's headers, and "Expect:" so that curl does not wait for
 * a 100 Continue that many receivers never send. */
static struct curl_slist *
http_headers(const struct http_request *req)
{
	struct curl_slist *l = curl_slist_append(NULL, "Expect:");
	char *const *h;
	char *ct;

	if (req->content_type && !headers_have(req->headers,
	    "Content-Type")) {
		ct = xstrfmt("Content-Type: %s", req->content_type);
		l = curl_slist_append(l, ct);
		free(ct);
	}
	for (h = req->headers; h && *h; h++)
		l = curl_slist_append(l, *h);
	return l;
}

static CURLcode
http_setopts(struct http_transfer *t, const struct http_request *req)
{
	CURL *e = t->easy;
	usec_t connect = req->connect_timeout ? req->connect_timeout :
	    req->timeout;
	CURLcode r = CURLE_OK;

#define SET(opt, val) do {						\
	if (r == CURLE_OK)						\
		r = curl_easy_setopt(e, opt, val);			\
} while (0)
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_NOSIGNAL, 1L);
	/* A transfer that ends while its name is still being resolved
	 * (a timeout, a cancel) would otherwise wait, on the loop, for the
	 * resolver thread to return: it is left to finish alone. */
	SET(CURLOPT_QUICK_EXIT, 1L);
	SET(CURLOPT_TIMEOUT_MS, (long)(req->timeout / USEC_PER_MSEC));
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)(connect / USEC_PER_MSEC));
	if (req->get) {
		SET(CURLOPT_HTTPGET, 1L);
	} else {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDS, t->body);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
	SET(CURLOPT_HTTPHEADER, t->headers);
	SET(CURLOPT_USERAGENT, "jobd/" JOBD_VERSION);
	SET(CURLOPT_WRITEFUNCTION, http_write_cb);
	SET(CURLOPT_WRITEDATA, t);
	SET(CURLOPT_ERRORBUFFER, t->error);
	SET(CURLOPT_PRIVATE, t);
#undef SET
	return r;
}

int
http_post(struct http_client *c, const struct http_request *req,
    http_done_fn done, void *ctx, struct http_transfer **ret, char **cause)
{
	struct http_transfer *t;
	CURLMcode mr;
	CURLcode r;

	if (!c->open || c->closing) {
		*cause = xstrdup("the HTTP client is closed");
		return -ESHUTDOWN;
	}
	t = xcalloc(1, sizeof(*t));
	t->client = c;
	t->done = done;
	t->ctx = ctx;
	t->body = xmalloc(req->body_len + 1);
	if (req->body_len)
		memcpy(t->body, req->body, req->body_len);
	t->headers = http_headers(req);
	if (!(t->easy = curl_easy_init()) || !t->headers) {
		*cause = xstrdup("libcurl: out of memory");
		goto fail;
	}
	if ((r = http_setopts(t, req)) != CURLE_OK) {
		*cause = xstrfmt("libcurl: %s", curl_easy_strerror(r));
		goto fail;
	}
	if ((mr = curl_multi_add_handle(c->multi, t->easy)) != CURLM_OK) {
		*cause = xstrfmt("libcurl: %s", curl_multi_strerror(mr));
		goto fail;
	}
	LIST_ADD(c->transfers, t);
	c->ntransfers++;
	if (ret)
		*ret = t;
	return 0;
fail:
	if (t->easy)
		curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	free(t->body);
	free(t);
	return -EINVAL;
}

void
http_cancel(struct http_transfer *t)
{
	http_transfer_free(t);
}

void
http_client_close(struct http_client *c)
{
	if (!c->open || c->closing)
		return;
	c->closing = true;
	while (c->transfers)
		http_transfer_free(c->transfers);
	/* Cached connections are closed here; curl tells of their
	 * sockets (CURL_POLL_REMOVE). */
	curl_multi_cleanup(c->multi);
	c->multi = NULL;
	while (c->sockets)
		http_socket_close(c->sockets);
	uv_close((uv_handle_t *)&c->timer, NULL);
}
