/* The sections of a file and the keys in them: a section begins, its keys
 * are looked up in the table and parsed into the config, and it ends (a
 * job checks its command).  What a key means lives in config-keys.c and
 * the section files. */
#include <ctype.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "config-load.h"
#include "xmalloc.h"

int
parser_job_compare(const void *a, const void *b)
{
	const struct job_config *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Applies one key and its (possibly continued) value to the section. */
static void
parser_apply(struct parser *p, const struct config_entry *e)
{
	const struct config_key *key;
	_cleanup_free_ char *cause = NULL;
	char *base;
	size_t i;

	if (p->section == PARSER_IGNORED)
		return;
	if (p->section == PARSER_NONE) {
		parser_error(p, e->line, "key '%s' outside of a section",
		    e->key);
		return;
	}
	key = config_key_find(p->section == PARSER_JOBD ? CONFIG_SECTION_JOBD :
	    p->section == PARSER_SEMAPHORE ? CONFIG_SECTION_SEMAPHORE :
	    p->job->service ? CONFIG_SECTION_SERVICE : CONFIG_SECTION_JOB,
	    e->key);
	if (!key) {
		parser_error(p, e->line, "unknown key '%s' in [%s]", e->key,
		    p->title);
		return;
	}
	i = (size_t)(key - config_keys);
	if (p->seen[i] && !key->repeatable) {
		parser_error(p, e->line, "duplicate key '%s' in [%s], first "
		    "given at line %u", e->key, p->title, p->seen[i]);
		return;
	}
	p->seen[i] = e->line;
	base = p->section == PARSER_JOBD ? (char *)p->cfg :
	    p->section == PARSER_SEMAPHORE ?
	    (char *)&p->cfg->semaphores[p->sem] : (char *)p->job;
	if (key->parse(e->value, base + key->offset, p->dir, &cause) < 0)
		/* "schedule 'EXPR': why" reads better than "schedule: ...". */
		parser_error(p, e->line, "%s%s%s", key->name,
		    cause[0] == '\'' ? " " : ": ", cause);
}

void
parser_flush(struct parser *p)
{
	if (p->pending >= 0)
		parser_apply(p, &p->entries[p->pending]);
	p->pending = -1;
}

static unsigned
parser_seen(struct parser *p, enum config_section section, const char *name)
{
	return p->seen[config_key_find(section, name) - config_keys];
}

/* Finishes a job section: a job needs command=, and only now is shell=
 * known, whichever order the two keys came in. */
static void
parser_end_job(struct parser *p)
{
	struct job_config *job = p->job;
	_cleanup_free_ char *cause = NULL;

	if (!job->command_line) {
		/* An empty command= was reported already. */
		if (!parser_seen(p, CONFIG_SECTION_JOB, "command"))
			parser_error(p, job->line, "%s '%s' has no command",
			    job->service ? "service" : "job", job->name);
	} else if (config_job_build_command(job, &cause) < 0)
		parser_error(p, parser_seen(p, CONFIG_SECTION_JOB, "command"),
		    "command: %s", cause);
	if (!p->job_kept)
		job_config_free(job);
	p->job = NULL;
}

void
parser_end_section(struct parser *p)
{
	size_t i;

	parser_flush(p);
	if (p->section == PARSER_JOB)
		parser_end_job(p);
	for (i = 0; i < config_nkeys; i++)
		if (config_keys[i].section & (CONFIG_SECTION_UNIT |
		    CONFIG_SECTION_SEMAPHORE))
			p->seen[i] = 0;
	free(p->title);
	p->title = NULL;
	p->section = PARSER_NONE;
}

static void
parser_begin_job(struct parser *p, const char *name, unsigned line,
    bool service)
{
	_cleanup_free_ char *cause = NULL;
	struct job_config *job, **found;

	job = job_config_new(name, p->file, line, service);
	p->job_kept = false;
	if (config_job_name_check(name, &cause) < 0)
		parser_error(p, line, "%s", cause);
	else if ((found = tfind(job, &p->names, parser_job_compare)))
		parser_error(p, line, "%s '%s' already defined at %s:%u",
		    (*found)->service ? "service" : "job", name,
		    (*found)->file, (*found)->line);
	else if (p->njobs >= CONFIG_MAX_JOBS) {
		if (!p->too_many)
			parser_error(p, line, "too many jobs (max %d)",
			    CONFIG_MAX_JOBS);
		p->too_many = true;
	} else {
		if (!tsearch(job, &p->names, parser_job_compare))
			abort();
		p->jobs = grow(p->jobs, p->njobs, &p->jobs_cap,
		    sizeof(*p->jobs));
		p->jobs[p->njobs++] = job;
		p->job_kept = true;
	}
	/* A rejected job is still read, so its keys are checked too. */
	p->job = job;
	p->title = xstrfmt("%s %s", service ? "service" : "job", name);
	p->section = PARSER_JOB;
}

/* [semaphore NAME]: limit= defaults to 1 (a lock by another name). */
static void
parser_begin_semaphore(struct parser *p, const char *name, unsigned line)
{
	struct config *c = p->cfg;
	_cleanup_free_ char *cause = NULL;
	const struct config_semaphore *old;

	if (config_job_name_check(name, &cause) < 0) {
		parser_error(p, line, "%s", cause);
		return;
	}
	if ((old = config_find_semaphore(c, name))) {
		parser_error(p, line, "semaphore '%s' already defined at %s:%u",
		    name, old->file, old->line);
		return;
	}
	if (c->nsemaphores >= CONFIG_MAX_SEMAPHORES) {
		parser_error(p, line, "too many semaphores (max %d)",
		    CONFIG_MAX_SEMAPHORES);
		return;
	}
	c->semaphores = xreallocarray(c->semaphores, c->nsemaphores + 1,
	    sizeof(*c->semaphores));
	c->semaphores[c->nsemaphores] = (struct config_semaphore){
		.name = xstrdup(name), .limit = 1, .file = xstrdup(p->file),
		.line = line,
	};
	p->sem = c->nsemaphores++;
	p->title = xstrfmt("semaphore %s", name);
	p->section = PARSER_SEMAPHORE;
}

/* "job NAME" or "service NAME": moves *title to NAME. */
static bool
parser_unit_title(const char **title, const char *kind)
{
	size_t n = strlen(kind);

	if (strncmp(*title, kind, n) ||
	    ((*title)[n] && !isspace((unsigned char)(*title)[n])))
		return false;
	*title += n;
	while (isspace((unsigned char)**title))
		(*title)++;
	return true;
}

/* Starts a section; title NULL for a malformed header. */
void
parser_begin_section(struct parser *p, const char *title, unsigned line)
{
	parser_end_section(p);
	p->section = PARSER_IGNORED;
	if (!title)
		return;
	if (parser_unit_title(&title, "job"))
		parser_begin_job(p, title, line, false);
	else if (parser_unit_title(&title, "service"))
		parser_begin_job(p, title, line, true);
	else if (parser_unit_title(&title, "semaphore"))
		parser_begin_semaphore(p, title, line);
	else if (strcmp(title, "jobd") != 0)
		parser_error(p, line, "unknown section '%s'", title);
	else if (!p->main)
		parser_error(p, line, "section [jobd] is only allowed in "
		    "the main file");
	else {
		p->title = xstrdup(title);
		p->section = PARSER_JOBD;
	}
}
