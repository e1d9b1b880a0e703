/* systemd's value syntax, read the way systemd 252 reads it: specifiers
 * (systemd.unit(5), as the system manager resolves them), words with
 * quotes and C escapes (systemd.syntax(7)), time spans (systemd.time(7)),
 * booleans and sizes.  Pure: what jobd makes of a value is decided by the
 * mapping files. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "import-sd.h"
#include "strv.h"
#include "xmalloc.h"

/* Specifiers whose value is the same wherever the system manager runs. */
static const struct {
	char c;
	const char *value;
} fixed_specifiers[] = {
	{ 't', "/run" }, { 'S', "/var/lib" }, { 'C', "/var/cache" },
	{ 'L', "/var/log" }, { 'E', "/etc" }, { 'T', "/tmp" },
	{ 'V', "/var/tmp" }, { 'h', "/root" }, { 'u', "root" },
	{ 'U', "0" }, { 'g', "root" }, { 'G', "0" }, { 's', "/bin/sh" },
	{ '%', "%" },
};

/* What the others stand for, said in the reason. */
static const struct {
	char c;
	const char *what;
} machine_specifiers[] = {
	{ 'H', "the host name" }, { 'l', "the short host name" },
	{ 'q', "the pretty host name" }, { 'm', "the machine id" },
	{ 'M', "the OS image id" }, { 'b', "the boot id" },
	{ 'v', "the kernel release" }, { 'a', "the architecture" },
	{ 'o', "the OS id" }, { 'w', "the OS version id" },
	{ 'W', "the OS variant id" }, { 'B', "the OS build id" },
	{ 'A', "the OS image version" }, { 'd', "the credentials directory" },
};

/* unit_name_unescape(): "-" is "/", "\xNN" a byte. */
static char *
unescape(const char *s)
{
	char *r = xmalloc(strlen(s) + 1), *p = r;

	for (; *s; s++) {
		if (*s == '-')
			*p++ = '/';
		else if (s[0] == '\\' && s[1] == 'x' &&
		    ascii_hexval(s[2]) >= 0 && ascii_hexval(s[3]) >= 0) {
			*p++ = (char)(ascii_hexval(s[2]) << 4 |
			    ascii_hexval(s[3]));
			s += 3;
		} else
			*p++ = *s;
	}
	*p = '\0';
	return r;
}

/* The value of a specifier that depends on the unit's name, or NULL. */
static char *
name_specifier(const struct sd_unit *u, char c)
{
	const char *dash, *dot = strrchr(u->name, '.');
	char *t, *r;

	switch (c) {
	case 'n':
		return xstrdup(u->name);
	case 'N':
		return xstrndup(u->name, dot ? (size_t)(dot - u->name) :
		    strlen(u->name));
	case 'p':
		return xstrdup(u->prefix);
	case 'P':
		return unescape(u->prefix);
	case 'i':
		return xstrdup(u->instance ? u->instance : "");
	case 'I':
		return unescape(u->instance ? u->instance : "");
	case 'j':
	case 'J':
		dash = strrchr(u->prefix, '-');
		t = xstrdup(dash ? dash + 1 : u->prefix);
		if (c == 'j')
			return t;
		r = unescape(t);
		free(t);
		return r;
	case 'f':
		t = unescape(u->instance ? u->instance : u->prefix);
		r = xstrfmt("%s%s", t[0] == '/' ? "" : "/", t);
		free(t);
		return r;
	case 'y':
		return xstrdup(u->path);
	case 'Y':
		t = xstrdup(u->path);
		if (strrchr(t, '/'))
			*strrchr(t, '/') = '\0';
		else
			strcpy(t, ".");
		return t;
	}
	return NULL;
}

static char *
specifier(const struct sd_unit *u, char c, char **cause)
{
	size_t i;
	char *v;

	if (strchr("iIfjJ", c) && strchr(u->name, '@') && !u->instance) {
		*cause = xstrfmt("%%%c is the instance name, and %s is a "
		    "template: import an instance (%s@NAME.%s)", c, u->name,
		    u->prefix, u->type);
		return NULL;
	}
	if ((v = name_specifier(u, c)))
		return v;
	for (i = 0; i < ELEMENTSOF(fixed_specifiers); i++)
		if (fixed_specifiers[i].c == c)
			return xstrdup(fixed_specifiers[i].value);
	for (i = 0; i < ELEMENTSOF(machine_specifiers); i++)
		if (machine_specifiers[i].c == c) {
			*cause = xstrfmt("%%%c is %s of the machine the unit "
			    "runs on, known only there: write it out",
			    c, machine_specifiers[i].what);
			return NULL;
		}
	*cause = xstrfmt("unknown specifier '%%%c'", c);
	return NULL;
}

