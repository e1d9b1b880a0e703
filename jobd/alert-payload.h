/* What an alert says, as text: the JSON document of webhooks and of an
 * alert command's stdin, the {"text": ...} body Slack, Mattermost and
 * Rocket.Chat take, the one-line summary, and the mail message.  Pure:
 * the same event always gives the same bytes. */
#ifndef JOBD_ALERT_PAYLOAD_H
#define JOBD_ALERT_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "timeutil.h"

struct alert_event;

/* What every text of one event shares besides the event. */
struct alert_context {
	const char *alert;		/* [alert NAME] */
	const char *host;		/* this machine's name */
	char *const *to;		/* mail: the addresses */
	usec_t now;			/* mail: its Date: */
};

/* The JSON document (README, "Alerts"); *ret_len its length. */
char *alert_payload_json(const struct alert_event *,
    const struct alert_context *, size_t *ret_len);
/* {"text": "summary" + the tail in a code block}. */
char *alert_payload_slack(const struct alert_event *,
    const struct alert_context *, size_t *ret_len);
/* "[jobd HOST] backup failed (exit 3)": printable ASCII only, so that it
 * can be a mail's Subject: as it is. */
char *alert_summary(const struct alert_event *, const struct alert_context *);
/* The message sendmail -t -oi reads: To, Subject, Date, MIME headers from
 * jobd's own words only, then the body with the output tail (the job's
 * bytes, which can never end the headers). */
char *alert_mail_message(const struct alert_event *,
    const struct alert_context *);
/* t as RFC 3339 in UTC with microseconds ("2024-05-01T03:00:00.000000Z");
 * buf holds ALERT_TIME_MAX. */
#define ALERT_TIME_MAX 32
const char *alert_time_format(char *buf, usec_t t);
/* s with invalid UTF-8 replaced by U+FFFD and control characters other
 * than tab by '?' (ascii: every byte outside printable ASCII by '?'), cut
 * to at most max bytes on a character boundary. */
char *alert_text_clean(const char *s, size_t max, bool ascii);

#endif
