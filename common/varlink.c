/* Varlink wire format: NUL-framed JSON objects.  The framer only splits and
 * bounds; checking a call's shape lives here too so that jobd and the
 * fuzzers share one definition of what a well-formed message is. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "varlink.h"
#include "xmalloc.h"

void
varlink_framer_init(struct varlink_framer *f, size_t max)
{
	*f = (struct varlink_framer){ .max = max };
}

void
varlink_framer_done(struct varlink_framer *f)
{
	free(f->buf);
	*f = (struct varlink_framer){ 0 };
}

int
varlink_framer_feed(struct varlink_framer *f, const char *data, size_t n)
{
	/* One frame may hold max bytes of JSON plus its NUL; more than that
	 * buffered without a NUL means an oversized message. */
	if (f->len + n > f->max + 1 &&
	    (f->len == f->scanned ||
	    !memchr(f->buf + f->scanned, '\0', f->len - f->scanned)) &&
	    !memchr(data, '\0', n))
		return -EMSGSIZE;
	if (f->len + n > f->cap) {
		f->cap = MAX(f->len + n, f->cap * 2);
		f->buf = xrealloc(f->buf, f->cap);
	}
	memcpy(f->buf + f->len, data, n);
	f->len += n;
	return 0;
}

/* One escape of a JSON string at s (after its backslash) that stands for
 * an ASCII character other than NUL; -1 for any other (jansson's). */
static int
varlink_fast_escape(const char *s, const char *end, size_t *ret_len)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p;
	int hi, lo;

	if (s < end && *s && (p = strchr(from, *s))) {
		*ret_len = 1;
		return to[p - from];
	}
	if (end - s < 5 || s[0] != 'u' || s[1] != '0' || s[2] != '0' ||
	    (hi = ascii_hexval(s[3])) < 0 || hi > 7 ||
	    (lo = ascii_hexval(s[4])) < 0 || hi + lo == 0)
		return -1;
	*ret_len = 5;
	return hi << 4 | lo;
}

/* Bytes of a JSON string between escapes: no quote, no control
 * character (else it is not JSON, and jansson says why). */
static bool
varlink_plain(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '"')
			return false;
	return true;
}

/*
 * A reply whose only parameter is one long string, as jobd writes the
 * Metrics text: {"parameters":{"text":"..."}}.  jansson decodes a string
 * a byte at a time (about 15 ns a byte: 45 ms of jobctl metrics with
 * 10,000 jobs); this decodes one with memchr and memcpy.  Any other frame,
 * and any escape but the short ones and \u00XX (ASCII), is left to
 * jansson (NULL), so that both read every frame alike.
 */
static json_t *
varlink_fast_text(const char *buf, size_t n)
{
	static const char head[] = "{\"parameters\":{\"text\":\"";
	static const char tail[] = "\"}}";
	const size_t nh = sizeof(head) - 1, nt = sizeof(tail) - 1;
	_cleanup_free_ char *out = NULL;
	const char *s, *end, *run;
	size_t len = 0, k, skip;
	json_t *text;
	int c;

	if (n < nh + nt || memcmp(buf, head, nh) ||
	    memcmp(buf + n - nt, tail, nt))
		return NULL;
	s = buf + nh;
	end = buf + n - nt;
	out = xmalloc(end - s + 1);
	while (s < end) {
		run = memchr(s, '\\', end - s);
		k = (run ? run : end) - s;
		if (!varlink_plain(s, k))
			return NULL;
		memcpy(out + len, s, k);
		len += k;
		s += k;
		if (s < end) {
			if ((c = varlink_fast_escape(s + 1, end, &skip)) < 0)
				return NULL;
			out[len++] = (char)c;
			s += 1 + skip;
		}
	}
	if (!(text = json_stringn(out, len)))
		return NULL;		/* not UTF-8 */
	return json_pack("{s:{s:o}}", "parameters", "text", text);
}

int
varlink_framer_next(struct varlink_framer *f, json_t **ret, char **cause)
{
	json_error_t err;
	json_t *msg;
	char *nul;
	size_t n;

	*ret = NULL;
	/* A reply of megabytes comes in many reads: look for its end only
	 * in the bytes that came since the last look. */
	nul = f->len > f->scanned ? memchr(f->buf + f->scanned, '\0',
	    f->len - f->scanned) : NULL;
	if (!nul) {
		f->scanned = f->len;
		return f->len > f->max ? -EMSGSIZE : 0;
	}
	f->scanned = 0;
	n = nul - f->buf;
	if (n > f->max)
		return -EMSGSIZE;
	msg = varlink_fast_text(f->buf, n);
	if (!msg)
		msg = json_loadb(f->buf, n, JSON_REJECT_DUPLICATES, &err);
	memmove(f->buf, nul + 1, f->len - n - 1);
	f->len -= n + 1;
	if (!msg) {
		xasprintf(cause, "invalid JSON at position %d: %s",
		    err.position, err.text);
		return -EBADMSG;
	}
	if (!json_is_object(msg)) {
		json_decref(msg);
		*cause = xstrdup("message is not a JSON object");
		return -EBADMSG;
	}
	*ret = msg;
	return 1;
}

