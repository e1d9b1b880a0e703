/* Unit tests for the HTTP client on a private loop, against a small HTTP
 * server on the same loop (127.0.0.1, a free port): the request as sent
 * (method, headers, body), statuses, a receiver that never answers (the
 * timeout), a refused connection, a redirect not followed, a scheme
 * refused, a response too long to read, a cancel, several transfers at
 * once, and no handle left open after close. */
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "http-client.h"
#include "macro.h"
#include "runner.h"
#include "xmalloc.h"

enum mode { ANSWER, HANG, BIG };

struct server {
	uv_tcp_t tcp;
	int port;
	enum mode mode;
	int status;			/* ANSWER's */
	const char *extra;		/* more response headers */
	char request[8192];		/* the last one, whole */
	size_t len;
	unsigned requests;
};

struct peer {
	uv_tcp_t tcp;
	struct server *srv;
	char buf[8192];
	size_t len;
	bool answered;
};

struct result {
	int calls;
	long status;
	char error[256];
	char head[HTTP_HEAD_MAX + 1];
};

static uv_loop_t loop;
static struct server srv;

static void
peer_close_cb(uv_handle_t *h)
{
	free(h->data);
}

static void
alloc_cb(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
	struct peer *p = h->data;

	(void)size;
	*buf = uv_buf_init(p->buf + p->len, (unsigned)(sizeof(p->buf) - 1 -
	    p->len));
}

static void
write_cb(uv_write_t *w, int status)
{
	(void)status;
	free(w->data);
	free(w);
}

static void
peer_send(struct peer *p, char *text, size_t len)
{
	uv_write_t *w = xmalloc(sizeof(*w));
	uv_buf_t b = uv_buf_init(text, (unsigned)len);

	w->data = text;
	uv_write(w, (uv_stream_t *)&p->tcp, &b, 1, write_cb);
}

/* Answers once the headers and the body (Content-Length) are in. */
static void
peer_answer(struct peer *p)
{
	struct server *s = p->srv;
	char *end = strstr(p->buf, "\r\n\r\n"), *cl, *text;
	size_t body = 0, n;

	if (!end || p->answered)
		return;
	if ((cl = strstr(p->buf, "Content-Length: ")))
		body = strtoul(cl + 16, NULL, 10);
	if ((size_t)(end + 4 - p->buf) + body > p->len)
		return;
	p->answered = true;
	memcpy(s->request, p->buf, p->len + 1);
	s->len = p->len;
	s->requests++;
	if (s->mode == HANG)
		return;
	if (s->mode == BIG) {
		n = 2 * HTTP_MAX_RESPONSE;
		text = xmalloc(n + 100);
		n = (size_t)snprintf(text, 100, "HTTP/1.1 200 OK\r\n"
		    "Content-Length: %zu\r\n\r\n", n) + n;
		memset(text + n - 2 * HTTP_MAX_RESPONSE, 'x',
		    2 * HTTP_MAX_RESPONSE);
		peer_send(p, text, n);
		return;
	}
	text = xstrfmt("HTTP/1.1 %d X\r\nContent-Length: 4\r\n"
	    "Connection: close\r\n%s\r\nbody",
	    s->status, s->extra ? s->extra : "");
	peer_send(p, text, strlen(text));
}

static void
read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	struct peer *p = st->data;

	(void)buf;
	if (n < 0) {
		uv_close((uv_handle_t *)st, peer_close_cb);
		return;
	}
	p->len += (size_t)n;
	p->buf[p->len] = '\0';
	peer_answer(p);
}

static void
connection_cb(uv_stream_t *server, int status)
{
	struct peer *p = xcalloc(1, sizeof(*p));

	ASSERT_OK(status);
	p->srv = &srv;
	uv_tcp_init(&loop, &p->tcp);
	p->tcp.data = p;
	ASSERT_OK(uv_accept(server, (uv_stream_t *)&p->tcp));
	uv_read_start((uv_stream_t *)&p->tcp, alloc_cb, read_cb);
}

