/* The delivery queue of alerts: an event becomes one delivery per sink of
 * each alert it names; deliveries start in order while their sink has
 * room in flight, a failed attempt waits its backoff on the waiting list
 * (one timer for the soonest), and past ALERTS_QUEUE_MAX pending ones new
 * deliveries are dropped.  Every attempt's end is logged, counted
 * (alert-counts.c) and written to the alert log.  The sinks themselves
 * are alert-webhook.c, alert-mail.c and alert-command.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert-event.h"
#include "alerts-internal.h"
#include "config.h"
#include "ledger.h"
#include "log.h"
#include "record.h"
#include "strv.h"
#include "xmalloc.h"

const char *const alert_sink_name[ALERT_NSINKS] = {
	[ALERT_SINK_WEBHOOK] = "webhook",
	[ALERT_SINK_MAIL] = "mail",
	[ALERT_SINK_COMMAND] = "command",
};

const char *const alert_status_name[ALERT_NSTATUSES] = {
	[ALERT_SENT] = "sent",
	[ALERT_FAILED_ATTEMPT] = "failed",
	[ALERT_DROPPED] = "dropped",
};

static const struct alert_sink_ops *const sink_ops[ALERT_NSINKS] = {
	[ALERT_SINK_WEBHOOK] = &alert_webhook_ops,
	[ALERT_SINK_MAIL] = &alert_mail_ops,
	[ALERT_SINK_COMMAND] = &alert_command_ops,
};

static const unsigned sink_inflight_max[ALERT_NSINKS] = {
	[ALERT_SINK_WEBHOOK] = ALERTS_INFLIGHT_WEBHOOK,
	[ALERT_SINK_MAIL] = ALERTS_INFLIGHT_MAIL,
	[ALERT_SINK_COMMAND] = ALERTS_INFLIGHT_COMMAND,
};

usec_t
alerts_retry_delay(usec_t first, unsigned n)
{
	usec_t d = first;

	while (n-- > 1 && d < ALERTS_RETRY_MAX)
		d *= 2;
	return MIN(d, ALERTS_RETRY_MAX);
}

void
alerts_context(struct alert_delivery *d, struct alert_context *c)
{
	struct alerts *a = d->alerts;

	if (gethostname(a->host, sizeof(a->host) - 1) < 0)
		strcpy(a->host, "localhost");
	a->host[sizeof(a->host) - 1] = '\0';
	*c = (struct alert_context){ .alert = d->alert, .host = a->host,
	    .to = d->to, .now = now_realtime() };
}

/* An attempt's end (or a drop) in the alert log and the counters. */
static void
alerts_record(struct alert_delivery *d, enum alert_status st,
    const char *detail)
{
	struct alerts *a = d->alerts;
	const struct alert_event *e = d->event;

	alerts_count(a, d->alert, d->sink, st);
	if (!a->o.record)
		return;
	record_alert_attempt(a->o.record, &(struct ledger_alert){
		.at = now_realtime(), .alert = d->alert,
		.sink = (char *)alert_sink_name[d->sink],
		.event = (char *)alert_kind_name[e->kind], .job = e->job,
		.run = e->run, .attempt = d->attempt,
		.status = (char *)alert_status_name[st],
		.detail = (char *)detail,
	});
}

/* "alert 'ops' webhook, job 'backup' run 42 failed" for log lines. */
static char *
alerts_what(const struct alert_delivery *d)
{
	const struct alert_event *e = d->event;

	if (!e->job)
		return xstrfmt("alert '%s' %s, %s", d->alert,
		    alert_sink_name[d->sink], alert_kind_name[e->kind]);
	if (!e->run)
		return xstrfmt("alert '%s' %s, %s '%s' %s", d->alert,
		    alert_sink_name[d->sink], e->service ? "service" : "job",
		    e->job, alert_kind_name[e->kind]);
	return xstrfmt("alert '%s' %s, %s '%s' run %llu %s", d->alert,
	    alert_sink_name[d->sink], e->service ? "service" : "job", e->job,
	    (unsigned long long)e->run, alert_kind_name[e->kind]);
}

