/* A systemd unit file read as systemd's conf-parser reads it: blank
 * lines and lines starting with '#' or ';' skipped, "[Section]" headers,
 * KEY=VALUE with blanks around both removed, a line ending in '\'
 * continued on the next (comments between are skipped).  Anything else is
 * kept as a line without a key, for the importer to list.  What the
 * directives mean is not this file's business. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import-sd.h"
#include "strv.h"
#include "xmalloc.h"

/* A unit file is small; a bigger one is not a unit file. */
#define UNIT_MAX_BYTES (4u << 20)

static char *
strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

static void
add_line(struct sd_unit *u, const char *file, unsigned lineno,
    const char *section, char *text)
{
	struct sd_line *l;
	char *eq;

	u->lines = xreallocarray(u->lines, u->n + 1, sizeof(*u->lines));
	l = &u->lines[u->n++];
	memset(l, 0, sizeof(*l));
	l->file = file;
	l->line = lineno;
	l->text = xstrdup(text);
	l->section = section ? xstrdup(section) : NULL;
	if ((eq = strchr(text, '='))) {
		*eq = '\0';
		l->key = xstrdup(strip(text));
		l->value = xstrdup(strip(eq + 1));
		if (!*l->key) {
			free(l->key);
			l->key = NULL;
		}
	}
}

/* Whether a line ends in an unescaped backslash: systemd continues it. */
static bool
continues(const char *s)
{
	size_t n = strlen(s), k = 0;

	while (k < n && s[n - 1 - k] == '\\')
		k++;
	return k % 2 == 1;
}

static void
parse(struct sd_unit *u, FILE *f, const char *file)
{
	_cleanup_free_ char *buf = NULL, *joined = NULL, *section = NULL;
	unsigned lineno = 0, first = 0;
	size_t cap = 0;
	char *s;

	while (getline(&buf, &cap, f) >= 0) {
		lineno++;
		s = strip(buf);
		if (joined && (*s == '#' || *s == ';'))
			continue;
		if (!joined && (!*s || *s == '#' || *s == ';'))
			continue;
		if (!joined)
			first = lineno;
		if (continues(s)) {
			char *all;

			s[strlen(s) - 1] = ' ';
			all = xstrfmt("%s%s", joined ? joined : "", s);
			free(joined);
			joined = all;
			continue;
		}
		if (joined) {
			char *all = xstrfmt("%s%s", joined, s);

			free(joined);
			joined = all;
			s = strip(joined);
		}
		if (*s == '[' && s[strlen(s) - 1] == ']') {
			free(section);
			section = xstrndup(s + 1, strlen(s) - 2);
		} else
			add_line(u, file, first, section, s);
		free(joined);
		joined = NULL;
	}
	if (joined)
		add_line(u, file, first, section, strip(joined));
}

static void
split_name(struct sd_unit *u)
{
	const char *dot = strrchr(u->name, '.'), *at = strchr(u->name, '@');

	u->type = xstrdup(dot ? dot + 1 : "");
	if (!dot)
		dot = u->name + strlen(u->name);
	if (at && at < dot) {
		u->prefix = xstrndup(u->name, at - u->name);
		if (at + 1 < dot)
			u->instance = xstrndup(at + 1, dot - at - 1);
	} else
		u->prefix = xstrndup(u->name, dot - u->name);
}

struct sd_unit *
sd_unit_read(const char *path, const char *shown, const char *name)
{
	struct sd_unit *u;
	FILE *f;
	long size;

	if (!(f = fopen(path, "re"))) {
		fprintf(stderr, "jobctl: import: %s: %m\n", shown);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    (unsigned long)size > UNIT_MAX_BYTES) {
		fprintf(stderr, "jobctl: import: %s: larger than %u MiB: not a "
		    "unit file\n", shown, UNIT_MAX_BYTES >> 20);
		fclose(f);
		return NULL;
	}
	rewind(f);
	u = xcalloc(1, sizeof(*u));
	u->path = xstrdup(shown);
	u->name = xstrdup(name);
	split_name(u);
	parse(u, f, u->path);
	if (ferror(f)) {
		fprintf(stderr, "jobctl: import: %s: %m\n", shown);
		fclose(f);
		return sd_unit_free(u);
	}
	fclose(f);
	return u;
}

struct sd_unit *
sd_unit_free(struct sd_unit *u)
{
	size_t i;

	if (!u)
		return NULL;
	for (i = 0; i < u->n; i++) {
		free(u->lines[i].text);
		free(u->lines[i].section);
		free(u->lines[i].key);
		free(u->lines[i].value);
	}
	free(u->lines);
	free(u->path);
	strv_free(u->dropins);
	free(u->name);
	free(u->type);
	free(u->prefix);
	free(u->instance);
	free(u);
	return NULL;
}

struct sd_line *
sd_unit_find(struct sd_unit *u, const char *section, const char *key)
{
	size_t i;

	for (i = u ? u->n : 0; i > 0; i--) {
		struct sd_line *l = &u->lines[i - 1];

		if (l->key && l->section && !strcmp(l->section, section) &&
		    !strcmp(l->key, key))
			return l;
	}
	return NULL;
}

static int
name_cmp(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/');
	const char *y = strrchr(*(char *const *)b, '/');

	return strcmp(x, y);
}

/* The NAME.conf files of one NAME.d directory not masked by a file of the
 * same name in a directory read before (systemd's order: /etc first). */
static char **
dropin_dir(char **found, const char *dir)
{
	struct dirent *e;
	DIR *d;
	size_t i;

	if (!(d = opendir(dir)))
		return found;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n < 6 || strcmp(e->d_name + n - 5, ".conf") ||
		    e->d_name[0] == '.')
			continue;
		for (i = 0; found && found[i]; i++)
			if (!strcmp(strrchr(found[i], '/') + 1, e->d_name))
				break;
		if (!found || !found[i])
			found = strv_push(found, xstrfmt("%s/%s", dir,
			    e->d_name));
	}
	closedir(d);
	return found;
}

int
sd_unit_read_dropins(struct sd_unit *u, const char *const *dirs)
{
	_cleanup_free_ char *tmpl = NULL;
	char **found = NULL, *d;
	size_t i, k;

	if (u->instance)
		tmpl = xstrfmt("%s@.%s", u->prefix, u->type);
	for (i = 0; dirs[i]; i++)
		for (k = 0; k < (tmpl ? 2u : 1u); k++) {
			d = xstrfmt("%s%s%s.d", dirs[i], *dirs[i] ? "/" : "",
			    k ? tmpl : u->name);
			found = dropin_dir(found, d);
			free(d);
		}
	if (found)
		qsort(found, strv_length(found), sizeof(char *), name_cmp);
	u->dropins = found;
	for (i = 0; found && found[i]; i++) {
		FILE *f = fopen(found[i], "re");

		if (!f) {
			fprintf(stderr, "jobctl: import: %s: %m\n", found[i]);
			return -1;
		}
		parse(u, f, found[i]);
		fclose(f);
	}
	return 0;
}