static void
server_start(enum mode mode, int status)
{
	struct sockaddr_in a;
	struct sockaddr_storage got;
	int len = sizeof(got);

	srv = (struct server){ .mode = mode, .status = status };
	uv_tcp_init(&loop, &srv.tcp);
	uv_ip4_addr("127.0.0.1", 0, &a);
	ASSERT_OK(uv_tcp_bind(&srv.tcp, (struct sockaddr *)&a, 0));
	ASSERT_OK(uv_listen((uv_stream_t *)&srv.tcp, 16, connection_cb));
	uv_tcp_getsockname(&srv.tcp, (struct sockaddr *)&got, &len);
	srv.port = ntohs(((struct sockaddr_in *)&got)->sin_port);
}

static void
close_walk_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, h->data && h != (uv_handle_t *)&srv.tcp ?
		    peer_close_cb : NULL);
}

/* Closes the client and what is left of the server; no handle may stay. */
static void
finish(struct http_client *c)
{
	http_client_close(c);
	uv_walk(&loop, close_walk_cb, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_OK(uv_loop_close(&loop));
}

static void
done_cb(void *ctx, long status, const char *error, const char *head)
{
	struct result *r = ctx;

	r->calls++;
	r->status = status;
	snprintf(r->error, sizeof(r->error), "%s", error ? error : "");
	snprintf(r->head, sizeof(r->head), "%s", head);
	uv_stop(&loop);
}

static void
client(struct http_client *c)
{
	char *cause = NULL;

	ASSERT_OK(uv_loop_init(&loop));
	if (http_client_init(c, &loop, &cause) < 0)
		test_fail(__FILE__, __LINE__, "init: %s", cause);
	/* Debian's libcurl resolves on threads. */
	ASSERT(c->async_dns);
}

static void
post(struct http_client *c, const char *url, char *const *headers,
    usec_t timeout, struct result *r)
{
	struct http_request req = {
		.url = url, .headers = headers,
		.content_type = "application/json",
		.body = "{\"a\": 1}", .body_len = 8, .timeout = timeout,
	};
	char *cause = NULL;

	if (http_post(c, &req, done_cb, r, NULL, &cause) < 0)
		test_fail(__FILE__, __LINE__, "post: %s", cause);
}

static char *
url_of(const char *path)
{
	return xstrfmt("http://127.0.0.1:%d%s", srv.port, path);
}

TEST(post_200)
{
	struct http_client c;
	struct result r = { 0 };
	_cleanup_free_ char *url = NULL;
	char *headers[] = { "Authorization: Bearer s3cret", "X-Two: a b",
	    NULL };

	client(&c);
	server_start(ANSWER, 200);
	url = url_of("/hook?x=1");
	post(&c, url, headers, 5 * USEC_PER_SEC, &r);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_EQ(r.calls, 1);
	ASSERT_EQ(r.status, 200);
	ASSERT_STREQ(r.error, "");
	ASSERT_STREQ(r.head, "body");
	ASSERT_NOT_NULL(strstr(srv.request, "POST /hook?x=1 HTTP/1.1\r\n"));
	ASSERT_NOT_NULL(strstr(srv.request,
	    "\r\nAuthorization: Bearer s3cret\r\n"));
	ASSERT_NOT_NULL(strstr(srv.request, "\r\nX-Two: a b\r\n"));
	ASSERT_NOT_NULL(strstr(srv.request,
	    "\r\nContent-Type: application/json\r\n"));
	ASSERT_NOT_NULL(strstr(srv.request, "\r\nUser-Agent: jobd/"));
	ASSERT_NULL(strstr(srv.request, "Expect:"));
	ASSERT_NOT_NULL(strstr(srv.request, "\r\n\r\n{\"a\": 1}"));
	finish(&c);
}

TEST(own_content_type)
{
	struct http_client c;
	struct result r = { 0 };
	_cleanup_free_ char *url = NULL;
	char *headers[] = { "content-type: text/plain", NULL };

	client(&c);
	server_start(ANSWER, 204);
	url = url_of("/");
	post(&c, url, headers, 5 * USEC_PER_SEC, &r);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_EQ(r.status, 204);
	ASSERT_NOT_NULL(strstr(srv.request, "\r\ncontent-type: text/plain"));
	ASSERT_NULL(strstr(srv.request, "application/json"));
	finish(&c);
}

TEST(status_500_and_redirect)
{
	struct http_client c;
	struct result r = { 0 };
	_cleanup_free_ char *url = NULL;

	client(&c);
	server_start(ANSWER, 500);
	url = url_of("/");
	post(&c, url, NULL, 5 * USEC_PER_SEC, &r);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_EQ(r.status, 500);
	ASSERT_STREQ(r.head, "body");
	/* A redirect is an answer, not followed. */
	srv.status = 302;
	srv.extra = "Location: http://127.0.0.1:1/elsewhere\r\n";
	post(&c, url, NULL, 5 * USEC_PER_SEC, &r);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_EQ(r.calls, 2);
	ASSERT_EQ(r.status, 302);
	ASSERT_EQ(srv.requests, 2);
	finish(&c);
}

TEST(timeout)
{
	struct http_client c;
	struct result r = { 0 };
	_cleanup_free_ char *url = NULL;
	uint64_t t0;

	client(&c);
	server_start(HANG, 0);
	url = url_of("/");
	t0 = uv_hrtime();
	post(&c, url, NULL, USEC_PER_SEC, &r);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_EQ(r.calls, 1);
	ASSERT_EQ(r.status, 0);
	ASSERT_NOT_NULL(strstr(r.error, "timed out"));
	ASSERT((uv_hrtime() - t0) / 1000000 >= 900);
	ASSERT((uv_hrtime() - t0) / 1000000 < 3000);
	finish(&c);
}

TEST(refused_and_scheme)
{
	struct http_client c;
	struct result r = { 0 };
	_cleanup_free_ char *url = NULL;
	char *cause = NULL;
	struct http_request req = { .url = "ftp://127.0.0.1/x", .body = "",
	    .timeout = USEC_PER_SEC };

	client(&c);
	server_start(ANSWER, 200);
	url = url_of("/");
	/* Nothing listens there once the server is gone. */
	uv_close((uv_handle_t *)&srv.tcp, NULL);
	uv_run(&loop, UV_RUN_NOWAIT);
	post(&c, url, NULL, 5 * USEC_PER_SEC, &r);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_EQ(r.status, 0);
	ASSERT_NOT_NULL(strstr(r.error, "onnect"));
	ASSERT_OK(http_post(&c, &req, done_cb, &r, NULL, &cause));
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_EQ(r.calls, 2);
	ASSERT_EQ(r.status, 0);
	ASSERT_NOT_NULL(strstr(r.error, "ftp"));
	finish(&c);
}

TEST(unresolvable)
{
	struct http_client c;
	struct result r = { 0 };

	client(&c);
	post(&c, "http://no-such-host.invalid/", NULL, 5 * USEC_PER_SEC, &r);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_EQ(r.status, 0);
	ASSERT_NOT_NULL(strstr(r.error, "resolve"));
	finish(&c);
}

TEST(big_response)
{
	struct http_client c;
	struct result r = { 0 };
	_cleanup_free_ char *url = NULL;

	client(&c);
	server_start(BIG, 0);
	url = url_of("/");
	post(&c, url, NULL, 5 * USEC_PER_SEC, &r);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_EQ(r.status, 200);
	ASSERT_EQ(strlen(r.head), HTTP_HEAD_MAX);
	finish(&c);
}

static void
never_cb(void *ctx, long status, const char *error, const char *head)
{
	(void)ctx;
	(void)status;
	(void)error;
	(void)head;
	test_fail(__FILE__, __LINE__, "a cancelled transfer answered");
}

static void
cancel_timer_cb(uv_timer_t *t)
{
	http_cancel(t->data);
	uv_close((uv_handle_t *)t, NULL);
	uv_stop(&loop);
}

TEST(cancel_and_many)
{
	struct http_client c;
	struct result r[8] = { 0 };
	struct http_transfer *t;
	_cleanup_free_ char *url = NULL;
	struct http_request req = { .body = "x", .body_len = 1,
	    .timeout = 5 * USEC_PER_SEC };
	uv_timer_t timer;
	char *cause = NULL;
	size_t i;
	int calls = 0;

	client(&c);
	server_start(HANG, 0);
	url = url_of("/");
	req.url = url;
	ASSERT_OK(http_post(&c, &req, never_cb, NULL, &t, &cause));
	uv_timer_init(&loop, &timer);
	timer.data = t;
	uv_timer_start(&timer, cancel_timer_cb, 200, 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_EQ(c.ntransfers, 0);
	srv.mode = ANSWER;
	srv.status = 201;
	for (i = 0; i < ELEMENTSOF(r); i++)
		post(&c, url, NULL, 5 * USEC_PER_SEC, &r[i]);
	while (calls < (int)ELEMENTSOF(r)) {
		uv_run(&loop, UV_RUN_DEFAULT);
		for (calls = 0, i = 0; i < ELEMENTSOF(r); i++)
			calls += r[i].calls;
	}
	for (i = 0; i < ELEMENTSOF(r); i++)
		ASSERT_EQ(r[i].status, 201);
	/* Closing with transfers in flight: none answers. */
	srv.mode = HANG;
	ASSERT_OK(http_post(&c, &req, never_cb, NULL, NULL, &cause));
	uv_run(&loop, UV_RUN_NOWAIT);
	finish(&c);
}

/* Name resolution that takes its time: libcurl calls this one (the test
 * binary's own getaddrinfo comes first), from its resolver thread. */
int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	static int (*real)(const char *, const char *,
	    const struct addrinfo *, struct addrinfo **);

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "getaddrinfo");
	if (node && !strcmp(node, "slow.invalid"))
		sleep(3);
	return real(node, service, hints, res);
}

