/* [program:x] → [service NAME]: one service per process (numprocs,
 * process_name), each key mapped to its jobd key or noted where jobd
 * differs, or listed as not mapped with the reason.  A program's later
 * processes repeat the keys without their origins: the first says where
 * each came from.  Its process names also make [group x] when numprocs
 * makes several and no [group:g] takes them (supervisorctl's "x:*"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "import-sv.h"
#include "signame.h"
#include "strv.h"
#include "xmalloc.h"

#define SV_MAX_PROCS 1000
#define GROUP_MAX_UNITS 64	/* jobd's [group] units=, one call's names */

struct pctx {
	struct sv_conf *c;
	struct sv_program *p;
	struct sv_exp e;
};

/* The raw value of a key of s ("" when absent) */
static const char *
raw(struct sv_section *s, const char *name)
{
	struct sv_key *k = sv_key_find(s, name);

	return k ? k->value : NULL;
}

static const char *
host_name(void)
{
	static struct utsname u;

	if (!u.nodename[0] && uname(&u) < 0)
		strcpy(u.nodename, "localhost");
	return u.nodename;
}

/* The expansions of process num of p (num < 0: before numprocs is
 * known), with the program's environment= as ENV_ when it parses. */
static void
exp_init(struct sv_conf *c, struct sv_program *p, long num, long n,
    struct sv_exp *e)
{
	const char *env = raw(p->s, "environment");
	char *v, *why = NULL;

	*e = (struct sv_exp){ .here = p->s->here, .program_name = p->name,
	    .group_name = p->group ? p->group : p->name,
	    .host_node_name = host_name(), .process_num = num,
	    .numprocs = n, .process = num >= 0, .env = c->env };
	if (!env || num < 0)
		return;
	if ((v = sv_expand(env, e, &why)))
		e->program_env = sv_env_pairs(v, &why);
	free(v);
	free(why);
}

/* numprocs and numprocs_start, expanded and read; false with *why. */
static bool
program_count(struct sv_conf *c, struct sv_program *p, long *n,
    char **why)
{
	const char *keys[2] = { "numprocs", "numprocs_start" };
	long *dst[2] = { n, &p->first };
	struct sv_exp e;
	char *v;
	int i;

	exp_init(c, p, -1, 0, &e);
	*n = 1;
	for (i = 0; i < 2; i++) {
		if (!raw(p->s, keys[i]))
			continue;
		if (!(v = sv_expand(raw(p->s, keys[i]), &e, why)))
			return false;
		if (!sv_int(v, dst[i]) || *dst[i] < 0 || *dst[i] > 1000000) {
			*why = xstrfmt("%s=%s is not a whole number from 0",
			    keys[i], v);
			free(v);
			return false;
		}
		free(v);
	}
	if (*n == 0 || *n > SV_MAX_PROCS)
		*why = xstrfmt("numprocs=%ld: %s", *n, *n ? "more than 1000 "
		    "services" : "no process at all");
	return !*why;
}

/* The process names and the command of each process; false with *why
 * when supervisord would refuse the program. */
static bool
program_names(struct sv_conf *c, struct sv_program *p, char **why)
{
	const char *pname = raw(p->s, "process_name"), *cmd;
	struct sv_exp e;
	char *v, **w;
	long n, i;

	if (!program_count(c, p, &n, why))
		return false;
	if (!pname)
		pname = "%(program_name)s";
	if (strpbrk(pname, " :/"))
		return (*why = xstrfmt("process_name=%s: supervisord refuses "
		    "' ', ':' and '/' in names", pname)), false;
	if (n > 1 && !strstr(pname, "%(process_num)"))
		return (*why = xstrdup("numprocs > 1 needs %(process_num) in "
		    "process_name: supervisord refuses the program")), false;
	if (!(cmd = raw(p->s, "command")))
		return (*why = xstrdup("no command=: supervisord refuses the "
		    "program")), false;
	for (i = 0; i < n; i++) {
		exp_init(c, p, p->first + i, n, &e);
		v = sv_expand(pname, &e, why);
		if (v) {
			p->units = strv_push(p->units, import_name(c->names,
			    v));
			free(v);
			v = sv_expand(cmd, &e, why);
		}
		w = v ? sv_split_command(v, why) : NULL;
		free(v);
		strv_free(w);
		strv_free(e.program_env);
		if (!w)
			return false;
	}
	return true;
}