static void
alerts_unlink(struct alert_delivery *d)
{
	if (d->list)
		TAILQ_REMOVE(d->list, d, entry);
	d->list = NULL;
}

static void
alerts_free(struct alert_delivery *d)
{
	alerts_unlink(d);
	d->alerts->npending--;
	alert_event_free(d->event);
	free(d->alert);
	free(d->url);
	strv_free(d->headers);
	strv_free(d->to);
	free(d->sendmail);
	free(d->command_job);
	free(d);
}

static void alerts_timer_cb(uv_timer_t *);

/* The soonest retry wakes the timer. */
static void
alerts_arm(struct alerts *a)
{
	struct alert_delivery *d = TAILQ_FIRST(&a->waiting);
	usec_t now = now_monotonic();

	if (!d) {
		uv_timer_stop(&a->timer);
		return;
	}
	uv_timer_start(&a->timer, alerts_timer_cb, d->due > now ?
	    (d->due - now + USEC_PER_MSEC - 1) / USEC_PER_MSEC : 0, 0);
}

/* Starts what may start: the oldest ready deliveries whose sink has room.
 * Not reentrant: a sink that ends an attempt at once asks again. */
static void
alerts_pump(struct alerts *a)
{
	struct alert_delivery *d, *tmp;

	if (a->pumping) {
		a->pump_again = true;
		return;
	}
	a->pumping = true;
	do {
		a->pump_again = false;
		TAILQ_FOREACH_SAFE(d, &a->ready, entry, tmp) {
			if (a->stopping)
				break;
			if (a->inflight[d->sink] >= sink_inflight_max[d->sink])
				continue;
			alerts_unlink(d);
			TAILQ_INSERT_TAIL(&a->active, d, entry);
			d->list = &a->active;
			d->attempt++;
			a->inflight[d->sink]++;
			sink_ops[d->sink]->start(d);
			/* d may be gone; the list changed: start over. */
			a->pump_again = true;
			break;
		}
	} while (a->pump_again);
	a->pumping = false;
}

static void
alerts_timer_cb(uv_timer_t *t)
{
	struct alerts *a = container_of(t, struct alerts, timer);
	struct alert_delivery *d;
	usec_t now = now_monotonic();

	while ((d = TAILQ_FIRST(&a->waiting)) && d->due <= now) {
		alerts_unlink(d);
		TAILQ_INSERT_TAIL(&a->ready, d, entry);
		d->list = &a->ready;
	}
	alerts_pump(a);
	alerts_arm(a);
}

/* Onto the waiting list, in order of due time. */
static void
alerts_wait(struct alert_delivery *d, usec_t delay)
{
	struct alerts *a = d->alerts;
	struct alert_delivery *w;

	d->due = now_monotonic() + delay;
	TAILQ_FOREACH(w, &a->waiting, entry)
		if (w->due > d->due)
			break;
	if (w)
		TAILQ_INSERT_BEFORE(w, d, entry);
	else
		TAILQ_INSERT_TAIL(&a->waiting, d, entry);
	d->list = &a->waiting;
	alerts_arm(a);
}

void
alerts_attempt_done(struct alert_delivery *d, bool sent, bool retry,
    const char *detail)
{
	struct alerts *a = d->alerts;
	_cleanup_free_ char *what = alerts_what(d);
	const struct alert_event *e = d->event;
	char span[TIMESPAN_MAX];
	usec_t delay;

	a->inflight[d->sink]--;
	alerts_unlink(d);
	alerts_record(d, sent ? ALERT_SENT : ALERT_FAILED_ATTEMPT, detail);
	if (sent) {
		log_full(LOG_INFO, e->job, e->run, "%s: sent (%s)", what,
		    detail);
		alerts_free(d);
	} else if (retry && d->attempt < ALERTS_ATTEMPTS && !a->stopping) {
		delay = alerts_retry_delay(a->o.retry_first ?
		    a->o.retry_first : ALERTS_RETRY_FIRST, d->attempt);
		log_full(LOG_WARNING, e->job, e->run, "%s: attempt %u of %d "
		    "failed: %s; next in %s", what, d->attempt,
		    ALERTS_ATTEMPTS, detail, timespan_format(span,
		    sizeof(span), delay));
		alerts_wait(d, delay);
	} else {
		log_full(LOG_ERR, e->job, e->run, "%s: attempt %u failed: %s; "
		    "giving up", what, d->attempt, detail);
		alerts_free(d);
	}
	alerts_pump(a);
	if (a->stopping && !alerts_busy(a)) {
		uv_timer_stop(&a->timer);
		if (a->o.idle)
			a->o.idle(a->o.owner);
	}
}

