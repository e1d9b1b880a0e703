/* jobctl import systemd UNIT.timer|UNIT.service...: finds the units (a
 * path, a name in systemd's unit directories, an instance of a template),
 * pairs each timer with the service it starts (Unit=, or the same name,
 * from the command line or beside the timer), and builds one [job NAME]
 * per timer and one [service NAME] (or [job NAME] for Type=oneshot) per
 * service left.  Each directive goes through the tables of the
 * import-sd-*.c files; a line none of them takes is listed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "import-sd.h"
#include "strv.h"
#include "xmalloc.h"

/* Where systemd looks for system units, in its order. */
static const char *const unit_dirs[] = {
	"/etc/systemd/system", "/run/systemd/system",
	"/usr/local/lib/systemd/system", "/lib/systemd/system",
	"/usr/lib/systemd/system", NULL,
};

static char *
vfmt(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

void
sd_origin(struct sd_ctx *c, struct sd_line *l)
{
	if (!l->done)
		import_origin(c->o, l->file, l->line, l->text);
	l->done = true;
}

void
sd_key(struct sd_ctx *c, struct sd_line *l, const char *key,
    const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = vfmt(fmt, ap);
	va_end(ap);
	if (l)
		sd_origin(c, l);
	import_key(c->o, key, "%s", v);
	free(v);
}

void
sd_note(struct sd_ctx *c, struct sd_line *l, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = vfmt(fmt, ap);
	va_end(ap);
	if (l)
		sd_origin(c, l);
	import_note(c->o, "%s", v);
	free(v);
}

void
sd_unmapped(struct sd_ctx *c, struct sd_line *l, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = vfmt(fmt, ap);
	va_end(ap);
	if (!l->done)
		import_unmapped(c->o, l->file, l->line, l->text, "%s", v);
	l->done = true;
	free(v);
}

char *
sd_line_ref(const struct sd_line *l, const struct sd_line *from)
{
	if (l->file == from->file)
		return xstrfmt("line %u", l->line);
	return xstrfmt("%s:%u", l->file, l->line);
}

struct sd_unit *
sd_line_unit(struct sd_ctx *c, const struct sd_line *l)
{
	struct sd_unit *u = c->timer;

	if (u && l >= u->lines && l < u->lines + u->n)
		return u;
	return c->service;
}

/* The sections systemd reads in a unit of this type. */
static bool
section_known(const struct sd_unit *u, const char *section)
{
	return !strcmp(section, "Unit") || !strcmp(section, "Install") ||
	    (!strcmp(section, "Timer") && !strcmp(u->type, "timer")) ||
	    (!strcmp(section, "Service") && !strcmp(u->type, "service"));
}

/* Lists l when a later line of the same directive overrides it. */
static bool
overridden(struct sd_ctx *c, struct sd_unit *u, struct sd_line *l)
{
	struct sd_line *last;
	char *at;

	if (!l->key || !l->section || sd_repeatable(l->key))
		return false;
	last = sd_unit_find(u, l->section, l->key);
	if (last == l)
		return false;
	at = sd_line_ref(last, l);
	sd_unmapped(c, l, "overridden by %s: systemd uses the last %s=", at,
	    l->key);
	free(at);
	return true;
}

/* One line that no pre-pass took: its directive's mapping, or listed. */
static void
map_line(struct sd_ctx *c, struct sd_unit *u, struct sd_line *l)
{
	const char *reason;
	sd_map_fn fn;

	if (l->done || overridden(c, u, l))
		return;
	if (!l->section)
		sd_unmapped(c, l, "outside of any section: systemd ignores it "
		    "too");
	else if (!l->key)
		sd_unmapped(c, l, "not KEY=VALUE: systemd ignores it too");
	else if (!strncmp(l->section, "X-", 2) || !strncmp(l->key, "X-", 2))
		sd_unmapped(c, l, "an X- extension, which systemd itself "
		    "ignores");
	else if (!section_known(u, l->section))
		sd_unmapped(c, l, "systemd reads no [%s] section in a .%s "
		    "unit", l->section, u->type);
	else if ((fn = sd_directive_find(l->section, l->key)))
		fn(c, l);
	else if ((reason = sd_unmapped_reason(l->section, l->key)) &&
	    !strncmp(reason, SD_SANDBOX, strlen(SD_SANDBOX)) &&
	    sd_bool(l->value) == 0)
		sd_note(c, l, "(off, and jobd does not sandbox a job either)");
	else if (reason)
		sd_unmapped(c, l, "%s", reason);
	else
		sd_unmapped(c, l, "not a directive this importer knows: "
		    "nothing was made of it");
	if (!l->done)
		sd_unmapped(c, l, "nothing was made of it");
}

/* description=: the service's Description= (what runs), else the
 * timer's; both lines are kept above it. */
static void
map_description(struct sd_ctx *c)
{
	struct sd_line *t = sd_unit_find(c->timer, "Unit", "Description");
	struct sd_line *s = sd_unit_find(c->service, "Unit", "Description");
	struct sd_line *use = s && *s->value ? s : t;
	_cleanup_free_ char *cause = NULL, *v = NULL;

	if (!use || !*use->value)
		return;
	if (!(v = sd_specifiers(sd_line_unit(c, use), use->value, &cause))) {
		sd_unmapped(c, use, "%s", cause);
		return;
	}
	if (t && t != use && *t->value)
		sd_origin(c, t);
	sd_key(c, use, "description", "%s", v);
}

static void
map_unit_lines(struct sd_ctx *c, struct sd_unit *u)
{
	size_t i;

	for (i = 0; u && i < u->n; i++)
		map_line(c, u, &u->lines[i]);
}

/* A service two timers start is mapped once for each. */
static void
reset(struct sd_unit *u)
{
	size_t i;

	for (i = 0; u && i < u->n; i++)
		u->lines[i].done = false;
}

/* One [job NAME] (timer given, or a Type=oneshot service) or
 * [service NAME]. */
static void
build(struct import_out *o, struct import_names *names, struct sd_unit *t,
    struct sd_unit *s, struct sd_line *unit_line)
{
	struct sd_unit *named = t ? t : s;
	struct sd_line *type = sd_unit_find(s, "Service", "Type");
	_cleanup_free_ char *want = NULL, *name = NULL;
	struct sd_ctx c = {
		.o = o, .timer = t, .service = s,
		.oneshot = type && !strcmp(type->value, "oneshot"),
	};

	reset(t);
	reset(s);
	want = xstrndup(named->name, strlen(named->name) -
	    strlen(named->type) - 1);
	name = import_name(names, want);
	c.name = name;
	c.job = t || c.oneshot;
	sd_type_map(&c, unit_line);
	map_description(&c);
	sd_exec_map(&c);
	sd_output_map(&c);
	map_unit_lines(&c, t);
	if (t && !c.schedules && !c.boot_set && !c.every_set)
		import_note(o, "no trigger of the timer could be mapped: the "
		    "job runs only when started (jobctl start %s)", name);
	map_unit_lines(&c, s);
	sd_conditions_flush(&c);
	sd_service_finish(&c);
	strv_free(c.cond_parts);
	strv_free(c.cond_notes);
	free(c.cond_lines);
}

/* A unit named on the command line: a path, or a name systemd would find
 * in its directories; an instance (foo@x.service) may come from its
 * template (foo@.service). */
static char *
template_of(const char *path)
{
	const char *base = strrchr(path, '/'), *at, *dot;

	base = base ? base + 1 : path;
	at = strchr(base, '@');
	dot = strrchr(base, '.');
	if (!at || !dot || dot < at || dot == at + 1)
		return NULL;
	return xstrfmt("%.*s%s", (int)(at + 1 - path), path, dot);
}

static char *
locate(const char *arg, bool *searched)
{
	_cleanup_free_ char *tmpl = NULL;
	struct stat st;
	size_t i;

	*searched = false;
	if (stat(arg, &st) == 0)
		return xstrdup(arg);
	if ((tmpl = template_of(arg)) && stat(tmpl, &st) == 0)
		return TAKE_PTR(tmpl);
	if (strchr(arg, '/'))
		return xstrdup(arg);
	*searched = true;
	for (i = 0; unit_dirs[i]; i++) {
		char *p = xstrfmt("%s/%s", unit_dirs[i], arg), *t;

		if (stat(p, &st) == 0)
			return p;
		t = template_of(p);
		free(p);
		if (t && stat(t, &st) == 0)
			return t;
		free(t);
	}
	return xstrdup(arg);
}

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

/* Reads a unit and its drop-ins: from the unit's own directory, or from
 * every unit directory when it was found there by name. */
static struct sd_unit *
read_unit(const char *path, const char *name, bool system_dirs)
{
	_cleanup_free_ char *dir = xstrndup(path, base_name(path) - path);
	const char *own[] = { dir, NULL };
	struct sd_unit *u;

	if (*dir && dir[strlen(dir) - 1] == '/' && strlen(dir) > 1)
		dir[strlen(dir) - 1] = '\0';
	if (!(u = sd_unit_read(path, path, name)))
		return NULL;
	u->system_dirs = system_dirs;
	if (sd_unit_read_dropins(u, system_dirs ? unit_dirs : own) < 0)
		return sd_unit_free(u);
	return u;
}

static struct sd_unit *
load(const char *arg, const char *name)
{
	bool searched;
	_cleanup_free_ char *path = locate(arg, &searched);
	const char *dot = strrchr(name, '.');

	if (!dot || (strcmp(dot, ".timer") && strcmp(dot, ".service"))) {
		fprintf(stderr, "jobctl: import systemd: %s: not a .timer or "
		    ".service unit\n", arg);
		return NULL;
	}
	return read_unit(path, name, searched);
}

struct units {
	struct sd_unit **v;
	bool *used;
	struct sd_line **unit_line;	/* a timer's Unit= */
	struct sd_unit **service;	/* a timer's service */
	size_t n;
};

static void
units_add(struct units *us, struct sd_unit *u)
{
	us->v = xreallocarray(us->v, us->n + 1, sizeof(*us->v));
	us->used = xreallocarray(us->used, us->n + 1, sizeof(*us->used));
	us->unit_line = xreallocarray(us->unit_line, us->n + 1,
	    sizeof(*us->unit_line));
	us->service = xreallocarray(us->service, us->n + 1,
	    sizeof(*us->service));
	us->v[us->n] = u;
	us->used[us->n] = false;
	us->unit_line[us->n] = NULL;
	us->service[us->n] = NULL;
	us->n++;
}

static void
units_free(struct units *us)
{
	size_t i;

	for (i = 0; i < us->n; i++)
		sd_unit_free(us->v[i]);
	free(us->v);
	free(us->used);
	free(us->unit_line);
	free(us->service);
}

/* The service a timer starts: Unit=, else the timer's own name. */
static char *
service_name(struct sd_unit *t, struct sd_line **ret_line, char **cause)
{
	struct sd_line *l = sd_unit_find(t, "Timer", "Unit");
	char *v;

	*ret_line = l;
	if (!l)
		return xstrfmt("%.*s.service",
		    (int)(strlen(t->name) - strlen(".timer")), t->name);
	if (!(v = sd_specifiers(t, l->value, cause)))
		return NULL;
	if (strlen(v) < 9 || strcmp(v + strlen(v) - 8, ".service")) {
		*cause = xstrfmt("Unit=%s: jobd imports a timer that starts a "
		    ".service", v);
		free(v);
		return NULL;
	}
	return v;
}

/* Finds (or reads from beside the timer) the service of timer i. */
static int
pair(struct units *us, size_t i)
{
	struct sd_unit *t = us->v[i], *s;
	_cleanup_free_ char *cause = NULL, *want = NULL, *dir = NULL;
	_cleanup_free_ char *path = NULL, *tmpl = NULL;
	struct stat st;
	size_t j;

	if (!(want = service_name(t, &us->unit_line[i], &cause))) {
		fprintf(stderr, "jobctl: import systemd: %s: %s\n", t->path,
		    cause);
		return -1;
	}
	for (j = 0; j < us->n; j++)
		if (!strcmp(us->v[j]->name, want)) {
			us->service[i] = us->v[j];
			us->used[j] = true;
			return 0;
		}
	dir = xstrndup(t->path, base_name(t->path) - t->path);
	path = xstrfmt("%s%s", dir, want);
	if (stat(path, &st) < 0 && (tmpl = template_of(path)) &&
	    stat(tmpl, &st) == 0) {
		free(path);
		path = TAKE_PTR(tmpl);
	}
	if (stat(path, &st) < 0) {
		fprintf(stderr, "jobctl: import systemd: %s: its service '%s' "
		    "is not on the command line, nor at %s%s\n", t->path,
		    want, dir, want);
		return -1;
	}
	if (!(s = read_unit(path, want, t->system_dirs)))
		return -1;
	units_add(us, s);
	us->used[us->n - 1] = true;
	us->service[i] = s;
	return 0;
}

static int
load_all(const struct import_args *a, struct units *us)
{
	size_t i, n;

	for (i = 0; a->files[i]; i++) {
		struct sd_unit *u;

		if (!strcmp(a->files[i], "-")) {
			fprintf(stderr, "jobctl: import systemd: units are "
			    "read from files: their names say what they are, "
			    "so - (stdin) is not taken\n");
			return -1;
		}
		if (!(u = load(a->files[i], base_name(a->files[i]))))
			return -1;
		units_add(us, u);
	}
	n = us->n;
	for (i = 0; i < n; i++)
		if (!strcmp(us->v[i]->type, "timer") && pair(us, i) < 0)
			return -1;
	return 0;
}

int
import_systemd(const struct import_args *a, struct import_out *o)
{
	struct units us = { 0 };
	struct import_names *names;
	size_t i;

	if (load_all(a, &us) < 0) {
		units_free(&us);
		return -1;
	}
	import_header(o, "Made by jobctl import systemd from:");
	for (i = 0; i < us.n; i++) {
		struct sd_unit *u = us.v[i];
		char **d;

		if (strcmp(base_name(u->path), u->name))
			import_header(o, "  %s (as %s)", u->path, u->name);
		else
			import_header(o, "  %s", u->path);
		for (d = u->dropins; d && *d; d++)
			import_header(o, "  %s", *d);
	}
	names = import_names_new();
	for (i = 0; i < us.n; i++) {
		if (!strcmp(us.v[i]->type, "timer"))
			build(o, names, us.v[i], us.service[i],
			    us.unit_line[i]);
		else if (!us.used[i])
			build(o, names, NULL, us.v[i], NULL);
	}
	import_names_free(names);
	units_free(&us);
	return 0;
}
