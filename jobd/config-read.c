/* Reading one file (or string) line by line for inih.  inih routes the
 * lines, but this reader reads the physical lines itself and hands inih
 * only tokens, so values may be long and hold ";" and "#"; a value may go
 * on over indented lines.  Long lines and NUL bytes are errors here. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-load.h"
#include "xmalloc.h"

static size_t
parser_add_entry(struct parser *p, const char *key, const char *value,
    bool continuation)
{
	struct config_entry *e;

	p->entries = grow(p->entries, p->nentries, &p->entries_cap,
	    sizeof(*p->entries));
	e = &p->entries[p->nentries];
	*e = (struct config_entry){
		.key = key ? xstrdup(key) : NULL,
		.value = xstrdup(value),
		.line = p->lineno,
		.continuation = continuation,
	};
	return p->nentries++;
}

static char *
strip(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

/* Keys inih can carry unchanged (it would cut long names and split at
 * ':'); the handler takes the real key from the entry anyway. */
static const char *
plain_key(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > 40 || key[strspn(key, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")] != '\0')
		return "?";
	return key;
}

/* "[title]", optionally followed by a comment. */
static bool
parser_section_line(struct parser *p, char *s, char *out, size_t size)
{
	char *end = strchr(s, ']'), *rest;

	rest = end ? end + 1 + strspn(end + 1, " \t") : NULL;
	if (!end || (*rest && *rest != '#' && *rest != ';')) {
		parser_error(p, p->lineno, "invalid section header '%s'", s);
		parser_begin_section(p, NULL, p->lineno);
		p->prev_key = false;
		return false;
	}
	*end = '\0';
	parser_begin_section(p, strip(s + 1), p->lineno);
	p->prev_key = false;
	/* The section is ours already; inih only needs to know that a
	 * new one began (it ends continuations), and would cut long
	 * names. */
	snprintf(out, size, "[s]\n");
	return true;
}

/* Turns one physical line into what inih sees, or returns false when
 * inih need not see it (blank, comment, or an error already reported). */
static bool
parser_line(struct parser *p, char *out, size_t size)
{
	char *s = p->line, *eq;
	bool indented;
	size_t idx;

	if (p->lineno == 1 && !strncmp(s, "\xEF\xBB\xBF", 3))
		s += 3;
	indented = isspace((unsigned char)*s);
	s = strip(s);
	if (!*s || *s == '#' || *s == ';')
		return false;
	if (indented && p->prev_key) {
		/* inih calls the handler again with the previous key. */
		idx = parser_add_entry(p, NULL, s, true);
		snprintf(out, size, " \x01%zu\n", idx);
		return true;
	}
	if (*s == '[')
		return parser_section_line(p, s, out, size);
	eq = strchr(s, '=');
	if (!eq) {
		parser_error(p, p->lineno, "invalid line '%s': expected "
		    "'key = value' or '[section]'", s);
		return false;
	}
	*eq = '\0';
	idx = parser_add_entry(p, strip(s), strip(eq + 1), false);
	p->prev_key = true;
	snprintf(out, size, "%s=\x01%zu\n", plain_key(p->entries[idx].key),
	    idx);
	return true;
}

static int
parser_getc(struct parser *p)
{
	if (p->f)
		return getc_unlocked(p->f);
	if (p->mempos >= p->memlen)
		return EOF;
	return (unsigned char)p->mem[p->mempos++];
}

/* Reads one physical line into p->line without its newline.  Returns 1,
 * 0 at the end, -E2BIG for a line over CONFIG_MAX_LINE bytes (read past),
 * -EBADMSG for a NUL byte, or -errno on a read error. */
static int
parser_read_line(struct parser *p)
{
	size_t n = 0;
	bool nul = false;
	int c;

	while ((c = parser_getc(p)) != EOF && c != '\n') {
		if (n < CONFIG_MAX_LINE)
			p->line[n] = (char)c;
		nul |= c == '\0';
		n++;
	}
	if (c == EOF && p->f && ferror(p->f))
		return errno > 0 ? -errno : -EIO;
	if (c == EOF && n == 0)
		return 0;
	p->lineno++;
	if (n > CONFIG_MAX_LINE)
		return -E2BIG;
	p->line[n] = '\0';
	return nul ? -EBADMSG : 1;
}

static char *
parser_reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	int r;

	for (;;) {
		r = parser_read_line(p);
		if (r == 0)
			return NULL;
		if (r == -E2BIG)
			parser_error(p, p->lineno, "line too long (max %d "
			    "bytes)", CONFIG_MAX_LINE);
		else if (r == -EBADMSG)
			parser_error(p, p->lineno, "line contains a NUL byte");
		else if (r < 0) {
			parser_error(p, 0, "%s", strerror(-r));
			p->read_error = r;
			return NULL;
		} else if (parser_line(p, str, (size_t)num))
			return str;
	}
}

/* Maps the token "\x01N" back to its entry. */
static struct config_entry *
parser_entry(struct parser *p, const char *token)
{
	char *end;
	unsigned long idx;

	if (token[0] != '\x01')
		return NULL;
	idx = strtoul(token + 1, &end, 10);
	if (*end || idx >= p->nentries)
		return NULL;
	return &p->entries[idx];
}

static int
parser_handler(void *user, const char *section UNUSED,
    const char *name UNUSED, const char *value)
{
	struct parser *p = user;
	struct config_entry *e, *prev;
	char *joined;

	e = parser_entry(p, value);
	assert(e);
	if (e->continuation) {
		if (p->pending < 0)
			return 1;
		prev = &p->entries[p->pending];
		joined = xstrfmt("%s %s", prev->value, e->value);
		free(prev->value);
		prev->value = joined;
		return 1;
	}
	/* The previous key is complete now that another one started. */
	parser_flush(p);
	p->pending = e - p->entries;
	return 1;
}

/* Reads one file or string through inih; errors go to the parser. */
void
parser_run(struct parser *p, const char *file)
{
	size_t i;
	int r;

	p->file = file;
	p->lineno = 0;
	p->prev_key = false;
	p->pending = -1;
	r = ini_parse_stream(parser_reader, p, parser_handler, p);
	if (r != 0)
		parser_error(p, r > 0 ? (unsigned)r : 0, "ini parser failed");
	parser_end_section(p);
	/* A conf.d file's [defaults] hold for that file only. */
	if (!p->main)
		parser_defaults_clear(&p->defaults[1]);
	for (i = 0; i < p->nentries; i++) {
		free(p->entries[i].key);
		free(p->entries[i].value);
	}
	free(p->entries);
	p->entries = NULL;
	p->nentries = p->entries_cap = 0;
	p->fileno++;
}
