/* Schedules: which syntax a value is written in, decided by its shape
 * alone, and the calendar API around the two parsers (calendar-parse.c
 * for systemd calendar events, calendar-cron.c for cron lines) and the
 * elapse search (calendar-next.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar-internal.h"
#include "strv.h"
#include "tz.h"
#include "xmalloc.h"

char **
cal_split_words(const char *s, size_t *ret_n)
{
	char **w = xcalloc(1, sizeof *w);
	size_t n = 0, len;

	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0')
			break;
		len = strcspn(s, " \t");
		w = strv_push(w, xstrndup(s, len));
		n++;
		s += len;
	}
	*ret_n = n;
	return w;
}

/* A word that could be a cron field: only [0-9A-Za-z*,/-?#~] (the last
 * three so that other crons' '?', '5#3' and '~' get cron's errors). */
static bool
cron_shaped(const char *w)
{
	for (; *w; w++)
		if (!((*w >= '0' && *w <= '9') || (*w >= 'a' && *w <= 'z') ||
		    (*w >= 'A' && *w <= 'Z') || strchr("*,/-?#~", *w)))
			return false;
	return true;
}

/* A line of /etc/crontab or /etc/cron.d pasted whole: five fields, then
 * a word that is a user name rather than a field of a seconds-first
 * cron (it starts with a letter and is not a day or month name). */
static bool
crontab_line(char **w, size_t n)
{
	static const char *const names[] = {
		"sun", "mon", "tue", "wed", "thu", "fri", "sat", "jan", "feb",
		"mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
		"dec", NULL
	};
	const char *u;
	size_t i;

	if (n < 6)
		return false;
	u = w[5];
	if (!((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z') ||
	    u[0] == '_'))
		return false;
	for (i = 0; names[i]; i++)
		if (strncasecmp(u, names[i], 3) == 0 && (!u[3] ||
		    strchr(",-/", u[3])))
			return false;
	return true;
}

/* "CRON_TZ=Zone" or "TZ=Zone" before a cron line (cronie, Kubernetes):
 * the line's zone.  0 when there is none, 1 when taken, -EINVAL. */
static int
cron_zone_prefix(char ***w, size_t *n, struct cal_spec *s, char **cause)
{
	const char *z;

	if (*n < 2)
		return 0;
	if (strncmp((*w)[0], "CRON_TZ=", 8) == 0)
		z = (*w)[0] + 8;
	else if (strncmp((*w)[0], "TZ=", 3) == 0)
		z = (*w)[0] + 3;
	else
		return 0;
	if (strcasecmp(z, "UTC") == 0)
		s->utc = true;
	else if (tz_load(z, &s->zone, cause) < 0)
		return -EINVAL;
	s->zone_name = xstrdup(s->utc ? "UTC" : z);
	free((*w)[0]);
	memmove(*w, *w + 1, *n * sizeof(**w));	/* NULL included */
	(*n)--;
	return 1;
}

/*
 * The shape rule.  A value is read as cron when it is "@" and a letter (a
 * macro: @daily, @reboot, ...), or when it has 4 or more words (split at
 * spaces and tabs) each made only of [0-9A-Za-z*,/-] (so without ':',
 * '.' or '~'): 5 words are a cron line, other counts are refused as cron
 * with the reason (6 and 7 fields are the seconds-first Quartz/robfig
 * forms).  Everything else,
 * including "@" and a digit (systemd's @EPOCH), is a systemd calendar
 * event.  No systemd event has that shape: it has at most 4 words
 * (weekdays, date, time, zone), its time word contains ':' and its zone is
 * the only other place for letters beyond the first word, and 4 words
 * always include a time.  So "Mon..Fri *-*-* 09:00 UTC" (with '.' and
 * ':') and "daily" can never be mistaken for cron, nor "0 9 * * 1" for
 * systemd.
 */
static int
parse_any(const char *expr, struct cal_spec *s, char **cause)
{
	_cleanup_(strv_freep) char **w = NULL;
	size_t n, i;
	int zoned, r;

	w = cal_split_words(expr, &n);
	zoned = cron_zone_prefix(&w, &n, s, cause);
	if (zoned < 0)
		return -EINVAL;
	if (n >= 1 && w[0][0] == '@' && ((w[0][1] >= 'a' && w[0][1] <= 'z') ||
	    (w[0][1] >= 'A' && w[0][1] <= 'Z'))) {
		if (n > 1) {
			*cause = xstrfmt("unexpected '%s' after '%s'", w[1],
			    w[0]);
			return -EINVAL;
		}
		r = cal_parse_cron_macro(w[0], s, cause);
		goto zone_text;
	}
	for (i = 0; i < n && cron_shaped(w[i]); i++)
		;
	if (i >= 5 && crontab_line(w, n)) {
		*cause = xstrfmt("this looks like a line of /etc/crontab or "
		    "/etc/cron.d: 5 time fields, then the user '%s' and the "
		    "command; put '%s %s %s %s %s' in schedule=, user=%s and "
		    "the rest in command=", w[5], w[0], w[1], w[2], w[3],
		    w[4], w[5]);
		return -EINVAL;
	}
	if (zoned && (n < 4 || i < n)) {
		*cause = xstrdup("CRON_TZ= and TZ= go before a 5-field cron "
		    "line; a systemd calendar event names its zone at its "
		    "end");
		return -EINVAL;
	}
	if (n < 4 || i < n)
		return cal_parse_systemd(expr, s, cause);
	if (n == 6) {
		*cause = xstrdup("6-field cron is not supported: the first "
		    "field would be seconds in Quartz/robfig and minutes in "
		    "Vixie cron; use 5 fields or the systemd calendar syntax "
		    "'*-*-* *:*:00/10'");
		return -EINVAL;
	}
	if (n == 7) {
		*cause = xstrdup("7-field cron is not supported: Quartz "
		    "puts seconds first and a year last; use 5 fields or "
		    "the systemd calendar syntax ('2027-*-* *:*:00/10')");
		return -EINVAL;
	}
	r = cal_parse_cron(w, n, s, cause);
zone_text:
	if (r == 0 && zoned) {
		/* The zone is part of the line as jobd prints it. */
		char *t = xstrfmt("CRON_TZ=%s %s", s->zone_name, s->text);

		free(s->text);
		s->text = t;
	}
	return r;
}

int
cal_parse(const char *expr, struct cal_spec **ret, char **cause)
{
	struct cal_spec *s = xcalloc(1, sizeof *s);
	int r;

	*cause = NULL;
	r = parse_any(expr, s, cause);
	if (r < 0) {
		if (!*cause)
			*cause = xstrfmt("invalid schedule '%s'", expr);
		cal_free(s);
		return -EINVAL;
	}
	*ret = s;
	return 0;
}

struct cal_spec *
cal_free(struct cal_spec *s)
{
	int f;

	if (!s)
		return NULL;
	for (f = 0; f < CAL_NFIELDS; f++)
		free(s->chain[f].v);
	tz_free(s->zone);
	free(s->zone_name);
	free(s->text);
	free(s);
	return NULL;
}

enum cal_syntax
cal_syntax(const struct cal_spec *s)
{
	return s->syntax;
}

bool
cal_is_reboot(const struct cal_spec *s)
{
	return s->reboot;
}

const char *
cal_zone(const struct cal_spec *s)
{
	if (s->utc)
		return "UTC";
	return s->zone_name;
}

char *
cal_format(const struct cal_spec *s)
{
	if (s->syntax == CAL_SYNTAX_CRON)
		return xstrdup(s->text);
	return cal_format_systemd(s);
}