static uint64_t lag_last, lag_max;

static void
lag_cb(uv_timer_t *t)
{
	uint64_t now = uv_hrtime() / 1000000;

	(void)t;
	if (lag_last && now - lag_last > lag_max)
		lag_max = now - lag_last;
	lag_last = now;
}

/* A timeout while the resolver thread still works: the loop goes on. */
TEST(slow_resolver_does_not_block)
{
	struct http_client c;
	struct result r = { 0 };
	uv_timer_t lag;
	uint64_t t0;

	client(&c);
	uv_timer_init(&loop, &lag);
	uv_timer_start(&lag, lag_cb, 10, 10);
	t0 = uv_hrtime();
	post(&c, "http://slow.invalid/", NULL, USEC_PER_SEC, &r);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_EQ(r.calls, 1);
	ASSERT_NOT_NULL(strstr(r.error, "timed out"));
	ASSERT((uv_hrtime() - t0) / 1000000 < 2000);
	ASSERT(lag_max < 200);
	uv_close((uv_handle_t *)&lag, NULL);
	finish(&c);
}

static const struct test tests[] = {
	TEST_ENTRY(post_200),
	TEST_ENTRY(own_content_type),
	TEST_ENTRY(status_500_and_redirect),
	TEST_ENTRY(timeout),
	TEST_ENTRY(refused_and_scheme),
	TEST_ENTRY(unresolvable),
	TEST_ENTRY(big_response),
	TEST_ENTRY(cancel_and_many),
	TEST_ENTRY(slow_resolver_does_not_block),
};

TEST_MAIN(tests)
