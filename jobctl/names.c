/* Names as supervisorctl users type them: a glob ('web*'), "all" or a
 * [group NAME] for the units jobd has, expanded here from one Summary call
 * before the verb's own call, so that jobd keeps taking exact names only.
 * "all" means every service for start, stop, restart and reset-failed (as
 * in supervisorctl, where programs are what it runs) and every unit for
 * status; a glob matches jobs and services alike, and only services for
 * the verbs that take services only.  A group stands for its units as
 * "all" does for every unit, but start takes a group of jobs only to mean
 * its jobs.  A unit's own name wins over a group's or a pattern's.  For
 * cancel all three mean the jobs with unfinished runs (services are
 * stopped, not cancelled); for logs, "all" is every unit. */
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

/* Whether unit j is in the group named name (Summary's groups). */
static bool
names_in_group(json_t *j, const char *name)
{
	json_t *g;
	size_t k;

	json_array_foreach(json_object_get(j, "groups"), k, g)
		if (!strcmp(json_string_value(g) ?: "", name))
			return true;
	return false;
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

/* Whether a unit that a pattern or group matched is kept: cancel keeps
 * the jobs with unfinished runs (a pattern whose jobs are all idle
 * cancels nothing, which is no error, as supervisorctl's stop all). */
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

/* A group's units for the verb: every one for status, its services for
 * the others; for start, its jobs when it has no service (starting a
 * service and running a job are different calls).  Returns the names
 * added, 0 when name is no group; NAMES_NONE when the group has none the
 * verb takes. */
#define NAMES_NONE ((size_t)-1)

static size_t
names_group(enum names_scope scope, json_t *jobs, const char *name,
    char ***out)
{
	bool members = false, services = false;
	size_t k, n = 0;
	json_t *j;

	json_array_foreach(jobs, k, j)
		if (names_in_group(j, name)) {
			members = true;
			services |= names_is_service(j);
		}
	if (!members)
		return 0;
	json_array_foreach(jobs, k, j) {
		if (!names_in_group(j, name))
			continue;
		if (scope == NAMES_ANY || scope == NAMES_LOGS ||
		    (scope == NAMES_CANCEL && !names_is_service(j)) ||
		    (scope != NAMES_CANCEL && names_is_service(j)) ||
		    (scope == NAMES_START && !services)) {
			if (names_keeps(scope, j))
				*out = names_add(*out, json_string_value(
				    json_object_get(j, "name")));
			n++;
		}
	}
	return n ? n : NAMES_NONE;
}

/* Adds what the glob or "all" pat stands for; false when nothing. */
static bool
names_match(enum names_scope scope, json_t *jobs, const char *pat,
    char ***out)
{
	bool all = !strcmp(pat, "all"), any = false;
	const char *name;
	json_t *j;
	size_t k;

	json_array_foreach(jobs, k, j) {
		name = json_string_value(json_object_get(j, "name"));
		if (!name || !names_takes(scope, all, j))
			continue;
		if (all || fnmatch(pat, name, 0) == 0) {
			if (names_keeps(scope, j))
				*out = names_add(*out, name);
			any = true;
		}
	}
	if (!any)
		fprintf(stderr, "jobctl: no %s matches '%s'\n",
		    names_noun(scope, all), pat);
	return any;
}

/* Adds what one name stands for: a unit itself (even one named "all"),
 * a group's units, a pattern's matches, or the name as given (jobd will
 * say it is no unit's).  Returns 0, or EXIT_REFUSED after saying why. */
static int
names_one(enum names_scope scope, json_t *jobs, const char *arg,
    char ***out)
{
	size_t n;

	if (names_exists(jobs, arg)) {
		*out = names_add(*out, arg);
		return 0;
	}
	n = names_group(scope, jobs, arg, out);
	if (n == NAMES_NONE) {
		fprintf(stderr, "jobctl: group '%s' has no %s\n", arg,
		    names_noun(scope, true));
		return EXIT_REFUSED;
	}
	if (n > 0)
		return 0;
	if (!names_pattern(arg)) {
		*out = names_add(*out, arg);
		return 0;
	}
	return names_match(scope, jobs, arg, out) ? 0 : EXIT_REFUSED;
}

int
names_expand(struct ctx *c, enum names_scope scope)
{
	struct names_units u = { 0 };
	char **out = NULL;
	bool everything = false;
	int i, r;

	/* Any name may be a group's: Summary is asked whenever there is a
	 * name (about 3.5 ms more for 1000 units). */
	if (c->nargs == 0)
		return -1;
	r = client_call(&(struct client_request){
		.socket = c->socket,
		.method = VARLINK_INTERFACE ".Summary",
		.params = json_object(),
		.reply = names_reply,
		.data = &u,
	});
	/* Names that are all units' are left as given: a job named twice
	 * runs twice. */
	for (i = 0; r == 0 && i < c->nargs; i++)
		if (!names_exists(u.jobs, c->args[i]) &&
		    (names_pattern(c->args[i]) || names_group(NAMES_ANY,
		    u.jobs, c->args[i], &out)))
			break;
	if (r == 0 && i == c->nargs) {
		json_decref(u.jobs);
		return -1;
	}
	out = strv_free(out);
	c->patterns = true;
	for (i = 0; r == 0 && i < c->nargs; i++) {
		/* logs: every unit, those a reload adds too. */
		if (scope == NAMES_LOGS && !strcmp(c->args[i], "all") &&
		    !names_exists(u.jobs, "all"))
			everything = true;
		else
			r = names_one(scope, u.jobs, c->args[i], &out);
	}
	json_decref(u.jobs);
	if (r != 0) {
		strv_free(out);
		return r;
	}
	if (everything) {
		out = strv_free(out);
		c->all_units = true;
	}
	/* Cancel's patterns may leave no name: every job is idle. */
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
