/* The sections of a file and the keys in them: a section begins, its keys
 * are looked up in the table and parsed into the config, and it ends (a
 * job checks its command, an alert its sinks).  What a key means lives in config-keys.c and
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

/* Which keys the section being read takes. */
static enum config_section
parser_key_section(const struct parser *p)
{
	switch (p->section) {
	case PARSER_JOBD:
		return CONFIG_SECTION_JOBD;
	case PARSER_SEMAPHORE:
		return CONFIG_SECTION_SEMAPHORE;
	case PARSER_ALERT:
		return CONFIG_SECTION_ALERT | CONFIG_SECTION_ALERT_JOB;
	case PARSER_CLUSTER:
		return CONFIG_SECTION_CLUSTER;
	case PARSER_GROUP:
		return CONFIG_SECTION_GROUP;
	default:
		return p->job->service ? CONFIG_SECTION_SERVICE :
		    CONFIG_SECTION_JOB;
	}
}

/* The struct a key's offset is in. */
static char *
parser_key_base(const struct parser *p, const struct config_key *key)
{
	switch (p->section) {
	case PARSER_JOBD:
		return (char *)p->cfg;
	case PARSER_SEMAPHORE:
		return (char *)&p->cfg->semaphores[p->sem];
	case PARSER_ALERT:
		if (key->section & CONFIG_SECTION_ALERT)
			return (char *)&p->cfg->alerts[p->alert];
		return (char *)p->job;
	case PARSER_CLUSTER:
		return (char *)&p->cfg->cluster;
	case PARSER_GROUP:
		return (char *)&p->cfg->groups[p->group];
	default:
		return (char *)p->job;
	}
}

/* What nodes of a cluster must agree on: the definitions, not [jobd],
 * [cluster] or [web], which are each node's own. */