/* A delivery that will not be attempted (queue full, shutdown). */
static void
alerts_drop(struct alert_delivery *d, const char *why)
{
	struct alerts *a = d->alerts;
	usec_t now = now_monotonic();

	a->dropped++;
	alerts_record(d, ALERT_DROPPED, why);
	if (a->stopping)
		return;
	/* One warning per minute at most: a flood of them is the problem
	 * being reported, not news. */
	if (now - a->drop_logged >= USEC_PER_MINUTE || !a->drop_logged) {
		_cleanup_free_ char *what = alerts_what(d);

		log_warning("%s: dropped: %s (%llu dropped since start)", what,
		    why, (unsigned long long)a->dropped);
		a->drop_logged = now;
	}
}

/* A delivery of e to one sink of alert c, with c's settings copied. */
static struct alert_delivery *
alerts_delivery_new(struct alerts *a, const struct config_alert *c,
    enum alert_sink sink, const struct alert_event *e)
{
	const struct config *cfg = a->o.config(a->o.owner);
	struct alert_delivery *d = xcalloc(1, sizeof(*d));

	d->alerts = a;
	d->alert = xstrdup(c->name);
	d->sink = sink;
	d->event = alert_event_dup(e);
	if (sink == ALERT_SINK_WEBHOOK) {
		d->url = xstrdup(c->webhook);
		d->headers = c->webhook_headers ?
		    strv_copy(c->webhook_headers) : NULL;
		d->format = c->webhook_format;
		d->timeout = c->webhook_timeout;
	} else if (sink == ALERT_SINK_MAIL) {
		d->to = strv_copy(c->mail);
		d->sendmail = xstrdup(cfg->sendmail ? cfg->sendmail :
		    CONFIG_DEFAULT_SENDMAIL);
	} else
		d->command_job = xstrdup(c->command_job);
	a->npending++;
	return d;
}

static void
alerts_enqueue(struct alerts *a, const struct config_alert *c,
    enum alert_sink sink, const struct alert_event *e)
{
	struct alert_delivery *d = alerts_delivery_new(a, c, sink, e);
	char why[64];

	if (a->npending > ALERTS_QUEUE_MAX) {
		snprintf(why, sizeof(why), "queue full (%d deliveries "
		    "pending)", ALERTS_QUEUE_MAX);
		alerts_drop(d, why);
		alerts_free(d);
		return;
	}
	TAILQ_INSERT_TAIL(&a->ready, d, entry);
	d->list = &a->ready;
}

static void
alerts_enqueue_all(struct alerts *a, const struct config_alert *c,
    const struct alert_event *e)
{
	if (c->webhook)
		alerts_enqueue(a, c, ALERT_SINK_WEBHOOK, e);
	if (c->mail)
		alerts_enqueue(a, c, ALERT_SINK_MAIL, e);
	if (c->command_job)
		alerts_enqueue(a, c, ALERT_SINK_COMMAND, e);
}

void
alerts_send(struct alerts *a, const struct alert_event *e,
    char *const *names)
{
	const struct config *cfg = a->o.config(a->o.owner);
	const struct config_alert *c;
	size_t i;

	if (a->stopping || a->closed)
		return;
	for (i = 0; names && names[i]; i++) {
		if (!(c = config_find_alert(cfg, names[i]))) {
			log_warning("alert '%s' is not configured; %s of '%s' "
			    "not sent", names[i], alert_kind_name[e->kind],
			    e->job ? e->job : "?");
			continue;
		}
		alerts_enqueue_all(a, c, e);
	}
	alerts_pump(a);
}

