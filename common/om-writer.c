/* The metrics text writer: families and samples appended to a buffer in
 * OpenMetrics 1.0 or the Prometheus text format 0.0.4.  Numbers are
 * written by hand rather than with printf: Metrics of 10,000 jobs is some
 * 100,000 samples, and the loop waits while they are written. */
#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json-writer.h"
#include "macro.h"
#include "om-writer.h"
#include "xmalloc.h"

const char *const om_dialect_name[OM_NDIALECTS] = {
	[OM_OPENMETRICS] = "openmetrics",
	[OM_PROMETHEUS] = "prometheus",
};

static const char *const om_type_name[OM_NDIALECTS][OM_NTYPES] = {
	[OM_OPENMETRICS] = {
		[OM_GAUGE] = "gauge", [OM_COUNTER] = "counter",
		[OM_SUMMARY] = "summary", [OM_INFO] = "info",
	},
	[OM_PROMETHEUS] = {
		[OM_GAUGE] = "gauge", [OM_COUNTER] = "counter",
		[OM_SUMMARY] = "summary", [OM_INFO] = "gauge",
	},
};

int
om_dialect_from_string(const char *name)
{
	int i;

	for (i = 0; i < OM_NDIALECTS; i++)
		if (!strcmp(name, om_dialect_name[i]))
			return i;
	return -1;
}

void
om_init(struct om_writer *w, enum om_dialect dialect)
{
	*w = (struct om_writer){ .dialect = dialect };
}

void
om_done(struct om_writer *w)
{
	free(w->buf);
	om_init(w, w->dialect);
}

static void
om_reserve(struct om_writer *w, size_t n)
{
	if (w->len + n + 1 <= w->cap)
		return;
	w->cap = MAX(w->cap * 2, w->len + n + 1);
	w->cap = MAX(w->cap, (size_t)4096);
	w->buf = xrealloc(w->buf, w->cap);
}

static void
om_put(struct om_writer *w, const char *s, size_t n)
{
	om_reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void
om_puts(struct om_writer *w, const char *s)
{
	om_put(w, s, strlen(s));
}

char *
om_steal(struct om_writer *w, size_t *ret_len)
{
	char *s;

	om_reserve(w, 0);
	w->buf[w->len] = '\0';
	s = w->buf;
	if (ret_len)
		*ret_len = w->len;
	om_init(w, w->dialect);
	return s;
}

/* The family's name as its metadata lines carry it in the dialect: 0.0.4
 * names a counter's family after its _total sample, an info's after its
 * _info sample. */
static void
om_put_family_name(struct om_writer *w)
{
	om_puts(w, w->family);
	if (w->dialect == OM_PROMETHEUS && w->type == OM_COUNTER)
		om_puts(w, "_total");
	else if (w->dialect == OM_PROMETHEUS && w->type == OM_INFO)
		om_puts(w, "_info");
}

static void
om_meta(struct om_writer *w, const char *what, const char *text)
{
	om_puts(w, what);
	om_put_family_name(w);
	om_put(w, " ", 1);
	om_puts(w, text);
	om_put(w, "\n", 1);
}

void
om_family(struct om_writer *w, const char *name, enum om_type type,
    const char *unit, const char *help)
{
	assert(type < OM_NTYPES);
	assert(!strpbrk(help, "\\\"\n"));
	w->family = name;
	w->type = type;
	om_meta(w, "# HELP ", help);
	om_meta(w, "# TYPE ", om_type_name[w->dialect][type]);
	if (unit && w->dialect == OM_OPENMETRICS)
		om_meta(w, "# UNIT ", unit);
}

/* A label value between its quotes: backslash, double quote and newline
 * escaped, invalid UTF-8 replaced, so that any name stays one line. */
static void
om_put_label_value(struct om_writer *w, const char *value)
{
	const unsigned char *s = (const unsigned char *)value, *run = s;
	size_t n;

	while (*s) {
		if (*s >= 0x20 && *s < 0x80 && *s != '"' && *s != '\\') {
			s++;
			continue;
		}
		om_put(w, (const char *)run, (size_t)(s - run));
		if (*s == '"' || *s == '\\' || *s == '\n') {
			om_put(w, "\\", 1);
			om_put(w, *s == '\n' ? "n" : (const char *)s, 1);
			n = 1;
		} else if (*s < 0x80 || (n = jw_utf8_seq(s)) == 0) {
			/* Other control bytes are legal as they are, but a
			 * reader's line handling need not be: U+FFFD. */
			om_put(w, "\xef\xbf\xbd", 3);
			n = 1;
		} else
			om_put(w, (const char *)s, n);
		s += n;
		run = s;
	}
	om_put(w, (const char *)run, (size_t)(s - run));
}

static void
om_put_label_list(struct om_writer *w, const struct om_label *labels,
    size_t n, bool first)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0 || !first)
			om_put(w, ",", 1);
		om_puts(w, labels[i].name);
		om_put(w, "=\"", 2);
		om_put_label_value(w, labels[i].value);
		om_put(w, "\"", 1);
	}
}

static void
om_put_labels(struct om_writer *w, const struct om_label *labels, size_t n)
{
	if (n + w->ncommon == 0)
		return;
	om_put(w, "{", 1);
	om_put_label_list(w, w->common, w->ncommon, true);
	om_put_label_list(w, labels, n, w->ncommon == 0);
	om_put(w, "}", 1);
}

void
om_common_labels(struct om_writer *w, const struct om_label *labels,
    size_t n)
{
	w->common = labels;
	w->ncommon = n;
}

/* Decimal digits of v, at least min of them (zeros in front). */
static void
om_put_u64(struct om_writer *w, uint64_t v, int min)
{
	char digits[24], *end = digits + sizeof(digits), *p = end;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 || end - p < min);
	om_put(w, p, (size_t)(end - p));
}

/* Returns false (writing nothing) for a sample 0.0.4 has no place for. */
static bool
om_sample_start(struct om_writer *w, const char *suffix,
    const struct om_label *labels, size_t n)
{
	if (w->dialect == OM_PROMETHEUS && !strcmp(suffix, "_created"))
		return false;
	om_puts(w, w->family);
	om_puts(w, suffix);
	om_put_labels(w, labels, n);
	om_put(w, " ", 1);
	return true;
}

void
om_sample_u64(struct om_writer *w, const char *suffix,
    const struct om_label *labels, size_t n, uint64_t value)
{
	if (!om_sample_start(w, suffix, labels, n))
		return;
	om_put_u64(w, value, 1);
	om_put(w, "\n", 1);
}

void
om_sample_usec(struct om_writer *w, const char *suffix,
    const struct om_label *labels, size_t n, usec_t value)
{
	if (!om_sample_start(w, suffix, labels, n))
		return;
	om_put_u64(w, value / USEC_PER_SEC, 1);
	om_put(w, ".", 1);
	om_put_u64(w, value % USEC_PER_SEC, 6);
	om_put(w, "\n", 1);
}

void
om_end(struct om_writer *w)
{
	if (w->dialect == OM_OPENMETRICS)
		om_puts(w, "# EOF\n");
	else
		om_reserve(w, 0);
}
