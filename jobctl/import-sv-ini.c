/* supervisord's ini dialect, read as Python's RawConfigParser reads it
 * with the settings supervisord gives it: ';' and '#' start a comment at
 * the start of a line or after whitespace, a line indented deeper than
 * its key continues the value (joined with '\n'), keys are case-folded,
 * '=' or ':' separates, a section or key given again replaces the first
 * (strict=False).  A line supervisord would refuse (no section yet, no
 * separator) is listed as not mapped; so is a key given again. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import-sv.h"
#include "strv.h"
#include "xmalloc.h"

#define SV_MAX_FILE (16 * 1024 * 1024)

/* The state of reading one file. */
struct sv_reader {
	struct sv_conf *c;
	const char *file;
	char *here;
	bool main;
	struct sv_section *sect;	/* current, or NULL */
	struct sv_key *key;		/* current, or NULL */
	size_t indent;			/* of the last section or key line */
	char **parts;			/* the current key's value lines */
};

static char *
read_all(FILE *f, int *err)
{
	size_t n = 0, cap = 0, got;
	char *buf = NULL;

	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xreallocarray(buf, cap, 1);
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0 && n <= SV_MAX_FILE);
	*err = ferror(f) ? (errno ? -errno : -EIO) : n > SV_MAX_FILE ?
	    -EFBIG : 0;
	buf[n] = '\0';
	return buf;
}

static bool
sv_space(char ch)
{
	return ch && strchr(" \t\n\r\v\f", ch);
}

static char *
strip(const char *s, size_t n)
{
	while (n && sv_space(*s))
		s++, n--;
	while (n && sv_space(s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* Where an inline comment starts, or SIZE_MAX: Python's loop, which
 * tries the first ';' and '#', then the second of each, and stops at
 * the first round where one follows whitespace. */
static size_t
comment_start(const char *line)
{
	static const char prefix[2] = { ';', '#' };
	const char *at[2] = { line - 1, line - 1 }, *q;
	size_t start = SIZE_MAX;
	bool alive[2] = { true, true };
	int i;

	q = line;
	while (sv_space(*q))
		q++;
	if (*q == ';' || *q == '#')
		return 0;
	while (start == SIZE_MAX && (alive[0] || alive[1]))
		for (i = 0; i < 2; i++) {
			if (!alive[i])
				continue;
			if (!(at[i] = strchr(at[i] + 1, prefix[i]))) {
				alive[i] = false;
				continue;
			}
			if (at[i] == line || sv_space(at[i][-1]))
				start = MIN(start, (size_t)(at[i] - line));
		}
	return start;
}

/* Ends the current key: its value is its lines joined, trailing
 * whitespace and empty lines dropped. */
static void
key_end(struct sv_reader *r)
{
	char *v, *end;
	size_t i, n = 0;

	if (!r->key) {
		r->parts = strv_free(r->parts);
		return;
	}
	for (i = 0; r->parts && r->parts[i]; i++)
		n += strlen(r->parts[i]) + 1;
	v = xcalloc(n + 1, 1);
	for (i = 0; r->parts && r->parts[i]; i++) {
		if (i)
			strcat(v, "\n");
		strcat(v, r->parts[i]);
	}
	end = v + strlen(v);
	while (end > v && sv_space(end[-1]))
		*--end = '\0';
	free(r->key->value);
	r->key->value = v;
	r->parts = strv_free(r->parts);
	r->key = NULL;
}

static void
list_line(struct sv_reader *r, unsigned line, const char *raw,
    const char *why)
{
	import_unmapped(r->c->o, r->file, line, raw, "%s", why);
}

static void
section_begin(struct sv_reader *r, const char *name, unsigned line,
    const char *raw)
{
	struct sv_conf *c = r->c;
	struct sv_section *s;

	key_end(r);
	if ((s = sv_section_find(c, name))) {
		import_unmapped(c->o, r->file, line, raw, "[%s] again: its "
		    "keys are read into the [%s] of %s:%u, as supervisord "
		    "merges them", name, name, s->file, s->line);
		r->sect = s;
		return;
	}
	c->sections = xreallocarray(c->sections, c->nsections + 1,
	    sizeof(*c->sections));
	s = &c->sections[c->nsections++];
	*s = (struct sv_section){ .name = xstrdup(name), .file = r->file,
	    .here = xstrdup(r->here), .line = line, .raw = xstrdup(raw),
	    .main = r->main };
	r->sect = s;
}

static void
key_begin(struct sv_reader *r, const char *name, const char *value,
    unsigned line, const char *raw)
{
	struct sv_section *s = r->sect;
	struct sv_key *k, *old;
	size_t i;

	key_end(r);
	if ((old = sv_key_find(s, name))) {
		for (i = 0; i < old->nraw; i++)
			import_unmapped(r->c->o, old->file, old->lines[i],
			    old->raw[i], "%s= given again at %s:%u; "
			    "supervisord takes the last", name, r->file, line);
		old->done = true;
		old->name[0] = '\0';
	}
	s->keys = xreallocarray(s->keys, s->nkeys + 1, sizeof(*s->keys));
	k = &s->keys[s->nkeys++];
	*k = (struct sv_key){ .name = xstrdup(name), .file = r->file };
	for (i = 0; k->name[i]; i++)
		k->name[i] = (char)tolower((unsigned char)k->name[i]);
	k->raw = strv_append(NULL, raw);
	k->lines = xcalloc(1, sizeof(*k->lines));
	k->lines[0] = line;
	k->nraw = 1;
	r->key = k;
	r->parts = strv_append(NULL, value);
}

static void
key_continue(struct sv_reader *r, const char *value, unsigned line,
    const char *raw)
{
	struct sv_key *k = r->key;

	r->parts = strv_append(r->parts, value);
	if (!raw)
		return;
	k->raw = strv_append(k->raw, raw);
	k->lines = xreallocarray(k->lines, k->nraw + 1, sizeof(*k->lines));
	k->lines[k->nraw++] = line;
}

/* A line that is not blank nor a comment; v is it without a comment. */
static void
read_line(struct sv_reader *r, const char *raw, const char *v,
    unsigned line)
{
	size_t indent = strspn(raw, " \t\n\r\v\f"), sep;
	const char *close;
	_cleanup_free_ char *name = NULL, *value = NULL;

	if (r->sect && r->key && indent > r->indent) {
		key_continue(r, v, line, raw);
		return;
	}
	r->indent = indent;
	close = strrchr(v, ']');
	if (v[0] == '[' && close && close > v + 1) {
		name = xstrndup(v + 1, (size_t)(close - v - 1));
		section_begin(r, name, line, raw);
		return;
	}
	if (!r->sect) {
		list_line(r, line, raw, "before any [section]: supervisord "
		    "refuses the file");
		return;
	}
	sep = strcspn(v, "=:");
	name = strip(v, sep);
	if (!v[sep] || !*name) {
		list_line(r, line, raw, "not a [section], key=value or "
		    "comment: supervisord refuses the file");
		return;
	}
	value = strip(v + sep + 1, strlen(v + sep + 1));
	key_begin(r, name, value, line, raw);
}

static void
read_text(struct sv_reader *r, char *text)
{
	char *line = text, *next, *v;
	unsigned lineno = 0;
	size_t cs, n;

	for (; line && *line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		cs = comment_start(line);
		v = strip(line, MIN(cs, n));
		if (!*v) {
			/* An empty line may sit inside a value. */
			if (cs == SIZE_MAX && r->key)
				key_continue(r, "", lineno, NULL);
		} else
			read_line(r, line, v, lineno);
		free(v);
	}
	key_end(r);
}

/* The directory of path, absolute (the working directory for stdin). */
static char *
dir_of(const char *path)
{
	char cwd[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, ".");
	if (!strcmp(path, "-") || !slash)
		return xstrdup(cwd);
	if (slash == path)
		return xstrdup("/");
	if (path[0] == '/')
		return xstrndup(path, (size_t)(slash - path));
	return xstrfmt("%s/%.*s", cwd, (int)(slash - path), path);
}

int
sv_read_file(struct sv_conf *c, const char *path, bool main)
{
	struct sv_reader r = { .c = c, .main = main };
	_cleanup_free_ char *text = NULL;
	FILE *f;
	int err;

	f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f)
		return -errno;
	text = read_all(f, &err);
	if (f != stdin)
		fclose(f);
	if (err < 0)
		return err;
	c->files = strv_append(c->files, strcmp(path, "-") ? path : "stdin");
	r.file = c->files[strv_length(c->files) - 1];
	r.here = dir_of(path);
	read_text(&r, text);
	free(r.here);
	return 0;
}

struct sv_section *
sv_section_find(struct sv_conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsections; i++)
		if (!strcmp(c->sections[i].name, name))
			return &c->sections[i];
	return NULL;
}

struct sv_key *
sv_key_find(struct sv_section *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nkeys; i++)
		if (!strcmp(s->keys[i].name, name))
			return &s->keys[i];
	return NULL;
}

