/* Alert delivery: each alert event sent to every sink (webhook, mail,
 * command) of the [alert NAME] sections it names, through a bounded queue,
 * with retries and backoff and a bounded number in flight; every attempt
 * recorded in the ledger's alert_log and counted.  What to send and when
 * is the alert policy's; this only delivers. */
#ifndef JOBD_ALERTS_H
#define JOBD_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <uv.h>

#include "http-client.h"
#include "timeutil.h"

struct alert_delivery;
struct alert_event;
struct config;
struct record;
struct units;

enum alert_sink {
	ALERT_SINK_WEBHOOK,
	ALERT_SINK_MAIL,
	ALERT_SINK_COMMAND,
	ALERT_NSINKS
};

enum alert_status {
	ALERT_SENT,
	ALERT_FAILED_ATTEMPT,
	ALERT_DROPPED,
	ALERT_NSTATUSES
};

/* "webhook", "mail", "command"; "sent", "failed", "dropped". */
extern const char *const alert_sink_name[ALERT_NSINKS];
extern const char *const alert_status_name[ALERT_NSTATUSES];

/* Deliveries queued, waiting to retry or in flight: past this, new ones
 * are dropped (counted, logged, recorded). */
#define ALERTS_QUEUE_MAX 1000
#define ALERTS_ATTEMPTS 5		/* per delivery, the first included */
#define ALERTS_RETRY_FIRST USEC_PER_SEC	/* then doubled */
#define ALERTS_RETRY_MAX (5 * USEC_PER_MINUTE)
#define ALERTS_MAIL_TIMEOUT (60 * USEC_PER_SEC)	/* sendmail is killed */
/* At shutdown, attempts in flight get this long to end (a receiver that
 * answers is recorded as it answered); then they are dropped. */
#define ALERTS_STOP_GRACE (5 * USEC_PER_SEC)
/* In flight at once, per sink. */
#define ALERTS_INFLIGHT_WEBHOOK 16
#define ALERTS_INFLIGHT_MAIL 4
#define ALERTS_INFLIGHT_COMMAND 4

TAILQ_HEAD(alert_delivery_list, alert_delivery);

/* One (alert, sink, status) counter: attempts since the alert log began. */
struct alert_count {
	char *alert;
	enum alert_sink sink;
	enum alert_status status;
	uint64_t n;
	uint64_t asked;			/* n when the ledger was asked */
};

/* What the owner gives: the loop, the ledger's writer (NULL: attempts are
 * only counted), the units (the command sink's job alert:NAME), the
 * configuration in force (read at each send: reloads add and remove
 * [alert] sections; a delivery keeps the settings it was queued with). */
struct alerts_opts {
	uv_loop_t *loop;
	struct record *record;
	struct units *units;
	const struct config *(*config)(void *owner);
	/* Stopping, the last sendmail spawn was answered (see
	 * alerts_busy). */
	void (*idle)(void *owner);
	void *owner;
	usec_t retry_first;		/* 0: ALERTS_RETRY_FIRST (tests) */
};

struct alerts {
	struct alerts_opts o;
	struct http_client http;
	bool http_ok;
	uv_timer_t timer;		/* the next retry */
	struct alert_delivery_list ready;	/* to start, oldest first */
	struct alert_delivery_list waiting;	/* to retry, soonest first */
	struct alert_delivery_list active;	/* in flight */
	size_t npending;		/* on the three lists */
	unsigned inflight[ALERT_NSINKS];
	struct alert_mail *mails;	/* sendmail children, until closed */
	unsigned spawning;		/* of those, spawns not answered */
	bool pumping, pump_again;
	bool stopping, closed;
	uint64_t dropped;		/* since start */
	usec_t drop_logged;		/* rate limit of the drop warning */
	struct alert_count *counts;
	size_t ncounts;
	char host[256];
};

/* Opens the HTTP client and the retry timer. */
void alerts_init(struct alerts *, const struct alerts_opts *);
/* Queues one delivery per sink of each alert named (names not configured
 * are logged and skipped); never blocks, never fails: a full queue drops
 * and records.  e is copied. */
void alerts_send(struct alerts *, const struct alert_event *e,
    char *const *alert_names);
/* jobctl alert test NAME: an ALERT_TEST event to every sink of NAME.
 * -ENOENT when NAME is not configured, -ESHUTDOWN while stopping. */
int alerts_test(struct alerts *, const char *name);
/* Seeds the counters from the ledger (call once it is open), so that they
 * continue across restarts. */
void alerts_load_counts(struct alerts *);
/* Every counter, in no particular order. */
void alerts_each_count(const struct alerts *,
    void (*fn)(void *ctx, const char *alert, const char *sink,
    const char *status, uint64_t n), void *ctx);
/* Deliveries queued, waiting or in flight. */
size_t alerts_pending(const struct alerts *);
/* Shutdown: what is queued or in flight is dropped (and recorded as
 * such); nothing new is taken. */
void alerts_stop(struct alerts *);
/* A sendmail spawn is on its way: the spawn threads must wait for it
 * (idle tells when it was answered). */
bool alerts_busy(const struct alerts *);
/* Closes every handle; the struct is freed by its owner after the loop. */
void alerts_close(struct alerts *);
/* The delay before attempt n + 1 after attempt n failed (n >= 1). */
usec_t alerts_retry_delay(usec_t first, unsigned n);

#endif