static int
varlink_flag(json_t *msg, const char *key, bool *ret, char **cause)
{
	json_t *v = json_object_get(msg, key);

	*ret = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v)) {
		xasprintf(cause, "'%s' is not a boolean", key);
		return -EBADMSG;
	}
	*ret = json_is_true(v);
	return 0;
}

/* A message's parameters: an object, or a shared empty one when absent or
 * null (callers only read parameters). */
static int
varlink_parameters(json_t *msg, const char *what, json_t **ret,
    char **cause)
{
	static json_t *empty;
	json_t *v = json_object_get(msg, "parameters");

	if (v && !json_is_null(v) && !json_is_object(v)) {
		xasprintf(cause, "%s is not an object", what);
		return -EBADMSG;
	}
	if (!v || json_is_null(v)) {
		if (!empty)
			empty = json_object();
		v = empty;
	}
	*ret = v;
	return 0;
}

int
varlink_call_parse(json_t *msg, struct varlink_call *ret, char **cause)
{
	const char *key, *dot;
	bool upgrade;
	json_t *v;
	int r;

	*ret = (struct varlink_call){ 0 };
	json_object_foreach(msg, key, v) {
		if (strcmp(key, "method") && strcmp(key, "parameters") &&
		    strcmp(key, "more") && strcmp(key, "oneway") &&
		    strcmp(key, "upgrade") && !strchr(key, '.')) {
			xasprintf(cause, "unknown key '%s' in call", key);
			return -EBADMSG;
		}
	}
	v = json_object_get(msg, "method");
	if (!json_is_string(v)) {
		*cause = xstrdup("call has no method string");
		return -EBADMSG;
	}
	ret->method = json_string_value(v);
	dot = strrchr(ret->method, '.');
	if (!dot || dot == ret->method || !dot[1]) {
		xasprintf(cause, "method '%s' is not qualified", ret->method);
		return -EBADMSG;
	}
	if ((r = varlink_flag(msg, "more", &ret->more, cause)) < 0 ||
	    (r = varlink_flag(msg, "oneway", &ret->oneway, cause)) < 0 ||
	    (r = varlink_flag(msg, "upgrade", &upgrade, cause)) < 0)
		return r;
	if (ret->more + ret->oneway + upgrade > 1) {
		*cause = xstrdup("more, oneway and upgrade are exclusive");
		return -EBADMSG;
	}
	return varlink_parameters(msg, "parameters", &ret->parameters, cause);
}

json_t *
varlink_call_new(const char *method, json_t *params, bool more)
{
	json_t *m = json_pack("{s:s, s:o}", "method", method, "parameters",
	    params ? params : json_object());

	if (more)
		json_object_set_new(m, "more", json_true());
	return m;
}

json_t *
varlink_reply_new(json_t *params, bool continues)
{
	json_t *m = json_pack("{s:o}", "parameters",
	    params ? params : json_object());

	if (continues)
		json_object_set_new(m, "continues", json_true());
	return m;
}

json_t *
varlink_error_new(const char *error, json_t *params)
{
	return json_pack("{s:s, s:o}", "error", error, "parameters",
	    params ? params : json_object());
}

char *
varlink_encode(const json_t *msg, size_t *ret_len)
{
	size_t n = json_dumpb(msg, NULL, 0, JSON_COMPACT);
	char *buf = xmalloc(n + 1);

	json_dumpb(msg, buf, n, JSON_COMPACT);
	buf[n] = '\0';
	*ret_len = n + 1;
	return buf;
}

int
varlink_reply_parse(json_t *msg, struct varlink_reply *ret, char **cause)
{
	json_t *v;
	int r;

	*ret = (struct varlink_reply){ 0 };
	v = json_object_get(msg, "error");
	if (v && !json_is_string(v)) {
		*cause = xstrdup("reply error is not a string");
		return -EBADMSG;
	}
	ret->error = v ? json_string_value(v) : NULL;
	if ((r = varlink_flag(msg, "continues", &ret->continues, cause)) < 0)
		return r;
	return varlink_parameters(msg, "reply parameters", &ret->parameters,
	    cause);
}
