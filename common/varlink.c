/* Varlink wire format: NUL-framed JSON objects.  The framer only splits and
 * bounds; checking a call's shape lives here too so that jobd and the
 * fuzzers share one definition of what a well-formed message is. */
#include <errno.h>
#include <string.h>

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
	    (f->len == 0 || !memchr(f->buf, '\0', f->len)) &&
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

int
varlink_framer_next(struct varlink_framer *f, json_t **ret, char **cause)
{
	json_error_t err;
	json_t *msg;
	char *nul;
	size_t n;

	*ret = NULL;
	nul = f->len ? memchr(f->buf, '\0', f->len) : NULL;
	if (!nul)
		return f->len > f->max ? -EMSGSIZE : 0;
	n = nul - f->buf;
	if (n > f->max)
		return -EMSGSIZE;
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
