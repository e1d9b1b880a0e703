/* What every kind of output shares (print-internal.h): fields read
 * leniently (a missing one prints "-"; jobctl.c has already checked that
 * the arrays it hands over are arrays), aligned tables, times and spans,
 * and the reply itself as JSON.  The outputs are print-units.c,
 * print-runs.c and print-sched.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "print-internal.h"
#include "terminal.h"
#include "timeutil.h"
#include "xmalloc.h"

const char *
pr_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

/* An optional int: false when absent or null. */
bool
pr_num(json_t *o, const char *key, json_int_t *ret)
{
	json_t *v = json_object_get(o, key);

	*ret = json_integer_value(v);
	return json_is_integer(v);
}

void
pr_table_add(struct table *t, char *cell)
{
	t->cells = xreallocarray(t->cells, t->ncells + 1, sizeof(char *));
	t->cells[t->ncells++] = cell;
}

void
pr_table_print(struct table *t)
{
	_cleanup_free_ size_t *w = xcalloc(t->ncols, sizeof(size_t));
	size_t i, c, end;

	for (i = 0; i < t->ncells; i++)
		w[i % t->ncols] = MAX(w[i % t->ncols], strlen(t->cells[i]));
	for (i = 0; i < t->ncells; i += t->ncols) {
		/* No padding after the last non-empty cell of a row. */
		for (end = t->ncols - 1; end > 0 && !*t->cells[i + end]; end--)
			;
		for (c = 0; c <= end; c++)
			printf("%-*s%s", c < end ? (int)w[c] : 0,
			    t->cells[i + c], c < end ? "  " : "\n");
		for (c = 0; c < t->ncols; c++)
			free(t->cells[i + c]);
	}
	free(t->cells);
}

/* To the second, "2026-11-23 10:00:03": local time, or UTC. */
const char *
pr_format_tm(char *buf, size_t len, json_int_t usec, bool utc)
{
	time_t t = usec / 1000000;
	struct tm tm;

	if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "@%" JSON_INTEGER_FORMAT, usec);
	return buf;
}

const char *
pr_format_time(char *buf, size_t len, json_int_t usec)
{
	return pr_format_tm(buf, len, usec, false);
}

/* A runtime as "1min 3s": seconds are precise enough above one. */
const char *
pr_format_span(char *buf, size_t len, json_int_t usec)
{
	usec_t u = usec > 0 ? (usec_t)usec : 0;

	if (u >= USEC_PER_SEC)
		u = (u + USEC_PER_SEC / 2) / USEC_PER_SEC * USEC_PER_SEC;
	else
		u = (u + USEC_PER_MSEC / 2) / USEC_PER_MSEC * USEC_PER_MSEC;
	if (u == 0) {
		snprintf(buf, len, "0s");
		return buf;
	}
	return timespan_format(buf, len, u);
}

void
print_json(json_t *v)
{
	_cleanup_free_ char *text = NULL;
	const unsigned char *p;

	if (!terminal_stdout()) {
		json_dumpf(v, stdout, JSON_COMPACT);
		putchar('\n');
		return;
	}
	/* jansson escapes the C0 controls but not DEL or the C1 controls
	 * (U+0080 to U+009F); written as \u escapes the text is the same
	 * JSON and nothing is left for the terminal filter to change. */
	if (!(text = json_dumps(v, JSON_COMPACT)))
		return;
	for (p = (const unsigned char *)text; *p; p++) {
		if (*p == 0x7f)
			fputs("\\u007f", stdout);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			printf("\\u%04x", *++p);
		else
			putchar(*p);
	}
	putchar('\n');
}