static void
parser_hash_entry(struct parser *p, const struct config_entry *e)
{
	const char *parts[] = { p->title, "\n", e->key, "=", e->value, "\n" };
	uint64_t h = p->cfg->units_hash ? p->cfg->units_hash :
	    UINT64_C(14695981039346656037);
	const unsigned char *s;
	size_t i;

	if (p->section == PARSER_JOBD || p->section == PARSER_CLUSTER ||
	    p->section == PARSER_NONE || p->section == PARSER_IGNORED ||
	    !p->title)
		return;
	for (i = 0; i < ELEMENTSOF(parts); i++)
		for (s = (const unsigned char *)parts[i]; *s; s++)
			h = (h ^ *s) * UINT64_C(1099511628211);
	p->cfg->units_hash = h;
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
	parser_hash_entry(p, e);
	if (p->section == PARSER_DEFAULTS) {
		parser_defaults_key(p, e);
		return;
	}
	if (p->section == PARSER_NONE) {
		parser_error(p, e->line, "key '%s' outside of a section",
		    e->key);
		return;
	}
	key = config_key_find(parser_key_section(p), e->key);
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
	base = parser_key_base(p, key);
	if (key->parse(e->value, base + key->offset, p->dir, &cause) < 0)
		/* "schedule 'EXPR': why" reads better than "schedule: ...". */
		parser_error(p, e->line, "%s%s%s", key->name,
		    cause[0] == '\'' ? " " : ": ", cause);
	if (p->section == PARSER_GROUP)
		parser_group_units(p, e->line);
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

/* The first line of the section that gave one of the keys named, or 0. */
static unsigned
parser_seen_any(struct parser *p, enum config_section section,
    const char *const *names)
{
	unsigned line = 0, l;

	for (; *names; names++)
		if ((l = parser_seen(p, section, *names)) &&
		    (!line || l < line))
			line = l;
	return line;
}

/* Finishes a job section: a job needs command=, and only now is shell=
 * known, whichever order the two keys came in. */
static void
parser_end_job(struct parser *p)
{
	struct job_config *job = p->job;
	_cleanup_free_ char *cause = NULL;

	parser_defaults_apply(p);
	/* Where --check and a reload point at limits jobd cannot apply. */
	job->limits.line = parser_seen_any(p, CONFIG_SECTION_JOB,
	    job_limit_name);
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

/* Keeps an alert's command as a job of the config, alert:NAME. */
static void
parser_keep_alert_job(struct parser *p, struct config_alert *a)
{
	struct job_config *job = p->job;

	if (!tsearch(job, &p->names, parser_job_compare))
		abort();
	p->jobs = grow(p->jobs, p->njobs, &p->jobs_cap, sizeof(*p->jobs));
	p->jobs[p->njobs++] = job;
	p->job_kept = true;
	a->command_job = xstrdup(job->name);
}

/* Finishes an [alert NAME]: it needs a sink, and keys that go with one
 * sink need that sink. */
static void
parser_end_alert(struct parser *p)
{
	static const char *const webhook_keys[] = { "webhook_format",
	    "webhook_header", "webhook_timeout", NULL };
	static const char *const command_keys[] = { "user", "group",
	    "timeout", NULL };
	const enum config_section A = CONFIG_SECTION_ALERT,
	    J = CONFIG_SECTION_ALERT_JOB;
	struct config_alert *a = &p->cfg->alerts[p->alert];
	_cleanup_free_ char *cause = NULL;
	unsigned line;

	if ((line = parser_seen_any(p, A, webhook_keys)) && !a->webhook)
		parser_error(p, line, "alert '%s': webhook_format=, "
		    "webhook_header= and webhook_timeout= need webhook=",
		    a->name);
	if ((line = parser_seen_any(p, J, command_keys)) &&
	    !p->job->command_line)
		parser_error(p, line, "alert '%s': user=, group= and timeout= "
		    "are for command=, which it has not", a->name);
	if (p->job->command_line) {
		if (config_job_build_command(p->job, &cause) < 0)
			parser_error(p, parser_seen(p, J, "command"),
			    "command: %s", cause);
		else
			parser_keep_alert_job(p, a);
	} else if (!parser_seen(p, A, "webhook") && !parser_seen(p, A, "mail") &&
	    !parser_seen(p, J, "command"))
		parser_error(p, a->line, "alert '%s' has no sink: give it "
		    "webhook=, mail= or command=", a->name);
	if (!p->job_kept)
		job_config_free(p->job);
	p->job = NULL;
}

void
parser_end_section(struct parser *p)
{
	size_t i;

	parser_flush(p);
	if (p->section == PARSER_JOB)
		parser_end_job(p);
	else if (p->section == PARSER_ALERT)
		parser_end_alert(p);
	else if (p->section == PARSER_CLUSTER)
		parser_end_cluster(p, parser_seen(p, CONFIG_SECTION_CLUSTER,
		    "database"));
	else if (p->section == PARSER_GROUP)
		parser_end_group(p);
	for (i = 0; i < config_nkeys; i++)
		if (config_keys[i].section & (CONFIG_SECTION_UNIT |
		    CONFIG_SECTION_SEMAPHORE | CONFIG_SECTION_ALERT |
		    CONFIG_SECTION_ALERT_JOB | CONFIG_SECTION_GROUP))
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

/* [alert NAME]: its sinks, and its command's job (kept when the
 * section ends with a command=). */
static void
parser_begin_alert(struct parser *p, const char *name, unsigned line)
{
	_cleanup_free_ char *why = config_alert_refuse(p->cfg, name);

	if (why) {
		parser_error(p, line, "%s", why);
		return;
	}
	p->alert = config_alert_add(p->cfg, name, p->file, line, &p->job);
	p->job_kept = false;
	p->title = xstrfmt("alert %s", name);
	p->section = PARSER_ALERT;
}

/* "job NAME", "service NAME", ...: moves *title to NAME. */
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
	else if (parser_unit_title(&title, "alert"))
		parser_begin_alert(p, title, line);
	else if (parser_unit_title(&title, "group"))
		parser_begin_group(p, title, line);
	else if (!strcmp(title, "defaults")) {
		p->title = xstrdup(title);
		p->section = PARSER_DEFAULTS;
	} else if (!strcmp(title, "cluster")) {
		if (!p->main)
			parser_error(p, line, "section [cluster] is only "
			    "allowed in the main file");
		else if (p->cfg->cluster.lease) {
			parser_error(p, line, "section [cluster] given twice");
		} else {
			p->cfg->cluster.lease = CONFIG_DEFAULT_LEASE;
			p->title = xstrdup(title);
			p->section_line = line;
			p->section = PARSER_CLUSTER;
		}
	} else if (!strcmp(title, "web")) {
		/* jobd-web's settings: it reads and checks them itself. */
		if (!p->main)
			parser_error(p, line, "section [web] is only allowed "
			    "in the main file");
	} else if (strcmp(title, "jobd") != 0)
		parser_error(p, line, "unknown section '%s'", title);
	else if (!p->main)
		parser_error(p, line, "section [jobd] is only allowed in "
		    "the main file");
	else {
		p->title = xstrdup(title);
		p->section = PARSER_JOBD;
	}
}