void
sv_origin(struct sv_conf *c, struct sv_section *s, struct sv_key *k)
{
	size_t i;

	(void)s;
	k->done = true;
	if (c->quiet)
		return;
	for (i = 0; i < k->nraw; i++)
		import_origin(c->o, k->file, k->lines[i], k->raw[i]);
}

void
sv_unmapped(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *fmt, ...)
{
	_cleanup_free_ char *why = NULL;
	va_list ap;
	size_t i;

	(void)s;
	k->done = true;
	if (c->quiet)
		return;
	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) < 0)
		abort();
	va_end(ap);
	for (i = 0; i < k->nraw; i++)
		import_unmapped(c->o, k->file, k->lines[i], k->raw[i], "%s",
		    why);
}

void
sv_section_unmapped(struct sv_conf *c, struct sv_section *s,
    const char *why)
{
	size_t i;

	import_unmapped(c->o, s->file, s->line, s->raw, "%s", why);
	for (i = 0; i < s->nkeys; i++)
		if (!s->keys[i].done)
			sv_unmapped(c, s, &s->keys[i], "in [%s], not mapped",
			    s->name);
}

void
sv_conf_free(struct sv_conf *c)
{
	struct sv_section *s;
	size_t i, k;

	for (i = 0; i < c->nsections; i++) {
		s = &c->sections[i];
		for (k = 0; k < s->nkeys; k++) {
			free(s->keys[k].name);
			free(s->keys[k].value);
			strv_free(s->keys[k].raw);
			free(s->keys[k].lines);
		}
		free(s->keys);
		free(s->name);
		free(s->here);
		free(s->raw);
	}
	free(c->sections);
	for (i = 0; i < c->nprograms; i++) {
		free(c->programs[i].name);
		free(c->programs[i].group);
		strv_free(c->programs[i].units);
	}
	free(c->programs);
	strv_free(c->files);
	strv_free(c->env);
}
