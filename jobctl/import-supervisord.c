/* jobctl import supervisord FILE...: supervisord.conf (and the files its
 * [include] names) into one conf.d file.  [supervisord]'s environment=,
 * umask= and user= become [defaults] (for every service after it), each
 * [program:x] one [service] per process (import-sv-program.c), each
 * [group:g] a [group g]; sections jobd needs nothing like (the HTTP and
 * RPC servers, supervisorctl) and those it has no counterpart for
 * (event listeners, FastCGI sockets) are listed with the reason. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import-sv.h"
#include "strv.h"
#include "xmalloc.h"

#define GROUP_MAX_UNITS 64

/* Why a section is not mapped, by the start of its name. */
static const struct {
	const char *prefix;
	const char *why;
} unmapped_sections[] = {
	{ "unix_http_server", "not needed: jobctl talks to jobd's control "
	    "socket (socket=, socket_group=, admin_group= in [jobd])" },
	{ "inet_http_server", "not needed: jobctl talks to jobd's control "
	    "socket; jobd-web serves the dashboard and HTTP API" },
	{ "supervisorctl", "not needed: jobctl finds jobd's socket itself "
	    "(-s PATH or $JOBD_SOCKET)" },
	{ "rpcinterface:", "not needed: jobd's control protocol is Varlink "
	    "(io.jobd.Manager), without plugins" },
	{ "ctlplugin:", "jobctl has no plugins" },
	{ "eventlistener:", "jobd has no event listeners: jobctl events "
	    "streams its events, and [alert NAME] sends failures (webhook, "
	    "mail, command)" },
	{ "fcgi-program:", "jobd does not hand a service a listening socket: "
	    "run the FastCGI server as a [service] that binds its own" },
	{ "DEFAULT", "ConfigParser's defaults for every section: write its "
	    "keys into the programs that need them" },
};

/* [supervisord] keys: into [defaults], or why not. */
static const struct {
	const char *key;
	const char *why;	/* NULL: mapped to [defaults] */
} supervisord_keys[] = {
	{ "environment", NULL },
	{ "umask", NULL },
	{ "user", NULL },
	{ "logfile", "jobd logs to the journal (or stderr in the "
	    "foreground)" },
	{ "logfile_maxbytes", "jobd logs to the journal" },
	{ "logfile_backups", "jobd logs to the journal" },
	{ "loglevel", "jobd -v logs more" },
	{ "pidfile", "jobd keeps no pid file: its socket says it runs" },
	{ "nodaemon", "jobd runs in the foreground with --foreground (under "
	    "systemd: Type=notify)" },
	{ "minfds", "limit_nofile= per service (or in [defaults])" },
	{ "minprocs", "limit_nproc= per service (or in [defaults])" },
	{ "childlogdir", "output=file writes STATE_DIR/logs/NAME.log" },
	{ "directory", "supervisord's own directory when it daemonizes: "
	    "give working_directory= per service" },
};

/* Which [supervisord] key goes where: its index in supervisord_keys,
 * or ELEMENTSOF for a key jobd has nothing like. */
static size_t
supervisord_key(const struct sv_key *k)
{
	size_t j;

	for (j = 0; j < ELEMENTSOF(supervisord_keys); j++)
		if (!strcmp(supervisord_keys[j].key, k->name))
			break;
	return j;
}

static bool
to_defaults(const struct sv_key *k)
{
	size_t j = supervisord_key(k);

	return j < ELEMENTSOF(supervisord_keys) && !supervisord_keys[j].why;
}

/* [supervisord]'s environment=, umask=, user= as [defaults], first in
 * the file; its environment= is also what %(ENV_X)s finds. */
static void
map_supervisord(struct sv_conf *c)
{
	struct sv_section *s = sv_section_find(c, "supervisord");
	struct sv_exp e = { 0 };
	struct sv_key *k;
	char *v, *why = NULL;
	bool begun = false;
	size_t i;

	if (!s)
		return;
	e.here = s->here;
	if ((k = sv_key_find(s, "environment")) && (v = sv_expand(k->value,
	    &e, &why))) {
		c->env = sv_env_pairs(v, &why);
		free(v);
	}
	free(why);
	e.env = c->env;
	for (i = 0; i < s->nkeys; i++) {
		if (!to_defaults(&s->keys[i]))
			continue;
		if (!begun) {
			import_origin(c->o, s->file, s->line, s->raw);
			import_section(c->o, "defaults");
			begun = true;
		}
		sv_program_key(c, s, &s->keys[i], &e);
	}
}

