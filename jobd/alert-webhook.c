/* The webhook sink: the event's JSON (or Slack's {"text": ...}) POSTed to
 * the alert's URL with its headers, through the HTTP client on the loop.
 * A 2xx is sent; any other status, or no answer, failed.  A 4xx other than
 * 408, 425 and 429 says the request itself is wrong: no retry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts-internal.h"
#include "http-client.h"
#include "xmalloc.h"

/* The receiver's first words, cleaned, for the detail of a failure. */
static char *
webhook_detail(long status, const char *head)
{
	_cleanup_free_ char *line = NULL, *clean = NULL;
	size_t n = strcspn(head ? head : "", "\r\n");

	if (n == 0)
		return xstrfmt("HTTP %ld", status);
	line = xstrndup(head, n);
	clean = alert_text_clean(line, 80, false);
	return xstrfmt("HTTP %ld: %s", status, clean);
}

static bool
webhook_retry(long status)
{
	return status < 400 || status >= 500 || status == 408 ||
	    status == 425 || status == 429;
}

static void
webhook_done(void *ctx, long status, const char *error, const char *head)
{
	struct alert_delivery *d = ctx;
	_cleanup_free_ char *detail = NULL;

	d->transfer = NULL;
	if (!status) {
		alerts_attempt_done(d, false, true, error);
		return;
	}
	if (status >= 200 && status < 300) {
		detail = xstrfmt("HTTP %ld", status);
		alerts_attempt_done(d, true, false, detail);
		return;
	}
	detail = webhook_detail(status, head);
	alerts_attempt_done(d, false, webhook_retry(status), detail);
}

static void
webhook_start(struct alert_delivery *d)
{
	struct alerts *a = d->alerts;
	struct alert_context c;
	_cleanup_free_ char *body = NULL, *cause = NULL;
	struct http_request req;
	size_t len;

	if (!a->http_ok) {
		alerts_attempt_done(d, false, false, "no HTTP client");
		return;
	}
	alerts_context(d, &c);
	body = d->format == WEBHOOK_SLACK ?
	    alert_payload_slack(d->event, &c, &len) :
	    alert_payload_json(d->event, &c, &len);
	req = (struct http_request){
		.url = d->url, .headers = d->headers,
		.content_type = "application/json", .body = body,
		.body_len = len, .timeout = d->timeout,
		.connect_timeout = MIN(d->timeout, 10 * USEC_PER_SEC),
	};
	if (http_post(&a->http, &req, webhook_done, d, &d->transfer,
	    &cause) < 0)
		alerts_attempt_done(d, false, false, cause);
}

static void
webhook_cancel(struct alert_delivery *d)
{
	if (d->transfer)
		http_cancel(d->transfer);
	d->transfer = NULL;
}

const struct alert_sink_ops alert_webhook_ops = {
	.start = webhook_start,
	.cancel = webhook_cancel,
};
