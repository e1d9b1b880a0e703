/* Names as supervisorctl users type them: a glob ('web*') or "all" for
 * the units jobd has, expanded here from one Summary call before the
 * verb's own call, so that jobd keeps taking exact names only.  "all"
 * means every service for start, stop, restart and reset-failed (as in
 * supervisorctl, where programs are what it runs) and every unit for
 * status and logs; a glob matches jobs and services alike, and only
 * services for the verbs that take services only.  For cancel both mean
 * the jobs with unfinished runs (services are stopped, not cancelled). */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobctl.h"
#include "strv.h"
#include "varlink.h"
#include "xmalloc.h"

struct names_units {
	json_t *jobs;		/* Summary's jobs */
};

static int
names_reply(json_t *p, bool continues, void *data)
{
	struct names_units *u = data;

	(void)continues;
	u->jobs = json_incref(json_object_get(p, "jobs"));
	if (!json_is_array(u->jobs))
		return client_mismatch("reply has no 'jobs' array");
	return 0;
}

static bool
names_pattern(const char *s)
{
	return !strcmp(s, "all") || strpbrk(s, "*?[");
}

static bool
names_is_service(json_t *j)
{
	const char *kind = json_string_value(json_object_get(j, "kind"));

	return kind && !strcmp(kind, "service");
}

static bool
names_exists(json_t *jobs, const char *name)
{
	json_t *j;
	size_t k;

	json_array_foreach(jobs, k, j)
		if (!strcmp(json_string_value(json_object_get(j, "name")) ?: "",
		    name))
			return true;
	return false;
}

static char **
names_add(char **v, const char *name)
{
	return strv_contains(v, name) ? v : strv_append(v, name);
}

/* Whether unit j is one that name pattern p may stand for. */
static bool
names_takes(enum names_scope scope, bool all, json_t *j)
{
	if (scope == NAMES_SERVICES || (all && scope == NAMES_START))
		return names_is_service(j);
	if (scope == NAMES_CANCEL)
		return !names_is_service(j);
	return true;
}

/* Whether a unit that a pattern matched is kept: cancel keeps the jobs
 * with unfinished runs (a pattern whose jobs are all idle cancels
 * nothing, which is no error, as supervisorctl's stop all). */
static bool
names_keeps(enum names_scope scope, json_t *j)
{
	return scope != NAMES_CANCEL ||
	    json_array_size(json_object_get(j, "runs")) > 0;
}

static const char *
names_noun(enum names_scope scope, bool all)
{
	if (scope == NAMES_SERVICES || (all && scope == NAMES_START))
		return "service";
	return scope == NAMES_CANCEL ? "job" : "job or service";
}

/* Adds to *out the units of jobs that pattern p (a glob, or all) stands
 * for; false when it matches none. */
static bool
names_match(json_t *jobs, const char *p, enum names_scope scope,
    char ***out)
{
	bool all = !strcmp(p, "all"), any = false;
	const char *name;
	json_t *j;
	size_t k;

	json_array_foreach(jobs, k, j) {
		name = json_string_value(json_object_get(j, "name"));
		if (!name || !names_takes(scope, all, j))
			continue;
		if (all || fnmatch(p, name, 0) == 0) {
			if (names_keeps(scope, j))
				*out = names_add(*out, name);
			any = true;
		}
	}
	if (!any)
		fprintf(stderr, "jobctl: no %s matches '%s'\n",
		    names_noun(scope, all), p);
	return any;
}

int
names_expand(struct ctx *c, enum names_scope scope)
{
	struct names_units u = { 0 };
	char **out = NULL;
	bool all, everything = false;
	int i, r;

	for (i = 0; i < c->nargs && !names_pattern(c->args[i]); i++)
		;
	if (i == c->nargs)
		return -1;
	r = client_call(&(struct client_request){
		.socket = c->socket,
		.method = VARLINK_INTERFACE ".Summary",
		.params = json_object(),
		.reply = names_reply,
		.data = &u,
	});
	if (r != 0) {
		json_decref(u.jobs);
		return r;
	}
	c->patterns = true;
	for (i = 0; i < c->nargs; i++) {
		if (!names_pattern(c->args[i])) {
			out = names_add(out, c->args[i]);
			continue;
		}
		all = !strcmp(c->args[i], "all");
		/* A unit named "all" is meant by its name. */
		if (all && names_exists(u.jobs, "all")) {
			out = names_add(out, "all");
			continue;
		}
		/* logs: every unit, those a reload adds too. */
		if (all && scope == NAMES_LOGS) {
			everything = true;
			continue;
		}
		if (!names_match(u.jobs, c->args[i], scope, &out)) {
			json_decref(u.jobs);
			strv_free(out);
			return EXIT_REFUSED;
		}
	}
	json_decref(u.jobs);
	if (everything) {
		strv_free(out);
		out = NULL;
		c->all_units = true;
	}
	if (!out)
		out = xcalloc(1, sizeof(*out));
	if (strv_length(out) > VARLINK_MAX_NAMES) {
		fprintf(stderr, "jobctl: the names match %zu units, more than "
		    "the %d one call takes; narrow the pattern\n",
		    strv_length(out), VARLINK_MAX_NAMES);
		strv_free(out);
		return EXIT_USAGE;
	}
	c->expanded = out;
	c->args = out;
	c->nargs = (int)strv_length(out);
	return -1;
}