char *
sd_specifiers(const struct sd_unit *u, const char *value, char **cause)
{
	size_t cap = strlen(value) + 1, n = 0;
	char *r = xmalloc(cap), *v;

	for (; *value; value++) {
		if (*value != '%') {
			r[n++] = *value;
			continue;
		}
		if (!value[1]) {
			*cause = xstrdup("a '%' at the end of the value");
			free(r);
			return NULL;
		}
		if (!(v = specifier(u, *++value, cause))) {
			free(r);
			return NULL;
		}
		cap += strlen(v);
		r = xrealloc(r, cap);
		memcpy(r + n, v, strlen(v));
		n += strlen(v);
		free(v);
	}
	r[n] = '\0';
	return r;
}

/* Appends the UTF-8 form of code point cp. */
static void
put_utf8(char **p, unsigned long cp)
{
	unsigned char *q = (unsigned char *)*p;

	if (cp < 0x80)
		*q++ = cp;
	else if (cp < 0x800) {
		*q++ = 0xc0 | cp >> 6;
		*q++ = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		*q++ = 0xe0 | cp >> 12;
		*q++ = 0x80 | ((cp >> 6) & 0x3f);
		*q++ = 0x80 | (cp & 0x3f);
	} else {
		*q++ = 0xf0 | cp >> 18;
		*q++ = 0x80 | ((cp >> 12) & 0x3f);
		*q++ = 0x80 | ((cp >> 6) & 0x3f);
		*q++ = 0x80 | (cp & 0x3f);
	}
	*p = (char *)q;
}

static int
hexn(const char *s, int n, unsigned long *ret)
{
	int i;

	*ret = 0;
	for (i = 0; i < n; i++) {
		if (ascii_hexval(s[i]) < 0)
			return -EINVAL;
		*ret = *ret << 4 | ascii_hexval(s[i]);
	}
	return 0;
}

/* cunescape_one(): one C escape after the backslash at *s; advances *s
 * past it and writes the character at *p. */
static int
c_escape(const char **s, char **p)
{
	static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\\"\"''s ";
	const char *e = *s + 1, *m;
	unsigned long cp;
	int len = 0;

	if (*e && (m = strchr(simple, *e)) && (m - simple) % 2 == 0) {
		*(*p)++ = m[1];
		*s = e + 1;
		return 0;
	}
	if (*e == 'x')
		len = 2;
	else if (*e == 'u')
		len = 4;
	else if (*e == 'U')
		len = 8;
	if (len) {
		if (hexn(e + 1, len, &cp) < 0 || cp == 0 || cp > 0x10ffff)
			return -EINVAL;
		if (len == 2)
			*(*p)++ = (char)cp;
		else
			put_utf8(p, cp);
		*s = e + 1 + len;
		return 0;
	}
	if (e[0] >= '0' && e[0] <= '3' && e[1] >= '0' && e[1] <= '7' &&
	    e[2] >= '0' && e[2] <= '7') {
		cp = (e[0] - '0') << 6 | (e[1] - '0') << 3 | (e[2] - '0');
		if (cp == 0)
			return -EINVAL;
		*(*p)++ = (char)cp;
		*s = e + 3;
		return 0;
	}
	return -EINVAL;
}

/* One word from *s (blanks before it skipped); NULL at the end. */
static int
next_word(const char **s, char **ret, char **cause)
{
	const char *p = *s;
	char *w, *q, quote = 0;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	*ret = NULL;
	if (!*p)
		return 0;
	/* An escape never makes a word longer than its source. */
	w = q = xmalloc(strlen(p) + 1);
	while (*p && (quote || !strchr(" \t\n\r", *p))) {
		if (*p == '\\') {
			if (c_escape(&p, &q) < 0) {
				*cause = xstrfmt("invalid escape '\\%.1s'",
				    p + 1);
				free(w);
				return -EINVAL;
			}
		} else if (quote && *p == quote) {
			quote = 0;
			p++;
		} else if (!quote && (*p == '\'' || *p == '"'))
			quote = *p++;
		else
			*q++ = *p++;
	}
	if (quote) {
		*cause = xstrfmt("unterminated %s quote", quote == '"' ?
		    "double" : "single");
		free(w);
		return -EINVAL;
	}
	*q = '\0';
	*ret = w;
	*s = p;
	return 0;
}

