/* What jobctl prints of schedules: next (a job's coming firings),
 * calendar (an expression's elapses, as systemd-analyze does) and the
 * answers to pause, resume and skip. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "print-internal.h"
#include "terminal.h"
#include "timeutil.h"
#include "xmalloc.h"

/* An elapse's remarks: DST and jitter, "" when there are none. */
static char *
elapse_note(json_t *e)
{
	char sbuf[TIMESPAN_MAX];
	json_int_t jitter;
	char *note = xstrdup(""), *s;

	if (json_is_true(json_object_get(e, "gap"))) {
		free(note);
		note = xstrdup("DST gap: moved to end of gap");
	}
	if (json_is_true(json_object_get(e, "repeat"))) {
		s = xstrfmt("%s%srepeated local time", note,
		    *note ? ", " : "");
		free(note);
		note = s;
	}
	if (pr_num(e, "jitter_usec", &jitter) && jitter > 0) {
		s = xstrfmt("%s%sjitter +%s", note, *note ? ", " : "",
		    pr_format_span(sbuf, sizeof(sbuf), jitter));
		free(note);
		note = s;
	}
	return note;
}

void
print_next(json_t *params)
{
	struct table t = { .ncols = 3 };
	json_t *elapses = json_object_get(params, "elapses"), *e;
	char tbuf[64];
	size_t i;

	if (json_array_size(elapses) == 0) {
		printf("%s: no coming firings\n", pr_str(params, "job"));
		return;
	}
	pr_table_add(&t, xstrfmt("LOCAL (%s)", pr_str(params, "timezone")));
	pr_table_add(&t, xstrdup("UTC"));
	pr_table_add(&t, xstrdup("NOTE"));
	json_array_foreach(elapses, i, e) {
		json_int_t usec = 0;

		pr_num(e, "usec", &usec);
		pr_table_add(&t, xstrdup(pr_str(e, "local")));
		pr_table_add(&t, xstrdup(pr_format_tm(tbuf, sizeof(tbuf), usec,
		    true)));
		pr_table_add(&t, elapse_note(e));
	}
	pr_table_print(&t);
}

/* "Sun " for a local time "2026-03-29 03:00:00+02:00": the weekday of
 * its date, whatever the zone. */
static const char *
local_weekday(const char *local)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	struct tm tm = { .tm_hour = 12 };
	int y, m, d;

	if (sscanf(local, "%d-%d-%d", &y, &m, &d) != 3)
		return "";
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	if (timegm(&tm) == (time_t)-1 || tm.tm_wday < 0 || tm.tm_wday > 6)
		return "";
	return days[tm.tm_wday];
}

/* "3h 2min left" or "1d 4h ago": the two largest units, as systemd. */
static const char *
format_from_now(char *buf, size_t len, json_int_t usec)
{
	static const usec_t units[] = { USEC_PER_DAY, USEC_PER_HOUR,
	    USEC_PER_MINUTE, USEC_PER_SEC };
	json_int_t now = (json_int_t)now_realtime();
	usec_t d = (usec_t)(usec > now ? usec - now : now - usec);
	char sbuf[TIMESPAN_MAX];
	size_t i;

	for (i = 0; i + 1 < ELEMENTSOF(units) && d < units[i]; i++)
		;
	d -= d % units[MIN(i + 1, ELEMENTSOF(units) - 1)];
	if (d == 0) {
		snprintf(buf, len, "now");
		return buf;
	}
	snprintf(buf, len, "%s %s", timespan_format(sbuf, sizeof(sbuf), d),
	    usec > now ? "left" : "ago");
	return buf;
}

void
print_calendar(json_t *params, const char *expr)
{
	json_t *elapses = json_object_get(params, "elapses"), *e;
	char tbuf[64], label[32];
	_cleanup_free_ char *note = NULL;
	json_int_t usec;
	size_t i;

	printf("%15s: %s\n", "Original form", expr);
	printf("%15s: %s\n", "Normalized form", pr_str(params, "normalized"));
	printf("%15s: %s\n", "Syntax", pr_str(params, "syntax"));
	printf("%15s: %s\n", "Time zone", pr_str(params, "timezone"));
	if (json_array_size(elapses) == 0)
		printf("%15s: never\n", "Next elapse");
	json_array_foreach(elapses, i, e) {
		usec = 0;
		pr_num(e, "usec", &usec);
		if (i == 0)
			snprintf(label, sizeof(label), "Next elapse");
		else
			snprintf(label, sizeof(label), "Iter. #%zu", i + 1);
		free(note);
		note = elapse_note(e);
		printf("%15s: %s %s%s%s%s\n", label,
		    local_weekday(pr_str(e, "local")), pr_str(e, "local"),
		    *note ? " (" : "", note, *note ? ")" : "");
		printf("%15s: %s %s UTC\n", "(in UTC)", local_weekday(
		    pr_format_tm(tbuf, sizeof(tbuf), usec, true)), tbuf);
		printf("%15s: %s\n", "From now", format_from_now(tbuf,
		    sizeof(tbuf), usec));
	}
}

void
print_sched_state(json_t *params)
{
	char tbuf[64];
	json_int_t until, skips = 0;

	printf("%s: ", pr_str(params, "job"));
	if (!pr_num(params, "paused_until_usec", &until))
		printf("not paused");
	else if (until == INT64_MAX)
		printf("paused until resumed");
	else
		printf("paused until %s", pr_format_time(tbuf, sizeof(tbuf),
		    until));
	pr_num(params, "skips_pending", &skips);
	if (skips == 1)
		printf(", skipping the next slot");
	else if (skips > 1)
		printf(", skipping the next %" JSON_INTEGER_FORMAT " slots",
		    skips);
	putchar('\n');
}
