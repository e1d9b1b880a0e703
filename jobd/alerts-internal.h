/* Shared by the delivery queue (alerts.c) and its sinks (alert-webhook.c,
 * alert-mail.c, alert-command.c): one delivery, and how a sink starts an
 * attempt, reports its end, and stops it at shutdown.  Not for other
 * modules. */
#ifndef JOBD_ALERTS_INTERNAL_H
#define JOBD_ALERTS_INTERNAL_H

#include "alert-payload.h"
#include "alerts.h"
#include "config.h"
#include "run.h"

struct alert_mail;
struct http_transfer;

/* One event to one sink of one alert, with the settings of the alert as
 * they were when it was queued (a reload changes no delivery). */
struct alert_delivery {
	struct alerts *alerts;
	char *alert;
	enum alert_sink sink;
	struct alert_event *event;	/* owned */
	unsigned attempt;		/* attempts begun */
	usec_t due;			/* waiting: when (monotonic) */
	struct alert_delivery_list *list;	/* the one it is on */
	char *url;			/* webhook */
	char **headers;
	enum webhook_format format;
	usec_t timeout;
	char **to;			/* mail */
	char *sendmail;
	char *command_job;		/* command */
	/* The attempt in flight, per sink. */
	struct http_transfer *transfer;
	struct alert_mail *mail;
	struct run_observer observer;
	TAILQ_ENTRY(alert_delivery) entry;
};

struct alert_sink_ops {
	/* Begins an attempt; it ends with alerts_attempt_done(), maybe
	 * before this returns. */
	void (*start)(struct alert_delivery *);
	/* Stops the attempt in flight without a word (shutdown). */
	void (*cancel)(struct alert_delivery *);
};

extern const struct alert_sink_ops alert_webhook_ops, alert_mail_ops,
    alert_command_ops;

/* The attempt ended: sent, or failed (retry: worth another attempt);
 * detail says how (HTTP status, error, exit status, run id). */
void alerts_attempt_done(struct alert_delivery *, bool sent, bool retry,
    const char *detail);
/* What the texts of d's event share (this host's name, d's alert). */
void alerts_context(struct alert_delivery *, struct alert_context *);

/* alert-counts.c: one more attempt of alert to sink ended so; all the
 * counters freed. */
void alerts_count(struct alerts *, const char *alert, enum alert_sink,
    enum alert_status);
void alerts_counts_free(struct alerts *);

/* alert-mail.c: closes the handles of sendmail children still open. */
void alert_mail_close_all(struct alerts *);

#endif
