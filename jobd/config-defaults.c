/* [defaults]: job and service keys given once for the sections that
 * follow (cron's PATH= and SHELL= lines, supervisord's [supervisord]
 * environment= land here).  In the main file they hold for every file
 * read after it; in a conf.d file, for the rest of that file, over the
 * main file's.  A section's own key wins; environment= is merged, the
 * section's variables over the defaults'.  Entries are kept as text and
 * parsed into each section as it ends, so equality on reload and every
 * check after it see an ordinary job. */
#include <stdlib.h>
#include <string.h>

#include "config-load.h"
#include "strv.h"
#include "xmalloc.h"

#define DEFAULTS_KEYS (CONFIG_SECTION_JOB | CONFIG_SECTION_SERVICE)

static struct config_defaults *
defaults_here(struct parser *p)
{
	return &p->defaults[p->main ? 0 : 1];
}

void
parser_defaults_key(struct parser *p, const struct config_entry *e)
{
	struct config_defaults *d = defaults_here(p);
	const struct config_key *key = config_key_find(DEFAULTS_KEYS, e->key);
	size_t i;

	if (!key) {
		parser_error(p, e->line, "unknown key '%s' in [defaults] "
		    "(it takes the keys of [job] and [service])", e->key);
		return;
	}
	for (i = 0; i < d->n && !key->repeatable; i++)
		if (!strcmp(d->v[i].key, key->name) &&
		    d->v[i].fileno == p->fileno) {
			parser_error(p, e->line, "duplicate key '%s' in "
			    "[defaults], first given at line %u", e->key,
			    d->v[i].line);
			return;
		}
	d->v = grow(d->v, d->n, &d->cap, sizeof(*d->v));
	d->v[d->n++] = (struct config_default){
		.key = xstrdup(key->name),
		.value = xstrdup(e->value),
		.file = xstrdup(p->file),
		.line = e->line,
		.fileno = p->fileno,
	};
}

/* Parses one default into the job; a bad value is reported once, at its
 * own line. */
static void
defaults_parse(struct parser *p, struct config_default *x,
    const struct config_key *key)
{
	_cleanup_free_ char *cause = NULL;
	const char *file = p->file;
	unsigned fileno = p->fileno;

	if (key->parse(x->value, (char *)p->job + key->offset, p->dir,
	    &cause) >= 0 || x->reported)
		return;
	x->reported = true;
	p->file = x->file;
	p->fileno = x->fileno;
	parser_error(p, x->line, "%s%s%s", key->name,
	    cause[0] == '\'' ? " " : ": ", cause);
	p->file = file;
	p->fileno = fileno;
}

/* Applies one group's keys the section did not set (nor a group before
 * it); seen lines are marked after the group, so that a repeatable key
 * given twice in [defaults] is applied twice. */
static void
defaults_group(struct parser *p, struct config_defaults *d,
    enum config_section section, unsigned *mark)
{
	const struct config_key *key;
	size_t i;

	for (i = 0; i < d->n; i++) {
		key = config_key_find(section, d->v[i].key);
		if (!key || !strcmp(key->name, "environment") ||
		    p->seen[key - config_keys])
			continue;
		defaults_parse(p, &d->v[i], key);
		mark[key - config_keys] = d->v[i].line;
	}
	for (i = 0; i < config_nkeys; i++)
		if (mark[i] && !p->seen[i])
			p->seen[i] = mark[i];
}

/* environment=: the main file's, this file's, then the section's own, so
 * that later ones win (exec-environment.c sets them in order). */
static void
defaults_environment(struct parser *p, enum config_section section)
{
	const struct config_key *key = config_key_find(section, "environment");
	char ***env = (char ***)((char *)p->job + key->offset);
	char **own = *env;
	size_t g, i;

	*env = NULL;
	for (g = 0; g < 2; g++)
		for (i = 0; i < p->defaults[g].n; i++)
			if (!strcmp(p->defaults[g].v[i].key, "environment"))
				defaults_parse(p, &p->defaults[g].v[i], key);
	for (i = 0; own && own[i]; i++)
		*env = strv_env_set(*env, own[i]);
	strv_free(own);
}

void
parser_defaults_apply(struct parser *p)
{
	enum config_section section = p->job->service ?
	    CONFIG_SECTION_SERVICE : CONFIG_SECTION_JOB;
	_cleanup_free_ unsigned *mark = NULL;

	if (!p->defaults[0].n && !p->defaults[1].n)
		return;
	mark = xcalloc(config_nkeys, sizeof(*mark));
	/* This file's over the main file's. */
	defaults_group(p, &p->defaults[1], section, mark);
	defaults_group(p, &p->defaults[0], section, mark);
	defaults_environment(p, section);
}

void
parser_defaults_clear(struct config_defaults *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].key);
		free(d->v[i].value);
		free(d->v[i].file);
	}
	free(d->v);
	*d = (struct config_defaults){ 0 };
}