int
sd_words(const char *value, char ***ret, char ***ret_raw, char **cause)
{
	char **v = NULL, **raw = NULL, *w;
	const char *p = value, *start;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		start = p;
		/* ExecStart='s "\;" is a word ';' (a lone ';' separates
		 * commands): not a C escape. */
		if (p[0] == '\\' && p[1] == ';' && (!p[2] ||
		    strchr(" \t\n\r", p[2]))) {
			p += 2;
			v = strv_append(v, ";");
			raw = strv_append(raw, "\\;");
			continue;
		}
		if (next_word(&p, &w, cause) < 0) {
			strv_free(v);
			strv_free(raw);
			return -EINVAL;
		}
		if (!w)
			break;
		v = strv_push(v, w);
		raw = strv_push(raw, xstrndup(start, p - start));
	}
	*ret = v ? v : xcalloc(1, sizeof(char *));
	if (ret_raw)
		*ret_raw = raw ? raw : xcalloc(1, sizeof(char *));
	else
		strv_free(raw);
	return 0;
}

/* systemd.time(7)'s units, longest first where one is a prefix. */
static const struct {
	const char *name;
	usec_t usec;
} span_units[] = {
	{ "seconds", USEC_PER_SEC }, { "second", USEC_PER_SEC },
	{ "sec", USEC_PER_SEC }, { "s", USEC_PER_SEC },
	{ "minutes", USEC_PER_MINUTE }, { "minute", USEC_PER_MINUTE },
	{ "min", USEC_PER_MINUTE }, { "months", 2629800 * USEC_PER_SEC },
	{ "month", 2629800 * USEC_PER_SEC }, { "M", 2629800 * USEC_PER_SEC },
	{ "msec", USEC_PER_MSEC }, { "ms", USEC_PER_MSEC },
	{ "m", USEC_PER_MINUTE }, { "hours", USEC_PER_HOUR },
	{ "hour", USEC_PER_HOUR }, { "hr", USEC_PER_HOUR },
	{ "h", USEC_PER_HOUR }, { "days", USEC_PER_DAY },
	{ "day", USEC_PER_DAY }, { "d", USEC_PER_DAY },
	{ "weeks", 7 * USEC_PER_DAY }, { "week", 7 * USEC_PER_DAY },
	{ "w", 7 * USEC_PER_DAY }, { "years", 31557600 * USEC_PER_SEC },
	{ "year", 31557600 * USEC_PER_SEC }, { "y", 31557600 * USEC_PER_SEC },
	{ "usec", 1 }, { "us", 1 }, { "\xc2\xb5s", 1 }, { "\xce\xbcs", 1 },
};

static int
span_unit(const char **p, usec_t *ret)
{
	size_t n = 0, i;

	while ((*p)[n] && !strchr(" \t0123456789.", (*p)[n]))
		n++;
	if (n == 0) {
		*ret = USEC_PER_SEC;
		return 0;
	}
	for (i = 0; i < ELEMENTSOF(span_units); i++)
		if (strlen(span_units[i].name) == n &&
		    !strncmp(*p, span_units[i].name, n)) {
			*ret = span_units[i].usec;
			*p += n;
			return 0;
		}
	return -EINVAL;
}

int
sd_timespan(const char *value, usec_t *ret)
{
	const char *p = value;
	long double total = 0;
	usec_t unit;
	bool any = false;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!strcmp(p, "infinity")) {
		*ret = USEC_INFINITY;
		return 0;
	}
	while (*p) {
		char *end;
		long double x;

		if (!ascii_isdigit(*p) && *p != '.')
			return -EINVAL;
		x = strtold(p, &end);
		if (end == p || x < 0)
			return -EINVAL;
		p = end;
		while (*p == ' ' || *p == '\t')
			p++;
		if (span_unit(&p, &unit) < 0)
			return -EINVAL;
		total += x * unit;
		any = true;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	if (!any || total >= (long double)UINT64_MAX / 2)
		return -EINVAL;
	*ret = (usec_t)(total + 0.5L);
	return 0;
}

int
sd_bool(const char *v)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "t",
	    "on" };
	static const char *const no[] = { "0", "no", "n", "false", "f",
	    "off" };
	size_t i;

	for (i = 0; i < ELEMENTSOF(yes); i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -EINVAL;
}

char *
sd_span_text(usec_t span)
{
	char buf[TIMESPAN_MAX];

	if (span == USEC_INFINITY)
		return xstrdup("infinity");
	if (span == 0)
		return xstrdup("0");
	return xstrdup(timespan_format(buf, sizeof(buf), span));
}

int
sd_size(const char *value, unsigned long long *ret)
{
	static const char suffixes[] = "BKMGTPE";
	unsigned long long x, mult = 1;
	const char *s;
	char *end;

	if (!ascii_isdigit(*value))
		return -EINVAL;
	errno = 0;
	x = strtoull(value, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end) {
		if (end[1] || !(s = strchr(suffixes, *end)))
			return -EINVAL;
		for (; s > suffixes; s--)
			mult *= 1024;
	}
	if (x > ULLONG_MAX / mult)
		return -EINVAL;
	*ret = x * mult;
	return 0;
}
