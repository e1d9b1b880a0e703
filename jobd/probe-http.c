/* probe=http:URL: a GET through the probe context's HTTP client (libcurl
 * multi on the loop; names resolved on curl's resolver threads).  A 2xx
 * or 3xx passes (redirects are not followed: the answer is the health);
 * another status fails with the start of the body as its detail, as does
 * no answer (curl's words).  probe_timeout= bounds the whole transfer,
 * and curl stops it there itself too. */
#include <stdlib.h>
#include <string.h>

#include "probe-internal.h"
#include "xmalloc.h"

struct http_check {
	struct probe *probe;
	struct http_transfer *transfer;
};

/* The body's first line, or "" (for the detail). */
static char *
http_first_line(const char *head)
{
	size_t n = head ? strcspn(head, "\r\n") : 0;
	char *s = xstrndup(head ? head : "", n);
	char *c;

	for (c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	return s;
}

static void
http_check_done_cb(void *ctx, long status, const char *error,
    const char *head)
{
	struct http_check *c = ctx;
	struct probe *p = c->probe;
	char *line, *detail;
	bool ok = !error && status >= 200 && status < 400;

	free(c);
	if (error) {
		probe_check_done(p, false, xstrdup(error));
		return;
	}
	line = http_first_line(head);
	detail = xstrfmt("HTTP %ld%s%s", status, *line && !ok ? ": " : "",
	    ok ? "" : line);
	free(line);
	probe_check_done(p, ok, detail);
}

static void *
http_check_start(struct probe *p, char **why)
{
	struct probe_ctx *ctx = p->ctx;
	struct http_check *c;
	struct http_request req = {
		.url = p->spec.target,
		.timeout = p->spec.timeout,
		.get = true,
	};

	if (!ctx->http_open) {
		if (http_client_init(&ctx->http, ctx->loop, why) < 0)
			return NULL;
		ctx->http_open = true;
	}
	c = xcalloc(1, sizeof(*c));
	c->probe = p;
	if (http_post(&ctx->http, &req, http_check_done_cb, c, &c->transfer,
	    why) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

static void
http_check_cancel(void *check)
{
	struct http_check *c = check;

	http_cancel(c->transfer);
	free(c);
}

const struct probe_ops probe_http_ops = {
	.start = http_check_start,
	.cancel = http_check_cancel,
};
