/* The [group NAME] sections: names that stand for several units in
 * jobctl's verbs (supervisord's [group:x] programs=).  jobd itself acts
 * on units only; a group is checked here (its units exist, its name is
 * no unit's) and each unit learns the groups that name it, which the
 * Summary method shows and jobctl expands.  Groups may be in any file and
 * name units of any file, so the units are checked once all are read. */
#include <stdlib.h>
#include <string.h>

#include "config-load.h"
#include "strv.h"
#include "xmalloc.h"

const struct config_group *
config_find_group(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ngroups; i++)
		if (!strcmp(c->groups[i].name, name))
			return &c->groups[i];
	return NULL;
}

void
parser_begin_group(struct parser *p, const char *name, unsigned line)
{
	struct config *c = p->cfg;
	_cleanup_free_ char *cause = NULL;
	const struct config_group *old;

	if (config_job_name_check(name, &cause) < 0) {
		parser_error(p, line, "invalid group name '%s': expected 1-%d "
		    "of A-Z a-z 0-9 _ . @ -, not starting with - or .", name,
		    CONFIG_MAX_NAME);
		return;
	}
	if ((old = config_find_group(c, name))) {
		parser_error(p, line, "group '%s' already defined at %s:%u",
		    name, old->file, old->line);
		return;
	}
	if (c->ngroups >= CONFIG_MAX_GROUPS) {
		parser_error(p, line, "too many groups (max %d)",
		    CONFIG_MAX_GROUPS);
		return;
	}
	c->groups = xreallocarray(c->groups, c->ngroups + 1,
	    sizeof(*c->groups));
	c->groups[c->ngroups] = (struct config_group){
		.name = xstrdup(name), .file = xstrdup(p->file), .line = line,
	};
	p->group = c->ngroups++;
	p->group_lined = 0;
	p->title = xstrfmt("group %s", name);
	p->section = PARSER_GROUP;
}

/* Names units= added (names already given are dropped by the parser)
 * are at this line: where an unknown one is reported. */
void
parser_group_units(struct parser *p, unsigned line)
{
	struct config_group *g = &p->cfg->groups[p->group];
	size_t n = strv_length(g->units);

	g->unit_lines = xreallocarray(g->unit_lines, n + 1,
	    sizeof(*g->unit_lines));
	for (; p->group_lined < n; p->group_lined++)
		g->unit_lines[p->group_lined] = line;
}

void
parser_end_group(struct parser *p)
{
	const struct config_group *g = &p->cfg->groups[p->group];

	/* A units= with a bad value was reported already. */
	if (!g->units && !p->seen[config_key_find(CONFIG_SECTION_GROUP,
	    "units") - config_keys])
		parser_error(p, g->line, "group '%s' has no units=", g->name);
}

static int
unit_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(struct job_config *const *)elem)->name);
}

static struct job_config *
unit_find(struct parser *p, const char *name)
{
	struct job_config **u = p->njobs ? bsearch(name, p->jobs, p->njobs,
	    sizeof(*p->jobs), unit_cmp) : NULL;

	return u ? *u : NULL;
}

/* One group against the units: its name is none of theirs, and each name
 * in units= is a unit's (not another group's: groups do not nest). */
static void
check_group(struct parser *p, const struct config_group *g)
{
	struct job_config *u;
	size_t i;

	p->file = g->file;
	if ((u = unit_find(p, g->name)))
		parser_error(p, g->line, "group '%s': a %s has that name "
		    "(%s:%u); groups and units share jobctl's names",
		    g->name, u->service ? "service" : "job", u->file, u->line);
	for (i = 0; g->units && g->units[i]; i++) {
		if ((u = unit_find(p, g->units[i]))) {
			u->groups = strv_append(u->groups, g->name);
			continue;
		}
		if (config_find_group(p->cfg, g->units[i]))
			parser_error(p, g->unit_lines[i], "group '%s': units: "
			    "'%s' is a group, not a unit (groups do not "
			    "nest)", g->name, g->units[i]);
		else
			parser_error(p, g->unit_lines[i], "group '%s': units: "
			    "unknown unit '%s'", g->name, g->units[i]);
	}
}

/* p->jobs is sorted by name. */
void
parser_check_groups(struct parser *p)
{
	const char *file = p->file;
	size_t i;

	for (i = 0; i < p->cfg->ngroups; i++)
		check_group(p, &p->cfg->groups[i]);
	p->file = file;
}

void
config_groups_free(struct config *c)
{
	size_t i;

	for (i = 0; i < c->ngroups; i++) {
		free(c->groups[i].name);
		strv_free(c->groups[i].units);
		free(c->groups[i].unit_lines);
		free(c->groups[i].file);
	}
	free(c->groups);
}
