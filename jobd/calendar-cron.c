/* Cron syntax as Vixie cron reads it (crontab(5)): five fields (minute,
 * hour, day of month, month, day of week) with names, lists, ranges and
 * steps, parsed into bit sets, and the @ macros.  Day of month and day of
 * week are ORed when both are restricted, "restricted" meaning the field
 * does not begin with '*', exactly as Vixie's entry.c decides it.  What
 * people paste from other crons is read too where it means one thing
 * (a range ending on Sunday as 0, '?' for '*', 'L' for the last day of
 * the month, as cronie and Kubernetes read them) and named with what to
 * write instead where it does not ('5#3', 'H', '~'). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar-internal.h"
#include "strv.h"
#include "xmalloc.h"

struct cron_field {
	const char *name;
	int lo, hi;
	const char *const *names;	/* value of names[i] is names_lo + i */
	int names_lo;
	const char *what;		/* for an unknown name */
};

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec", NULL
};

static const char *const dow_names[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL
};

/* As the systemd syntax writes them, for the advice in errors. */
static const char *const dow_label[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

static const struct cron_field cron_fields[5] = {
	{ "minute", 0, 59, NULL, 0, NULL },
	{ "hour", 0, 23, NULL, 0, NULL },
	{ "day of month", 1, 31, NULL, 0, NULL },
	{ "month", 1, 12, month_names, 1, "month" },
	{ "day of week", 0, 7, dow_names, 0, "weekday" },	/* 7 = Sun */
};

static const struct {
	const char *name;
	const char *line;		/* NULL: @reboot */
} cron_macros[] = {
	{ "@reboot", NULL },
	{ "@yearly", "0 0 1 1 *" },
	{ "@annually", "0 0 1 1 *" },
	{ "@monthly", "0 0 1 * *" },
	{ "@weekly", "0 0 * * 0" },
	{ "@daily", "0 0 * * *" },
	{ "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

/* A number or (month, weekday) a three-letter name. */
static int
cron_value(const char *s, size_t len, const struct cron_field *f, int *ret,
    char **cause)
{
	size_t i;
	int v = 0;

	if (len > 0 && s[0] >= '0' && s[0] <= '9') {
		for (i = 0; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				goto bad;
			if (v < 1000)
				v = v * 10 + (s[i] - '0');
		}
		if (v < f->lo || v > f->hi) {
			*cause = xstrfmt("%s %.*s out of range %d-%d",
			    f->name, (int)len, s, f->lo, f->hi);
			return -EINVAL;
		}
		*ret = v;
		return 0;
	}
	for (i = 0; f->names && f->names[i]; i++) {
		if (len == 3 && strncasecmp(s, f->names[i], 3) == 0) {
			*ret = f->names_lo + (int)i;
			return 0;
		}
	}
	if (f->names && len > 0) {
		*cause = xstrfmt("unknown %s '%.*s'", f->what, (int)len, s);
		return -EINVAL;
	}
bad:
	*cause = xstrfmt("invalid %s '%.*s'", f->name, (int)len, s);
	return -EINVAL;
}

/* Tokens of other crons that jobd does not read, with what to write. */
static int
cron_foreign(const char *s, size_t len, const struct cron_field *f,
    char **cause)
{
	const char *hash = memchr(s, '#', len);
	int dow, nth;

	if (hash && f == &cron_fields[4] && hash - s == 1 && len == 3 &&
	    s[0] >= '0' && s[0] <= '7' && hash[1] >= '1' && hash[1] <= '5') {
		dow = (s[0] - '0') % 7;
		nth = hash[1] - '0';
		*cause = xstrfmt("'%.*s' (the %d%s %s of the month) is Quartz "
		    "and cronie syntax that jobd does not read: write it in "
		    "systemd syntax, e.g. '%s *-*-%02d..%02d 00:00'",
		    (int)len, s, nth, nth == 1 ? "st" : nth == 2 ? "nd" :
		    nth == 3 ? "rd" : "th", dow_label[dow], dow_label[dow],
		    7 * (nth - 1) + 1, nth == 5 ? 31 : 7 * nth);
		return -EINVAL;
	}
	if (hash) {
		*cause = xstrfmt("'%.*s' in the %s field: '#' (the Nth weekday) "
		    "is not read by jobd; use the systemd syntax ('Fri "
		    "*-*-15..21' is the third Friday)", (int)len, s, f->name);
		return -EINVAL;
	}
	/* 5L: the last Friday; L-3, LW, 15W: Quartz's days. */
	if (f == &cron_fields[4] && len == 2 && s[1] == 'L' && s[0] >= '0' &&
	    s[0] <= '7') {
		dow = (s[0] - '0') % 7;
		*cause = xstrfmt("'%.*s' (the last %s of the month) is Quartz "
		    "and cronie syntax that jobd does not read: write it in "
		    "systemd syntax, e.g. '%s *-*~07/1 00:00'", (int)len, s,
		    dow_label[dow], dow_label[dow]);
		return -EINVAL;
	}
	if (f == &cron_fields[2] && (memchr(s, 'W', len) ||
	    (len > 1 && s[0] == 'L'))) {
		*cause = xstrfmt("'%.*s' in the day-of-month field: Quartz's "
		    "'W' (the weekday nearest a day) and 'L-N' are not read "
		    "by jobd; 'L' alone (the last day) is, and the systemd "
		    "syntax has '*-*~03' (the third-last day)", (int)len, s);
		return -EINVAL;
	}
	if (memchr(s, 'H', len) || memchr(s, '~', len)) {
		*cause = xstrfmt("'%.*s' in the %s field: Jenkins' 'H' and "
		    "cronie's '~' (a random value) are not read by jobd; "
		    "write a fixed value and set jitter= (e.g. jitter=30min) "
		    "for a random delay", (int)len, s, f->name);
		return -EINVAL;
	}
	return 0;
}

/* "*", "a", "a-b", each optionally "/step"; "a/step" runs to the end of
 * the field, as in cronie (Vixie cron refuses it; jobd keeps cronie's
 * reading).  '?' is '*' in the day fields; 'L' alone is the last day of
 * the month. */
static int
cron_item(const char *s, size_t len, const struct cron_field *f,
    uint64_t *bits, char **cause)
{
	const char *slash = memchr(s, '/', len), *dash;
	size_t rlen = slash ? (size_t)(slash - s) : len;
	int a = f->lo, b = f->hi, step = 1, v, r;

	if (cron_foreign(s, len, f, cause) < 0)
		return -EINVAL;
	if (len == 1 && s[0] == 'L' && f == &cron_fields[2]) {
		*bits |= 1;
		return 0;
	}
	if (rlen == 1 && s[0] == '?' && (f == &cron_fields[2] ||
	    f == &cron_fields[4]))
		s = "*";

	if (slash) {
		step = 0;
		for (v = 1; v < (int)(len - rlen) && slash[v] >= '0' &&
		    slash[v] <= '9'; v++)
			if (step < 1000)
				step = step * 10 + (slash[v] - '0');
		if (step == 0 || v != (int)(len - rlen)) {
			*cause = xstrfmt("invalid step '%.*s' in the %s field",
			    (int)(len - rlen), slash, f->name);
			return -EINVAL;
		}
	}
	if (!(rlen == 1 && s[0] == '*')) {
		dash = memchr(s, '-', rlen);
		r = cron_value(s, dash ? (size_t)(dash - s) : rlen, f, &a,
		    cause);
		if (r == 0 && dash)
			r = cron_value(dash + 1, rlen - (dash + 1 - s), f, &b,
			    cause);
		if (r < 0)
			return r;
		if (!dash && !slash)
			b = a;
		/* "sat-sun", "5-0": cronie ends such a range on Sunday. */
		if (dash && f == &cron_fields[4] && b == 0 && a > 0)
			b = 7;
		if (a > b) {
			*cause = xstrfmt("range '%.*s' goes backwards in the "
			    "%s field", (int)rlen, s, f->name);
			return -EINVAL;
		}
	}
	for (v = a; v <= b; v += step)
		*bits |= (uint64_t)1 << v;
	return 0;
}

static int
cron_field_parse(const char *text, const struct cron_field *f,
    uint64_t *bits, char **cause)
{
	const char *s = text;
	size_t len;
	int r;

	*bits = 0;
	for (;;) {
		len = strcspn(s, ",");
		if (len == 0) {
			*cause = xstrfmt("empty list element in the %s field "
			    "'%s'", f->name, text);
			return -EINVAL;
		}
		r = cron_item(s, len, f, bits, cause);
		if (r < 0)
			return r;
		if (s[len] == '\0')
			return 0;
		s += len + 1;
	}
}

int
cal_parse_cron(char **words, size_t n, struct cal_spec *s, char **cause)
{
	uint64_t bits[5];
	size_t i, len = 0;
	int r;

	if (n != 5) {
		*cause = xstrfmt("cron needs exactly 5 fields (minute hour "
		    "day-of-month month day-of-week), got %zu", n);
		return -EINVAL;
	}
	for (i = 0; i < 5; i++) {
		r = cron_field_parse(words[i], &cron_fields[i], &bits[i],
		    cause);
		if (r < 0)
			return r;
		len += strlen(words[i]) + 1;
	}
	s->syntax = CAL_SYNTAX_CRON;
	s->minutes = bits[0];
	s->hours = (uint32_t)bits[1];
	s->doms = (uint32_t)bits[2];
	s->months = (uint16_t)bits[3];
	/* 0 and 7 are both Sunday. */
	s->dows = (uint8_t)((bits[4] | bits[4] >> 7) & 0x7f);
	/* cronie's MIN_STAR | HR_STAR: how DST treats the line. */
	s->wildcard = words[0][0] == '*' || words[1][0] == '*';
	s->dom_star = words[2][0] == '*' || words[2][0] == '?';
	s->dow_star = words[4][0] == '*' || words[4][0] == '?';
	s->text = xmalloc(len);
	s->text[0] = '\0';
	for (i = 0; i < 5; i++) {
		if (i > 0)
			strcat(s->text, " ");
		strcat(s->text, words[i]);
	}
	return 0;
}

int
cal_parse_cron_macro(const char *word, struct cal_spec *s, char **cause)
{
	char **w;
	size_t i, n;
	int r;

	for (i = 0; i < ELEMENTSOF(cron_macros); i++) {
		if (strcasecmp(word, cron_macros[i].name) != 0)
			continue;
		s->syntax = CAL_SYNTAX_CRON;
		if (!cron_macros[i].line) {
			s->reboot = true;
			r = 0;
		} else {
			w = cal_split_words(cron_macros[i].line, &n);
			r = cal_parse_cron(w, n, s, cause);
			strv_free(w);
		}
		free(s->text);
		s->text = xstrdup(cron_macros[i].name);
		return r;
	}
	*cause = xstrfmt("unknown cron macro '%s' (known: @reboot @yearly "
	    "@annually @monthly @weekly @daily @midnight @hourly)", word);
	return -EINVAL;
}
