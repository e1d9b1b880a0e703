/* The errors of one load: each with its file and line as found, handed on
 * sorted by file, then line, then the order they were found, so that the
 * user sees every error at once and in reading order. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "config-load.h"
#include "xmalloc.h"

void
parser_error(struct parser *p, unsigned line, const char *fmt, ...)
{
	struct config_error *e;
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	p->errors = grow(p->errors, p->nerrors, &p->errors_cap,
	    sizeof(*p->errors));
	e = &p->errors[p->nerrors];
	*e = (struct config_error){ .file = p->fileno, .line = line,
	    .seq = p->nerrors };
	if (line > 0)
		e->msg = xstrfmt("%s:%u: %s", p->file, line, msg);
	else
		e->msg = xstrfmt("%s: %s", p->file, msg);
	p->nerrors++;
}

static int
error_compare(const void *a, const void *b)
{
	const struct config_error *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Hands the errors on as a vector in file and line order. */
char **
parser_take_errors(struct parser *p)
{
	char **l;
	size_t i;

	qsort(p->errors, p->nerrors, sizeof(*p->errors), error_compare);
	l = xcalloc(p->nerrors + 1, sizeof(*l));
	for (i = 0; i < p->nerrors; i++)
		l[i] = p->errors[i].msg;
	free(p->errors);
	p->errors = NULL;
	p->nerrors = p->errors_cap = 0;
	return l;
}