int
alerts_test(struct alerts *a, const char *name)
{
	const struct config_alert *c = config_find_alert(a->o.config(
	    a->o.owner), name);
	struct alert_event e = { .kind = ALERT_TEST, .at = now_realtime() };

	if (a->stopping || a->closed)
		return -ESHUTDOWN;
	if (!c)
		return -ENOENT;
	log_info("alert '%s': test requested", name);
	alerts_enqueue_all(a, c, &e);
	alerts_pump(a);
	return 0;
}

/* A sendmail spawn holds the spawn threads; an attempt in flight at
 * shutdown may still end (ALERTS_STOP_GRACE). */
bool
alerts_busy(const struct alerts *a)
{
	return a->spawning > 0 || !TAILQ_EMPTY(&a->active);
}

size_t
alerts_pending(const struct alerts *a)
{
	return a->npending;
}

void
alerts_init(struct alerts *a, const struct alerts_opts *o)
{
	_cleanup_free_ char *cause = NULL;

	*a = (struct alerts){ .o = *o };
	TAILQ_INIT(&a->ready);
	TAILQ_INIT(&a->waiting);
	TAILQ_INIT(&a->active);
	uv_timer_init(o->loop, &a->timer);
	if (http_client_init(&a->http, o->loop, &cause) < 0)
		log_error("webhooks will fail: %s", cause);
	else if (!a->http.async_dns)
		log_warning("libcurl resolves names synchronously: a slow DNS "
		    "server will stall jobd while a webhook's host is looked "
		    "up");
	a->http_ok = a->http.open;
}

static void
alerts_drop_list(struct alerts *a, struct alert_delivery_list *l,
    const char *why)
{
	struct alert_delivery *d;

	while ((d = TAILQ_FIRST(l))) {
		if (l == &a->active) {
			sink_ops[d->sink]->cancel(d);
			a->inflight[d->sink]--;
		}
		alerts_drop(d, why);
		alerts_free(d);
	}
}

#define ALERTS_STOPPED_IN_FLIGHT \
	"jobd stopped while it was in flight (it may have arrived)"

/* The grace of the attempts in flight is over. */
static void
alerts_grace_cb(uv_timer_t *t)
{
	struct alerts *a = container_of(t, struct alerts, timer);

	alerts_drop_list(a, &a->active, ALERTS_STOPPED_IN_FLIGHT);
	if (!alerts_busy(a) && a->o.idle)
		a->o.idle(a->o.owner);
}

void
alerts_stop(struct alerts *a)
{
	size_t n = a->npending;
	struct alert_delivery *d;

	if (a->stopping)
		return;
	a->stopping = true;
	uv_timer_stop(&a->timer);
	alerts_drop_list(a, &a->waiting, "jobd stopped");
	alerts_drop_list(a, &a->ready, "jobd stopped");
	TAILQ_FOREACH(d, &a->active, entry)
		n--;
	if (n > 0)
		log_notice("%zu alert deliver%s dropped at shutdown", n,
		    n == 1 ? "y" : "ies");
	/* What is on its way ends as the receiver answers, within the
	 * grace: a delivery that arrived is not recorded as dropped. */
	if (!TAILQ_EMPTY(&a->active))
		uv_timer_start(&a->timer, alerts_grace_cb,
		    ALERTS_STOP_GRACE / USEC_PER_MSEC, 0);
}

void
alerts_close(struct alerts *a)
{
	if (a->closed)
		return;
	alerts_stop(a);
	/* Closing ends the grace: what is still in flight is dropped. */
	uv_timer_stop(&a->timer);
	alerts_drop_list(a, &a->active, ALERTS_STOPPED_IN_FLIGHT);
	a->closed = true;
	if (a->http_ok)
		http_client_close(&a->http);
	alert_mail_close_all(a);
	uv_close((uv_handle_t *)&a->timer, NULL);
	alerts_counts_free(a);
}