/* The rest of [supervisord], listed where it stands. */
static void
list_supervisord(struct sv_conf *c, struct sv_section *s)
{
	struct sv_key *k;
	bool mapped = false;
	size_t i, j;

	for (i = 0; i < s->nkeys; i++)
		mapped |= to_defaults(&s->keys[i]);
	if (!mapped)
		import_unmapped(c->o, s->file, s->line, s->raw, "supervisord's "
		    "own settings");
	for (i = 0; i < s->nkeys; i++) {
		k = &s->keys[i];
		if (!k->name[0] || k->done)
			continue;
		j = supervisord_key(k);
		sv_unmapped(c, s, k, "%s", j < ELEMENTSOF(supervisord_keys) ?
		    supervisord_keys[j].why : "supervisord's own setting; jobd "
		    "has none like it");
	}
}

static char **
add_units(char **units, char **more)
{
	size_t i;

	for (i = 0; more[i]; i++)
		if (!strv_contains(units, more[i]))
			units = strv_append(units, more[i]);
	return units;
}

/* [group:g] programs=a,b → [group g] units= their services. */
static void
map_group(struct sv_conf *c, struct sv_section *s)
{
	_cleanup_(strv_freep) char **list = NULL, **units = NULL;
	_cleanup_free_ char *missing = xstrdup(""), *name = NULL, *u = NULL;
	struct sv_key *k = sv_key_find(s, "programs");
	size_t i, j;
	char *t;

	if (!k) {
		sv_section_unmapped(c, s, "no programs=: supervisord refuses "
		    "the group");
		return;
	}
	list = sv_list(k->value);
	for (i = 0; list[i]; i++) {
		for (j = 0; j < c->nprograms; j++)
			if (!strcmp(c->programs[j].name, list[i]))
				break;
		if (j < c->nprograms && !c->programs[j].failed) {
			units = add_units(units, c->programs[j].units);
			continue;
		}
		t = xstrfmt("%s%s%s (%s)", missing, *missing ? ", " : "",
		    list[i], j < c->nprograms ? "not mapped" :
		    "no such program");
		free(missing);
		missing = t;
	}
	if (!units || strv_length(units) > GROUP_MAX_UNITS) {
		sv_section_unmapped(c, s, units ? "more than 64 services: "
		    "jobd's groups hold 64 (one call's names)" :
		    "no program of it was mapped");
		return;
	}
	import_origin(c->o, s->file, s->line, s->raw);
	name = import_name(c->names, s->name + 6);
	import_section(c->o, "group %s", name);
	u = strv_join_quoted(units);
	sv_origin(c, s, k);
	import_key(c->o, "units", "%s", u);
	if (*missing)
		import_note(c->o, "left out: %s", missing);
	for (i = 0; i < s->nkeys; i++) {
		k = &s->keys[i];
		if (!strcmp(k->name, "priority"))
			sv_origin(c, s, k), import_note(c->o, "a group's "
			    "priority orders supervisord's starts; jobd has "
			    "none");
		else if (k->name[0] && !k->done)
			sv_unmapped(c, s, k, "unknown key: supervisord ignores "
			    "it");
	}
}

/* The section's reason for not being mapped, or NULL. */
static const char *
unmapped_why(const struct sv_section *s)
{
	size_t i, n;

	for (i = 0; i < ELEMENTSOF(unmapped_sections); i++) {
		n = strlen(unmapped_sections[i].prefix);
		if (!strncmp(s->name, unmapped_sections[i].prefix, n) &&
		    (unmapped_sections[i].prefix[n - 1] == ':' ||
		    !s->name[n]))
			return unmapped_sections[i].why;
	}
	return NULL;
}

static int
compare_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One pattern of [include] files=: every file it matches, in name
 * order, read; what happened said in the header. */
static void
include_pattern(struct sv_conf *c, const char *base, const char *pat)
{
	_cleanup_free_ char *path = pat[0] == '/' || !*base ? xstrdup(pat) :
	    xstrfmt("%s/%s", base, pat);
	glob_t g = { 0 };
	size_t i;
	int r;

	if (glob(path, GLOB_NOSORT, NULL, &g) != 0 || g.gl_pathc == 0) {
		import_header(c->o, "  -> no file matches %s (supervisord only "
		    "warns)", path);
		globfree(&g);
		return;
	}
	qsort(g.gl_pathv, g.gl_pathc, sizeof(char *), compare_str);
	for (i = 0; i < g.gl_pathc; i++) {
		if (strv_contains(c->files, g.gl_pathv[i])) {
			import_header(c->o, "  -> %s: read already",
			    g.gl_pathv[i]);
			continue;
		}
		r = sv_read_file(c, g.gl_pathv[i], false);
		if (r < 0)
			import_header(c->o, "  -> %s: %s (supervisord skips "
			    "it)", g.gl_pathv[i], strerror(-r));
		else
			import_header(c->o, "  -> read %s", g.gl_pathv[i]);
	}
	globfree(&g);
}

