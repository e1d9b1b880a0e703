/* Output lines as JSON.  Lines are bytes: valid UTF-8 goes out as text,
 * anything else as base64 of the exact bytes.  What a job prints is its
 * user's to choose, so a reply's lines are counted before they are built
 * and no reply grows past LOGS_REPLY_MAX. */
#include <stdlib.h>
#include <string.h>

#include "logs-json.h"
#include "macro.h"
#include "xmalloc.h"

static char *
base64_encode(const unsigned char *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = xmalloc(4 * ((n + 2) / 3) + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*o++ = tab[p[i] >> 2];
		*o++ = tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		*o++ = tab[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		*o++ = tab[p[i + 2] & 63];
	}
	if (i < n) {
		*o++ = tab[p[i] >> 2];
		if (i + 1 < n) {
			*o++ = tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
			*o++ = tab[(p[i + 1] & 15) << 2];
		} else {
			*o++ = tab[(p[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

json_t *
logs_line_json(const struct tail_line *l)
{
	json_t *o = json_object();
	json_t *text;
	char *b64;

	json_object_set_new(o, "stream",
	    json_string(l->stream == TAIL_STDOUT ? "stdout" : "stderr"));
	json_object_set_new(o, "usec", json_integer((json_int_t)l->usec));
	/* json_stringn refuses invalid UTF-8, which is the test we want. */
	text = json_stringn(l->data, l->len);
	if (text) {
		json_object_set_new(o, "text", text);
	} else {
		b64 = base64_encode((const unsigned char *)l->data, l->len);
		json_object_set_new(o, "base64", json_string(b64));
		free(b64);
	}
	return o;
}

json_t *
logs_tagged_line_json(const struct tail_line *l, const char *job,
    uint64_t run)
{
	json_t *o = logs_line_json(l);

	json_object_set_new(o, "job", json_string(job));
	json_object_set_new(o, "run", json_integer((json_int_t)run));
	return o;
}

/* The fields around the text, and its text with JSON's escapes (six
 * bytes for a control byte) or as base64; a unit's name is a plain word
 * (config_job_name_check). */
size_t
logs_line_size(const struct tail_line *l, const char *job)
{
	const unsigned char *p = (const unsigned char *)l->data;
	size_t n = 0, i;

	for (i = 0; i < l->len; i++)
		n += p[i] < 0x20 ? 6 : p[i] == '"' || p[i] == '\\' ? 2 : 1;
	return 64 + MAX(n, 4 * ((l->len + 2) / 3)) +
	    (job ? 40 + strlen(job) : 0);
}

json_t *
logs_lines_json(const struct tail *t, size_t n, const char *job,
    uint64_t run, size_t *ret_omitted)
{
	const struct tail_line *first = tail_last(t, n), *l;
	json_t *lines = json_array();
	size_t size = 0;

	for (l = first; l; l = TAILQ_NEXT(l, entry))
		size += logs_line_size(l, job);
	/* The oldest go first: a reply holds the end of the output. */
	*ret_omitted = 0;
	for (; first && size > LOGS_REPLY_MAX; first = TAILQ_NEXT(first,
	    entry)) {
		size -= logs_line_size(first, job);
		(*ret_omitted)++;
	}
	for (l = first; l; l = TAILQ_NEXT(l, entry))
		json_array_append_new(lines, job ?
		    logs_tagged_line_json(l, job, run) : logs_line_json(l));
	return lines;
}
