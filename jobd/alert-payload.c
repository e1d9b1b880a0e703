/* The texts of an alert, each built from the event alone: the JSON
 * document (field by field as README's "Alerts" lists them), Slack's
 * {"text": ...}, the summary line and the mail message.  The output tail
 * and the reason may hold anything a job printed: JSON escapes them,
 * Slack's text gets its three special characters escaped and the tail
 * kept inside its code block, and the mail puts them only in its body,
 * cleaned of control characters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert-event.h"
#include "alert-payload.h"
#include "json-writer.h"
#include "macro.h"
#include "signame.h"
#include "strv.h"
#include "xmalloc.h"

#define MAIL_LINE_MAX 900		/* SMTP allows 998 */

const char *
alert_time_format(char *buf, usec_t t)
{
	time_t sec = (time_t)(t / USEC_PER_SEC);
	struct tm tm;

	if (!gmtime_r(&sec, &tm) || !strftime(buf, ALERT_TIME_MAX,
	    "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(buf, ALERT_TIME_MAX, "1970-01-01T00:00:00");
	snprintf(buf + strlen(buf), ALERT_TIME_MAX - strlen(buf), ".%06lluZ",
	    (unsigned long long)(t % USEC_PER_SEC));
	return buf;
}

char *
alert_text_clean(const char *str, size_t max, bool ascii)
{
	const unsigned char *s = (const unsigned char *)str;
	char *out = xmalloc(max + 1), *p = out;
	size_t n;

	while (*s) {
		n = jw_utf8_seq(s);
		if (n == 1 && (*s < ' ' || *s == 0x7f) && *s != '\t')
			n = 0;
		if (n > 1 && ascii)
			n = 0;
		if (n == 0) {
			/* One byte replaced: U+FFFD is three. */
			if ((size_t)(p - out) + (ascii || *s < 0x80 ? 1 : 3) >
			    max)
				break;
			if (ascii || *s < 0x80)
				*p++ = '?';
			else
				p = memcpy(p, "\xef\xbf\xbd", 3), p += 3;
			s++;
			continue;
		}
		if ((size_t)(p - out) + n > max)
			break;
		memcpy(p, s, n);
		p += n;
		s += n;
	}
	*p = '\0';
	return out;
}

/* "exit 3", "signal SIGKILL", the result, or "" (into buf). */
static const char *
alert_outcome(const struct alert_event *e, char *buf, size_t len)
{
	if (e->signal)
		snprintf(buf, len, "signal %s", signal_to_string(e->signal));
	else if (e->has_exit && e->exit_status != 0)
		snprintf(buf, len, "exit %d", e->exit_status);
	else if (e->result && strcmp(e->result, "failed") &&
	    strcmp(e->result, "success"))
		snprintf(buf, len, "%s", e->result);
	else
		buf[0] = '\0';
	return buf;
}

char *
alert_summary(const struct alert_event *e, const struct alert_context *c)
{
	_cleanup_free_ char *host = alert_text_clean(c->host, 64, true);
	_cleanup_free_ char *unit = NULL, *reason = NULL, *what = NULL;
	char out[64];

	if (e->kind == ALERT_TEST)
		return xstrfmt("[jobd %s] test of [alert %s]", host, c->alert);
	unit = xstrfmt("%s%s", e->service ? "service " : "", e->job ? e->job :
	    "?");
	reason = e->reason ? alert_text_clean(e->reason, 120, true) : NULL;
	alert_outcome(e, out, sizeof(out));
	switch (e->kind) {
	case ALERT_FAILED:
		what = xstrfmt("failed%s%s%s", *out ? " (" : "", out,
		    *out ? ")" : "");
		break;
	case ALERT_RECOVERED:
		what = xstrdup("recovered");
		break;
	case ALERT_OVERDUE:
		what = xstrdup("is overdue");
		break;
	case ALERT_MISSED:
		what = xstrdup("missed a run");
		break;
	default:
		what = xstrfmt("finished: %s%s%s%s", e->result ? e->result :
		    "?", *out ? " (" : "", out, *out ? ")" : "");
		break;
	}
	if (reason && (e->kind == ALERT_OVERDUE || e->kind == ALERT_MISSED))
		return xstrfmt("[jobd %s] %s %s: %s", host, unit, what, reason);
	return xstrfmt("[jobd %s] %s %s", host, unit, what);
}

static void
jw_null(struct json_writer *w)
{
	jw_raw(w, "null", 4);
}

static void
jw_kstr_or_null(struct json_writer *w, const char *key, const char *s)
{
	jw_key(w, key);
	if (s)
		jw_string(w, s);
	else
		jw_null(w);
}

static void
jw_kint_if(struct json_writer *w, const char *key, bool set, long long v)
{
	jw_key(w, key);
	if (set)
		jw_int(w, v);
	else
		jw_null(w);
}

static void
jw_ktime(struct json_writer *w, const char *key, usec_t t)
{
	char buf[ALERT_TIME_MAX];

	jw_kstr_or_null(w, key, t ? alert_time_format(buf, t) : NULL);
}

char *
alert_payload_json(const struct alert_event *e,
    const struct alert_context *c, size_t *ret_len)
{
	_cleanup_free_ char *summary = alert_summary(e, c);
	struct json_writer w;
	size_t i;

	jw_init(&w);
	jw_open(&w, '{');
	jw_kstr(&w, "event", alert_kind_name[e->kind]);
	jw_kstr(&w, "alert", c->alert);
	jw_kstr_or_null(&w, "job", e->job);
	jw_key(&w, "service");
	jw_bool(&w, e->service);
	jw_kint_if(&w, "run", e->run != 0, (long long)e->run);
	jw_kstr_or_null(&w, "result", e->result);
	jw_kint_if(&w, "exit_status", e->has_exit, e->exit_status);
	jw_kint_if(&w, "signal", e->signal != 0, e->signal);
	jw_kstr_or_null(&w, "reason", e->reason);
	jw_kstr_or_null(&w, "trigger", e->trigger);
	jw_kstr(&w, "host", c->host);
	jw_ktime(&w, "scheduled_at", e->scheduled_at);
	jw_ktime(&w, "started_at", e->started_at);
	jw_ktime(&w, "ended_at", e->ended_at);
	jw_kint_if(&w, "duration_usec", e->duration != 0,
	    (long long)e->duration);
	jw_ktime(&w, "at", e->at);
	jw_kstr(&w, "summary", summary);
	jw_key(&w, "output_tail");
	jw_open(&w, '[');
	for (i = 0; e->tail && e->tail[i]; i++)
		jw_string(&w, e->tail[i]);
	jw_close(&w, ']');
	jw_close(&w, '}');
	return jw_steal(&w, ret_len);
}

/* s + t, s reallocated. */
static char *
cat(char *s, const char *t)
{
	size_t n = strlen(s), m = strlen(t);

	s = xrealloc(s, n + m + 1);
	memcpy(s + n, t, m + 1);
	return s;
}

/* Appends s with Slack's &, < and > escaped (so that no <!channel> or
 * link is read from a job's output), and with any ``` broken by a
 * zero-width space so that the output cannot leave its code block. */
static char *
slack_escape_append(char *out, const char *s)
{
	size_t n = strlen(out);
	char *p;

	out = xrealloc(out, n + strlen(s) * 5 + 1);
	p = out + n;
	for (; *s; s++) {
		if (*s == '&')
			p = stpcpy(p, "&amp;");
		else if (*s == '<')
			p = stpcpy(p, "&lt;");
		else if (*s == '>')
			p = stpcpy(p, "&gt;");
		else if (*s == '`' && s[1] == '`' && s[2] == '`')
			p = stpcpy(p, "`\xe2\x80\x8b");
		else
			*p++ = *s;
	}
	*p = '\0';
	return out;
}

char *
alert_payload_slack(const struct alert_event *e,
    const struct alert_context *c, size_t *ret_len)
{
	_cleanup_free_ char *summary = alert_summary(e, c);
	char *text = slack_escape_append(xstrdup(""), summary);
	struct json_writer w;
	size_t i;

	if (e->tail && e->tail[0]) {
		text = cat(text, "\n```\n");
		for (i = 0; e->tail[i]; i++) {
			text = slack_escape_append(text, e->tail[i]);
			text = cat(text, "\n");
		}
		text = cat(text, "```");
	}
	jw_init(&w);
	jw_open(&w, '{');
	jw_kstr(&w, "text", text);
	jw_close(&w, '}');
	free(text);
	return jw_steal(&w, ret_len);
}

/* One "Name:  value" line of the mail's body, the value cleaned. */
static char *
mail_field(char *body, const char *name, const char *value)
{
	_cleanup_free_ char *v = alert_text_clean(value, MAIL_LINE_MAX, false);
	_cleanup_free_ char *line = xstrfmt("%-11s%s\n", name, v);

	return cat(body, line);
}

static char *
mail_time(char *body, const char *name, usec_t t)
{
	char buf[ALERT_TIME_MAX];

	return t ? mail_field(body, name, alert_time_format(buf, t)) : body;
}

/* The body: what happened, field by field, then the output tail, each
 * line indented (a line of its own "." or "From " means nothing then). */
static char *
mail_body(const struct alert_event *e, const struct alert_context *c)
{
	char *b = xstrdup(""), num[64], span[TIMESPAN_MAX];
	size_t i, n = strv_length(e->tail);

	b = mail_field(b, "Event:", alert_kind_name[e->kind]);
	if (e->job)
		b = mail_field(b, e->service ? "Service:" : "Job:", e->job);
	if (e->run) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)e->run);
		b = mail_field(b, "Run:", num);
	}
	if (e->result)
		b = mail_field(b, "Result:", e->result);
	if (e->has_exit) {
		snprintf(num, sizeof(num), "%d", e->exit_status);
		b = mail_field(b, "Exit:", num);
	}
	if (e->signal)
		b = mail_field(b, "Signal:", signal_to_string(e->signal));
	if (e->reason)
		b = mail_field(b, "Reason:", e->reason);
	if (e->trigger)
		b = mail_field(b, "Trigger:", e->trigger);
	b = mail_time(b, "Scheduled:", e->scheduled_at);
	b = mail_time(b, "Started:", e->started_at);
	b = mail_time(b, "Ended:", e->ended_at);
	if (e->duration)
		b = mail_field(b, "Duration:", timespan_format(span,
		    sizeof(span), e->duration));
	b = mail_field(b, "Host:", c->host);
	b = mail_field(b, "Alert:", c->alert);
	if (n == 0)
		return b;
	snprintf(num, sizeof(num), "\nOutput (last %zu line%s):\n", n,
	    n == 1 ? "" : "s");
	b = cat(b, num);
	for (i = 0; i < n; i++) {
		_cleanup_free_ char *l = alert_text_clean(e->tail[i],
		    MAIL_LINE_MAX, false);

		b = cat(b, "  ");
		b = cat(b, l);
		b = cat(b, "\n");
	}
	return b;
}

char *
alert_mail_message(const struct alert_event *e,
    const struct alert_context *c)
{
	_cleanup_free_ char *subject = alert_summary(e, c);
	_cleanup_free_ char *to = xstrdup("");
	_cleanup_free_ char *body = mail_body(e, c);
	char date[64];
	time_t sec = (time_t)(c->now / USEC_PER_SEC);
	struct tm tm;
	size_t i;

	/* RFC 5322's date, in English whatever the locale. */
	static const char *const day[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

	for (i = 0; c->to && c->to[i]; i++) {
		if (i > 0)
			to = cat(to, ", ");
		to = cat(to, c->to[i]);
	}
	gmtime_r(&sec, &tm);
	snprintf(date, sizeof(date), "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    day[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	return xstrfmt("To: %s\nSubject: %s\nDate: %s\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "Auto-Submitted: auto-generated\n"
	    "X-Jobd-Alert: %s\nX-Jobd-Event: %s\n\n%s", to, subject, date,
	    c->alert, alert_kind_name[e->kind], body);
}
