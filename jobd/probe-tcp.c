/* probe=tcp:HOST:PORT: a connection accepted passes; it is closed at once
 * (nothing written).  HOST is numeric (config-probe.c says why), so the
 * connect is the whole check: a uv_tcp_t on the loop, refused or unreachable
 * fails with the system's words, and the probe's deadline stops one that
 * hangs (a filtered port). */
#include <stdlib.h>
#include <string.h>

#include "probe-internal.h"
#include "xmalloc.h"

struct tcp_check {
	uv_tcp_t tcp;
	uv_connect_t req;
	struct probe *probe;		/* NULL once cancelled */
};

static void
tcp_close_cb(uv_handle_t *h)
{
	free(h->data);
}

static void
tcp_connect_cb(uv_connect_t *req, int status)
{
	struct tcp_check *c = req->data;
	struct probe *p = c->probe;

	/* A cancel closed the handle: status is UV_ECANCELED. */
	if (!p)
		return;
	uv_close((uv_handle_t *)&c->tcp, tcp_close_cb);
	if (status == 0)
		probe_check_done(p, true, xstrdup("connected"));
	else
		probe_check_done(p, false, xstrfmt("cannot connect: %s",
		    uv_strerror(status)));
}

static int
tcp_address(const struct probe *p, struct sockaddr_storage *sa)
{
	if (strchr(p->spec.host, ':'))
		return uv_ip6_addr(p->spec.host, (int)p->spec.port,
		    (struct sockaddr_in6 *)sa);
	return uv_ip4_addr(p->spec.host, (int)p->spec.port,
	    (struct sockaddr_in *)sa);
}

static void *
tcp_check_start(struct probe *p, char **why)
{
	struct tcp_check *c;
	struct sockaddr_storage sa;
	int r;

	if ((r = tcp_address(p, &sa)) < 0) {
		*why = xstrfmt("bad address '%s': %s", p->spec.host,
		    uv_strerror(r));
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->probe = p;
	if ((r = uv_tcp_init(p->ctx->loop, &c->tcp)) < 0) {
		free(c);
		*why = xstrfmt("cannot make a socket: %s", uv_strerror(r));
		return NULL;
	}
	c->tcp.data = c;
	c->req.data = c;
	if ((r = uv_tcp_connect(&c->req, &c->tcp, (struct sockaddr *)&sa,
	    tcp_connect_cb)) < 0) {
		/* Refused at once (no descriptor left): a failed check. */
		uv_close((uv_handle_t *)&c->tcp, tcp_close_cb);
		*why = xstrfmt("cannot connect: %s", uv_strerror(r));
		return NULL;
	}
	return c;
}

static void
tcp_check_cancel(void *check)
{
	struct tcp_check *c = check;

	c->probe = NULL;
	uv_close((uv_handle_t *)&c->tcp, tcp_close_cb);
}

const struct probe_ops probe_tcp_ops = {
	.start = tcp_check_start,
	.cancel = tcp_check_cancel,
};
