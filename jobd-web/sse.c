/* The stream behind an SSE response.  MHD pulls bytes through the content
 * reader; when nothing is buffered the connection is suspended (MHD would
 * otherwise call the reader again at once) and the next event resumes it.
 * The stream lives until MHD frees the response, whichever of the client
 * and the owner ends it first. */
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <uv.h>

#include "httpd.h"
#include "sse.h"
#include "xmalloc.h"

struct sse {
	struct web_request *req;	/* NULL once the request is over */
	struct sse_owner owner;
	char *buf;
	size_t len, off, cap;
	bool ended, paused, owner_gone;
	uv_timer_t keepalive;
};

static void
sse_freed(uv_handle_t *h)
{
	struct sse *s = h->data;

	free(s->buf);
	free(s);
}

static void
sse_owner_gone(struct sse *s)
{
	if (s->owner_gone)
		return;
	s->owner_gone = true;
	if (s->owner.gone)
		s->owner.gone(s->owner.data);
}

static void
sse_append(struct sse *s, const char *p, size_t n)
{
	if (s->off == s->len)
		s->off = s->len = 0;
	if (s->len + n > s->cap) {
		/* Move what is left to the front before growing. */
		memmove(s->buf, s->buf + s->off, s->len - s->off);
		s->len -= s->off;
		s->off = 0;
		if (s->len + n > s->cap) {
			s->cap = MAX(s->len + n, s->cap * 2);
			s->buf = xrealloc(s->buf, s->cap);
		}
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	if (s->req)
		web_resume(s->req);
	if (!s->paused && s->len - s->off > SSE_HIGH_WATER && s->owner.pause) {
		s->paused = true;
		s->owner.pause(s->owner.data, true);
	}
}

static ssize_t
sse_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct sse *s = cls;
	size_t n = s->len - s->off;

	(void)pos;
	if (n == 0) {
		if (s->ended || !s->req)
			return MHD_CONTENT_READER_END_OF_STREAM;
		web_suspend(s->req);
		return 0;
	}
	n = MIN(n, max);
	memcpy(out, s->buf + s->off, n);
	s->off += n;
	if (s->paused && s->len - s->off < SSE_LOW_WATER && !s->owner_gone) {
		s->paused = false;
		s->owner.pause(s->owner.data, false);
	}
	return (ssize_t)n;
}

/* MHD is done with the response: the client went or the stream ended. */
static void
sse_free(void *cls)
{
	struct sse *s = cls;

	s->req = NULL;
	sse_owner_gone(s);
	uv_close((uv_handle_t *)&s->keepalive, sse_freed);
}

static void
sse_release(struct web_request *r)
{
	struct sse *s = r->data;

	s->req = NULL;
	r->data = NULL;
}

static void
sse_tick(uv_timer_t *t)
{
	struct sse *s = t->data;

	if (s->len == s->off && !s->ended)
		sse_append(s, ": keepalive\n\n", 13);
}

struct sse *
sse_open(struct web_request *r, const struct sse_owner *owner)
{
	struct sse *s = xcalloc(1, sizeof(*s));
	struct MHD_Response *resp;

	s->req = r;
	s->owner = *owner;
	r->data = s;
	r->release = sse_release;
	uv_timer_init(httpd_loop(r->httpd), &s->keepalive);
	s->keepalive.data = s;
	uv_timer_start(&s->keepalive, sse_tick, SSE_KEEPALIVE_MS,
	    SSE_KEEPALIVE_MS);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024,
	    sse_read, s, sse_free);
	if (!resp)
		abort();
	MHD_add_response_header(resp, "Content-Type", "text/event-stream");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	web_respond_with(r, 200, resp);
	/* The first bytes go out at once, so the client sees the stream
	 * open even before the first event. */
	sse_append(s, ": stream\n\n", 10);
	return s;
}

void
sse_send(struct sse *s, const char *event, const char *data)
{
	char *msg;

	if (s->ended)
		return;
	msg = xstrfmt("event: %s\ndata: %s\n\n", event, data);
	sse_append(s, msg, strlen(msg));
	free(msg);
}

void
sse_end(struct sse *s)
{
	s->ended = true;
	uv_timer_stop(&s->keepalive);
	/* The owner is done with it; the client's side ends after the
	 * buffer. */
	sse_owner_gone(s);
	if (s->req)
		web_resume(s->req);
}
