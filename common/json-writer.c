/* The JSON writer: appends tokens to a buffer, puts the commas where they
 * belong, escapes strings and repairs invalid UTF-8 in them.  It does not
 * check nesting; the callers write fixed shapes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-writer.h"
#include "xmalloc.h"

void
jw_init(struct json_writer *w)
{
	*w = (struct json_writer){ .first = true };
}

void
jw_done(struct json_writer *w)
{
	free(w->buf);
	jw_init(w);
}

static void
jw_reserve(struct json_writer *w, size_t n)
{
	if (w->len + n + 1 <= w->cap)
		return;
	w->cap = MAX(w->cap * 2, w->len + n + 1);
	w->cap = MAX(w->cap, (size_t)256);
	w->buf = xrealloc(w->buf, w->cap);
}

static void
jw_put(struct json_writer *w, const char *s, size_t n)
{
	jw_reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void
jw_putc(struct json_writer *w, char c)
{
	jw_reserve(w, 1);
	w->buf[w->len++] = c;
	w->buf[w->len] = '\0';
}

/* Before any value or key: the comma that separates it from the one
 * before, unless it is the first in its container (or follows a key). */
static void
jw_sep(struct json_writer *w)
{
	if (!w->first)
		jw_putc(w, ',');
	w->first = false;
}

char *
jw_steal(struct json_writer *w, size_t *ret_len)
{
	char *s;

	if (!w->buf)
		jw_reserve(w, 0);
	w->buf[w->len] = '\0';
	s = w->buf;
	if (ret_len)
		*ret_len = w->len;
	jw_init(w);
	return s;
}

void
jw_open(struct json_writer *w, char brace)
{
	jw_sep(w);
	jw_putc(w, brace);
	w->first = true;
}

void
jw_close(struct json_writer *w, char brace)
{
	jw_putc(w, brace);
	w->first = false;
}

size_t
jw_utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n, i;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static void
jw_quoted(struct json_writer *w, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *run = s;
	char esc[8];
	size_t n;

	jw_putc(w, '"');
	while (*s) {
		if (*s >= 0x20 && *s != '"' && *s != '\\' && *s < 0x80) {
			s++;
			continue;
		}
		jw_put(w, (const char *)run, (size_t)(s - run));
		if (*s == '"' || *s == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*s;
			jw_put(w, esc, 2);
			s++;
		} else if (*s < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", *s);
			jw_put(w, esc, 6);
			s++;
		} else if ((n = jw_utf8_len(s)) > 0) {
			jw_put(w, (const char *)s, n);
			s += n;
		} else {
			jw_put(w, "\xef\xbf\xbd", 3);
			s++;
		}
		run = s;
	}
	jw_put(w, (const char *)run, (size_t)(s - run));
	jw_putc(w, '"');
}

void
jw_key(struct json_writer *w, const char *key)
{
	jw_sep(w);
	jw_quoted(w, key);
	jw_putc(w, ':');
	w->first = true;
}

void
jw_raw(struct json_writer *w, const char *text, size_t len)
{
	jw_sep(w);
	jw_put(w, text, len);
}

void
jw_copy(struct json_writer *dst, const struct json_writer *src)
{
	jw_init(dst);
	jw_put(dst, src->buf ? src->buf : "", src->len);
	dst->first = src->first;
}

void
jw_string(struct json_writer *w, const char *s)
{
	jw_sep(w);
	jw_quoted(w, s);
}

void
jw_int(struct json_writer *w, long long v)
{
	char num[24];
	int n;

	jw_sep(w);
	n = snprintf(num, sizeof(num), "%lld", v);
	jw_put(w, num, (size_t)n);
}

void
jw_bool(struct json_writer *w, bool v)
{
	jw_sep(w);
	jw_put(w, v ? "true" : "false", v ? 4 : 5);
}

void
jw_json(struct json_writer *w, const json_t *v)
{
	size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);

	jw_sep(w);
	jw_reserve(w, n);
	json_dumpb(v, w->buf + w->len, n, JSON_COMPACT | JSON_ENCODE_ANY);
	w->len += n;
	w->buf[w->len] = '\0';
}

void
jw_kstr(struct json_writer *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_string(w, s);
}

void
jw_kint(struct json_writer *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_int(w, v);
}

json_t *
jw_to_json(struct json_writer *w)
{
	json_t *v = json_loadb(w->buf ? w->buf : "null", w->buf ? w->len : 4,
	    JSON_DECODE_ANY, NULL);

	jw_done(w);
	return v;
}
