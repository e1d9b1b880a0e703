/* One Varlink call to jobd over a fresh Unix socket connection: connect,
 * send, read NUL-framed replies into the caller's callback, close.  A
 * connection per call keeps a stream (Events, Logs with follow) from
 * holding up anything else, and jobd sees jobd-web's uid on each. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "varlink.h"
#include "vlcall.h"
#include "xmalloc.h"

struct vlcall {
	struct vlpool *pool;
	uv_loop_t *loop;
	char *socket;
	TAILQ_ENTRY(vlcall) link;	/* while queued */
	bool queued;
	uv_pipe_t pipe;
	uv_connect_t connect;
	uv_write_t write;
	char *out;
	struct varlink_framer framer;
	vlcall_reply_fn reply;
	void *data;
	bool closing, reading, paused, open;
	unsigned writes;	/* a write in flight holds the call */
};

static void vlcall_connect(struct vlcall *);

void
vlpool_init(struct vlpool *p, unsigned max, size_t max_queued)
{
	*p = (struct vlpool){ .max = max, .max_queued = max_queued };
	TAILQ_INIT(&p->queue);
}

static void
vlcall_free(struct vlcall *c)
{
	free(c->out);
	free(c->socket);
	varlink_framer_done(&c->framer);
	free(c);
}

/* A connection is free: the oldest queued call takes it. */
static void
vlpool_next(struct vlpool *p)
{
	struct vlcall *c;

	p->active--;
	if (!(c = TAILQ_FIRST(&p->queue)))
		return;
	TAILQ_REMOVE(&p->queue, c, link);
	p->queued--;
	c->queued = false;
	p->active++;
	vlcall_connect(c);
}

static void
vlcall_closed(uv_handle_t *h)
{
	struct vlcall *c = h->data;
	struct vlpool *p = c->pool;

	vlcall_free(c);
	vlpool_next(p);
}

/* Ends the call: no more callbacks, the connection goes. */
static void
vlcall_close(struct vlcall *c)
{
	if (c->closing)
		return;
	c->closing = true;
	c->reply = NULL;
	uv_close((uv_handle_t *)&c->pipe, vlcall_closed);
}

static void
vlcall_fail(struct vlcall *c, const char *fmt, int r)
{
	vlcall_reply_fn fn = c->reply;
	json_t *p;
	char *msg;

	if (!fn || c->closing)
		return;
	msg = xstrfmt(fmt, uv_strerror(r));
	p = json_pack("{s:s}", "reason", msg);
	free(msg);
	vlcall_close(c);
	fn(c->data, p, VLCALL_UNREACHABLE, false);
	json_decref(p);
}

static void
vlcall_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	(void)h;
	(void)hint;
	buf->base = xmalloc(64 * 1024);
	buf->len = 64 * 1024;
}

/* Hands every complete reply to the caller; returns false once the call
 * is over (last reply, error, cancel from inside the callback). */
static bool
vlcall_dispatch(struct vlcall *c)
{
	struct varlink_reply rep;
	vlcall_reply_fn fn;
	json_t *msg;
	char *cause = NULL;
	int r;

	while (!c->closing && !c->paused &&
	    (r = varlink_framer_next(&c->framer, &msg, &cause)) != 0) {
		if (r < 0 || varlink_reply_parse(msg, &rep, &cause) < 0) {
			if (r > 0)
				json_decref(msg);
			log_warning("jobd sent a bad reply: %s",
			    cause ? cause : "not a reply");
			free(cause);
			vlcall_fail(c, "jobd sent a bad reply (%s)", UV_EPROTO);
			return false;
		}
		fn = c->reply;
		if (!rep.continues || rep.error)
			vlcall_close(c);
		if (fn)
			fn(c->data, rep.parameters, rep.error,
			    rep.continues && !rep.error);
		json_decref(msg);
	}
	return !c->closing;
}

static void
vlcall_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct vlcall *c = s->data;

	if (n > 0 && !c->closing) {
		if (varlink_framer_feed(&c->framer, buf->base, (size_t)n) < 0)
			vlcall_fail(c, "jobd's reply is too large (%s)",
			    UV_E2BIG);
		else
			vlcall_dispatch(c);
	} else if (n < 0 && !c->closing)
		vlcall_fail(c, "jobd closed the connection (%s)", (int)n);
	free(buf->base);
}

static void
vlcall_written(uv_write_t *w, int status)
{
	struct vlcall *c = w->data;

	if (status < 0)
		vlcall_fail(c, "cannot send to jobd: %s", status);
}

static void
vlcall_connected(uv_connect_t *req, int status)
{
	struct vlcall *c = req->data;
	uv_buf_t buf;
	int r;

	if (c->closing)
		return;
	if (status < 0) {
		vlcall_fail(c, "cannot connect to jobd: %s", status);
		return;
	}
	c->open = true;
	buf = uv_buf_init(c->out, (unsigned)strlen(c->out) + 1);
	c->write.data = c;
	r = uv_write(&c->write, (uv_stream_t *)&c->pipe, &buf, 1,
	    vlcall_written);
	if (r < 0) {
		vlcall_fail(c, "cannot send to jobd: %s", r);
		return;
	}
	if (!c->paused) {
		r = uv_read_start((uv_stream_t *)&c->pipe, vlcall_alloc,
		    vlcall_read);
		c->reading = r == 0;
	}
}

static void
vlcall_connect(struct vlcall *c)
{
	uv_pipe_init(c->loop, &c->pipe, 0);
	c->pipe.data = c;
	c->connect.data = c;
	uv_pipe_connect(&c->connect, &c->pipe, c->socket, vlcall_connected);
}

struct vlcall *
vlcall_start(struct vlpool *pool, uv_loop_t *loop, const char *socket,
    const char *method, json_t *params, bool more, vlcall_reply_fn reply,
    void *data)
{
	struct vlcall *c;
	json_t *msg;
	size_t len;

	if (pool->active >= pool->max && pool->queued >= pool->max_queued) {
		json_decref(params);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->pool = pool;
	c->loop = loop;
	c->socket = xstrdup(socket);
	c->reply = reply;
	c->data = data;
	varlink_framer_init(&c->framer, VLCALL_MAX_REPLY);
	msg = varlink_call_new(method, params ? params : json_object(), more);
	c->out = varlink_encode(msg, &len);
	json_decref(msg);
	if (pool->active < pool->max) {
		pool->active++;
		vlcall_connect(c);
	} else {
		c->queued = true;
		pool->queued++;
		TAILQ_INSERT_TAIL(&pool->queue, c, link);
	}
	return c;
}

void
vlcall_cancel(struct vlcall *c)
{
	if (!c)
		return;
	if (c->queued) {
		TAILQ_REMOVE(&c->pool->queue, c, link);
		c->pool->queued--;
		vlcall_free(c);
		return;
	}
	vlcall_close(c);
}

void
vlcall_pause(struct vlcall *c, bool paused)
{
	if (c->closing || c->paused == paused || c->queued)
		return;
	c->paused = paused;
	if (!c->open)
		return;
	if (paused && c->reading) {
		uv_read_stop((uv_stream_t *)&c->pipe);
		c->reading = false;
	} else if (!paused) {
		/* Replies buffered while paused go first. */
		if (!vlcall_dispatch(c))
			return;
		if (!c->reading)
			c->reading = uv_read_start((uv_stream_t *)&c->pipe,
			    vlcall_alloc, vlcall_read) == 0;
	}
}