/* The [group:g] that takes program name (its first), or NULL. */
static char *
group_of(struct sv_conf *c, const char *name)
{
	struct sv_section *s;
	const char *v;
	char **list;
	bool in;
	size_t i;

	for (i = 0; i < c->nsections; i++) {
		s = &c->sections[i];
		if (strncmp(s->name, "group:", 6) || !(v = raw(s, "programs")))
			continue;
		list = sv_list(v);
		in = strv_contains(list, name);
		strv_free(list);
		if (in)
			return xstrdup(s->name + 6);
	}
	return NULL;
}

void
sv_programs_name(struct sv_conf *c)
{
	struct sv_program *p;
	char *why = NULL;
	size_t i;

	for (i = 0; i < c->nsections; i++) {
		if (strncmp(c->sections[i].name, "program:", 8))
			continue;
		c->programs = xreallocarray(c->programs, c->nprograms + 1,
		    sizeof(*c->programs));
		p = &c->programs[c->nprograms++];
		*p = (struct sv_program){ .s = &c->sections[i] };
		p->name = xstrdup(p->s->name + 8);
		p->group = group_of(c, p->name);
		if (!*p->name || strpbrk(p->name, " :/"))
			why = xstrfmt("program name '%s': supervisord refuses "
			    "empty names and ' ', ':' and '/'", p->name);
		else
			program_names(c, p, &why);
		if (why) {
			p->failed = true;
			sv_section_unmapped(c, p->s, why);
			free(why);
			why = NULL;
		}
	}
}

void
sv_program_group(struct sv_conf *c, struct sv_program *p)
{
	_cleanup_free_ char *units = NULL, *name = NULL;
	size_t n = strv_length(p->units);

	if (p->failed || n < 2 || p->group)
		return;
	if (n > GROUP_MAX_UNITS) {
		import_note(c->o, "no [group %s]: its %zu processes are more "
		    "than a group's 64 units", p->name, n);
		return;
	}
	name = import_name(c->names, p->name);
	units = strv_join_quoted(p->units);
	import_section(c->o, "group %s", name);
	import_note(c->o, "the processes of [program:%s], as supervisorctl's "
	    "'%s:*'", p->name, p->name);
	import_key(c->o, "units", "%s", units);
}

static bool
naming_key(const char *name)
{
	return !strcmp(name, "process_name") || !strcmp(name, "numprocs") ||
	    !strcmp(name, "numprocs_start");
}

/* The section of one process: the origins of the header and the naming
 * keys above it (the first process only), then every key in order. */
static void
process_map(struct sv_conf *c, struct sv_program *p, size_t i)
{
	size_t n = strv_length(p->units), k;
	struct sv_section *s = p->s;
	bool out_done = false;
	struct sv_exp e;

	c->quiet = i > 0;
	exp_init(c, p, p->first + (long)i, (long)n, &e);
	if (!c->quiet) {
		import_origin(c->o, s->file, s->line, s->raw);
		for (k = 0; k < s->nkeys; k++)
			if (naming_key(s->keys[k].name))
				sv_origin(c, s, &s->keys[k]);
	}
	import_section(c->o, "service %s", p->units[i]);
	if (n > 1)
		import_note(c->o, "process %zu of %zu of [program:%s]%s%s%s",
		    i + 1, n, p->name, i ? ": its keys as for " : "",
		    i ? p->units[0] : "", i ? " above" : "");
	for (k = 0; k < s->nkeys; k++) {
		if (!s->keys[k].name[0] || naming_key(s->keys[k].name))
			continue;
		if (!sv_output_key(s->keys[k].name))
			sv_program_key(c, s, &s->keys[k], &e);
		else if (!out_done)
			sv_output_map(c, s, &e, i == 0);
		out_done |= sv_output_key(s->keys[k].name);
	}
	strv_free(e.program_env);
	c->quiet = false;
}

void
sv_program_map(struct sv_conf *c, struct sv_program *p)
{
	size_t i;

	if (p->failed)
		return;
	for (i = 0; p->units[i]; i++)
		process_map(c, p, i);
}