/* The [include] of a file named on the command line: its files are
 * read as supervisord reads them (patterns relative to its directory). */
static void
follow_include(struct sv_conf *c, struct sv_section *s)
{
	struct sv_key *k = sv_key_find(s, "files");
	_cleanup_(strv_freep) char **pats = NULL;
	_cleanup_free_ char *v = NULL, *why = NULL, *base = NULL;
	struct sv_exp e = { .here = s->here, .env = c->env };
	const char *slash;
	size_t i;

	if (!k) {
		sv_section_unmapped(c, s, "no files=: supervisord refuses "
		    "the file");
		return;
	}
	if (!(v = sv_expand(k->value, &e, &why)) ||
	    strv_split_quoted(v, &pats, NULL) < 0) {
		sv_section_unmapped(c, s, why ? why : "files= has quotes this "
		    "import does not read");
		return;
	}
	import_header(c->o, "%s:%u: %s", s->file, s->line, s->raw);
	for (i = 0; i < k->nraw; i++)
		import_header(c->o, "%s:%u: %s", k->file, k->lines[i],
		    k->raw[i]);
	k->done = true;
	/* Relative to the file as it was named, so that the origins of
	 * its files read as the user named them. */
	slash = strrchr(s->file, '/');
	base = !strcmp(s->file, "stdin") ? xstrdup(s->here) : slash ?
	    xstrndup(s->file, (size_t)(slash - s->file) + (slash ==
	    s->file)) : xstrdup("");
	for (i = 0; pats[i]; i++)
		include_pattern(c, base, pats[i]);
}

/* Reads the files named and what their [include]s name. */
static int
read_files(struct sv_conf *c, char **files)
{
	struct sv_section *inc;
	size_t i, before;
	int r;

	for (i = 0; files[i]; i++) {
		before = c->nsections;
		inc = sv_section_find(c, "include");
		if ((r = sv_read_file(c, files[i], true)) < 0) {
			fprintf(stderr, "jobctl: import: %s: %s\n", files[i],
			    strerror(-r));
			return -1;
		}
		/* Only an [include] this file began is followed. */
		if (!inc && (inc = sv_section_find(c, "include")) &&
		    (size_t)(inc - c->sections) >= before)
			follow_include(c, inc);
	}
	return 0;
}

/* Whatever no mapping took: a section's leftover keys. */
static void
sweep(struct sv_conf *c)
{
	struct sv_section *s;
	size_t i, k;

	for (i = 0; i < c->nsections; i++) {
		s = &c->sections[i];
		for (k = 0; k < s->nkeys; k++)
			if (s->keys[k].name[0] && !s->keys[k].done)
				sv_unmapped(c, s, &s->keys[k], "in [%s], not "
				    "read by supervisord there", s->name);
	}
}

static void
map_sections(struct sv_conf *c)
{
	struct sv_section *s;
	const char *why;
	size_t i, p = 0;

	for (i = 0; i < c->nsections; i++) {
		s = &c->sections[i];
		if (!strncmp(s->name, "program:", 8)) {
			sv_program_map(c, &c->programs[p]);
			sv_program_group(c, &c->programs[p++]);
		} else if (!strncmp(s->name, "group:", 6))
			map_group(c, s);
		else if (!strcmp(s->name, "supervisord"))
			list_supervisord(c, s);
		else if (!strcmp(s->name, "include")) {
			if (!s->keys || !s->keys[0].done)
				sv_section_unmapped(c, s, "supervisord reads "
				    "[include] in the main file only");
		} else if ((why = unmapped_why(s)))
			sv_section_unmapped(c, s, why);
		else
			sv_section_unmapped(c, s, "unknown section: "
			    "supervisord ignores it");
	}
}

int
import_supervisord(const struct import_args *a, struct import_out *o)
{
	struct sv_conf c = { .o = o, .names = import_names_new() };
	_cleanup_free_ char *list = strv_join_quoted(a->files);
	int r;

	import_header(o, "jobctl import supervisord %s", list);
	import_header(o, "supervisord passes its whole environment to "
	    "programs; jobd a base one (PATH, the locale,");
	import_header(o, "HOME, ...) plus environment=: add "
	    "pass_environment= for more.");
	r = read_files(&c, a->files);
	if (r == 0) {
		map_supervisord(&c);
		sv_programs_name(&c);
		map_sections(&c);
		sweep(&c);
	}
	import_names_free(c.names);
	sv_conf_free(&c);
	return r;
}
