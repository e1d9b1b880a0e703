/* The conf.d file an importer builds: a header, the source lines it did
 * not map (with the reason), then the sections in the order begun, each
 * key preceded by the source lines it came from as comments.  Values that
 * would pass jobd's 4096-byte line limit go on over indented lines, split
 * where jobd's joining (one space) gives them back exactly. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import.h"
#include "strv.h"
#include "xmalloc.h"

/* Room left on a line for a value or a comment: jobd reads 4096 bytes. */
#define LINE_MAX_OUT 4000

struct import_out {
	char **header;
	char **unmapped;
	unsigned nunmapped;
	char **lines;		/* the sections, one line per entry */
	char **origins;		/* comments waiting for the next line */
	bool too_long;		/* a value could not be split */
};

struct import_out *
import_out_new(void)
{
	return xcalloc(1, sizeof(struct import_out));
}

void
import_out_free(struct import_out *o)
{
	if (!o)
		return;
	strv_free(o->header);
	strv_free(o->unmapped);
	strv_free(o->lines);
	strv_free(o->origins);
	free(o);
}

static char *
vfmt(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

/* Source text in a comment: one line, cut to what jobd reads. */
static char *
comment_text(const char *text)
{
	size_t n = strcspn(text, "\n");

	if (n > LINE_MAX_OUT - 200)
		return xstrfmt("%.*s [...]", LINE_MAX_OUT - 200, text);
	return xstrfmt("%.*s", (int)n, text);
}

void
import_header(struct import_out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	o->header = strv_push(o->header, s);
}

void
import_unmapped(struct import_out *o, const char *file, unsigned line,
    const char *text, const char *reason_fmt, ...)
{
	char *t = comment_text(text), *reason;
	va_list ap;

	va_start(ap, reason_fmt);
	reason = vfmt(reason_fmt, ap);
	va_end(ap);
	o->unmapped = strv_push(o->unmapped, xstrfmt("#   %s:%u: %s", file,
	    line, t));
	o->unmapped = strv_push(o->unmapped, xstrfmt("#     -> %s", reason));
	o->nunmapped++;
	free(reason);
	free(t);
}

void
import_origin(struct import_out *o, const char *file, unsigned line,
    const char *text)
{
	char *t = comment_text(text);

	o->origins = strv_push(o->origins, xstrfmt("# %s:%u: %s", file, line,
	    t));
	free(t);
}

/* Adds a line of the sections, after the origins waiting for it. */
static void
add_line(struct import_out *o, char *line)
{
	size_t i;

	for (i = 0; o->origins && o->origins[i]; i++)
		o->lines = strv_push(o->lines, TAKE_PTR(o->origins[i]));
	o->origins = strv_free(o->origins);
	o->lines = strv_push(o->lines, line);
}

void
import_section(struct import_out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	if (o->lines)
		o->lines = strv_append(o->lines, "");
	add_line(o, xstrfmt("[%s]", s));
	free(s);
}

/* Where to cut v (at most max bytes) so that "head\n  tail" reads back
 * as v: at a single space between two other characters. */
static size_t
split_point(const char *v, size_t max)
{
	size_t i;

	for (i = max; i > 1; i--)
		if (v[i] == ' ' && v[i - 1] != ' ' && v[i + 1] != ' ' &&
		    v[i + 1] != '\0')
			return i;
	return 0;
}

void
import_key(struct import_out *o, const char *key, const char *fmt, ...)
{
	const char *v;
	size_t cut;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	if (strchr(s, '\n'))
		abort();
	v = s;
	cut = strlen(v) > LINE_MAX_OUT ? split_point(v, LINE_MAX_OUT) : 0;
	add_line(o, cut ? xstrfmt("%s=%.*s", key, (int)cut, v) :
	    xstrfmt("%s=%s", key, v));
	while (cut) {
		v += cut + 1;
		cut = strlen(v) > LINE_MAX_OUT ? split_point(v, LINE_MAX_OUT) :
		    0;
		add_line(o, cut ? xstrfmt("    %.*s", (int)cut, v) :
		    xstrfmt("    %s", v));
	}
	if (strlen(v) > LINE_MAX_OUT)
		o->too_long = true;
	free(s);
}

void
import_note(struct import_out *o, const char *fmt, ...)
{
	va_list ap;
	char *s, *t;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	t = comment_text(s);
	add_line(o, xstrfmt("# %s", t));
	free(t);
	free(s);
}

int
import_out_print(struct import_out *o, FILE *f)
{
	size_t i;

	for (i = 0; o->header && o->header[i]; i++)
		fprintf(f, "# %s\n", o->header[i]);
	if (o->nunmapped)
		fprintf(f, "#\n# Not mapped (%u line%s):\n", o->nunmapped,
		    o->nunmapped == 1 ? "" : "s");
	for (i = 0; o->unmapped && o->unmapped[i]; i++)
		fprintf(f, "%s\n", o->unmapped[i]);
	if (!o->nunmapped && o->header)
		fprintf(f, "#\n# Every line was mapped.\n");
	for (i = 0; o->lines && o->lines[i]; i++)
		fprintf(f, "%s%s\n", i == 0 ? "\n" : "", o->lines[i]);
	for (i = 0; o->origins && o->origins[i]; i++)
		fprintf(f, "%s\n", o->origins[i]);
	return fflush(f) == EOF || ferror(f) ? -1 : 0;
}

int
import_out_write(struct import_out *o, const char *path)
{
	_cleanup_free_ char *tmp = NULL;
	FILE *f;
	int r;

	if (o->too_long) {
		fprintf(stderr, "jobctl: import: a value is longer than jobd "
		    "reads on one line (4096 bytes) and has no single space "
		    "to continue it at\n");
		return -1;
	}
	if (!path || !strcmp(path, "-"))
		return import_out_print(o, stdout) < 0 && errno != EPIPE ?
		    (fprintf(stderr, "jobctl: import: writing: %m\n"), -1) : 0;
	/* Whole or not at all: a half-written conf.d file is read. */
	tmp = xstrfmt("%s.tmp%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "wx"))) {
		fprintf(stderr, "jobctl: import: %s: %m\n", tmp);
		return -1;
	}
	r = import_out_print(o, f);
	if (fsync(fileno(f)) < 0)
		r = -1;
	if (fclose(f) == EOF)
		r = -1;
	if (r == 0 && rename(tmp, path) < 0)
		r = -1;
	if (r < 0) {
		fprintf(stderr, "jobctl: import: %s: %m\n", path);
		unlink(tmp);
	}
	return r;
}
