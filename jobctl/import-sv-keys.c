/* The keys of a [program:x], one by one: what each becomes in the
 * [service NAME] being written (command=, autostart=, restart=, ...), a
 * note where jobd differs or needs nothing, or a line listed as not
 * mapped with the reason (a value supervisord would refuse, a key jobd
 * has no counterpart for, an unknown key).  Values are expanded first
 * (%(program_name)s, %(ENV_X)s, ...), as supervisord does. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import-sv.h"
#include "signame.h"
#include "strv.h"
#include "xmalloc.h"

typedef void key_fn(struct sv_conf *, struct sv_section *, struct sv_key *,
    const char *value);

void
sv_put(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *key, const char *value)
{
	if (strchr(value, '\n')) {
		sv_unmapped(c, s, k, "a newline in the value: jobd's values "
		    "are one line");
		return;
	}
	sv_origin(c, s, k);
	import_key(c->o, key, "%s", value);
}

/* The key's line(s) above a note: mapped to nothing more. */
static void
put_note(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *note)
{
	sv_origin(c, s, k);
	if (!c->quiet)
		import_note(c->o, "%s", note);
}

static void
map_command(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *v)
{
	_cleanup_(strv_freep) char **w = NULL;
	_cleanup_free_ char *why = NULL, *line = NULL;

	if (!(w = sv_split_command(v, &why))) {
		sv_unmapped(c, s, k, "%s", why);
		return;
	}
	line = import_quote_words(w);
	sv_put(c, s, k, "command", line);
}

static void
map_bool(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *v)
{
	int b = sv_bool(v);

	if (b < 0)
		sv_unmapped(c, s, k, "not a boolean: supervisord refuses it");
	else
		sv_put(c, s, k, k->name, b ? "yes" : "no");
}

static void
map_autorestart(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *v)
{
	int b = sv_bool(v);

	if (b == 1)
		sv_put(c, s, k, "restart", "always");
	else if (b == 0)
		sv_put(c, s, k, "restart", "no");
	else if (!strcasecmp(v, "unexpected"))
		sv_put(c, s, k, "restart", "on-failure");
	else
		sv_unmapped(c, s, k, "not true, false or unexpected: "
		    "supervisord refuses it");
}

/* A whole number from 0; false after listing the key. */
static bool
whole(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *v, long *n)
{
	if (sv_int(v, n) && *n >= 0 && *n <= 100000000)
		return true;
	sv_unmapped(c, s, k, "not a whole number from 0");
	return false;
}

static void
map_seconds(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *v)
{
	_cleanup_free_ char *span = NULL;
	bool stop = !strcmp(k->name, "stopwaitsecs");
	long n;

	if (!whole(c, s, k, v, &n))
		return;
	/* stop_timeout=0 is "never SIGKILL"; supervisord kills at once. */
	span = stop && n == 0 ? xstrdup("1ms") : xstrfmt("%lds", n);
	sv_put(c, s, k, stop ? "stop_timeout" : "ready_after", span);
	if (stop && n == 0 && !c->quiet)
		import_note(c->o, "stopwaitsecs=0 kills at once; jobd's "
		    "stop_timeout=0 would never kill");
}

static void
map_startretries(struct sv_conf *c, struct sv_section *s,
    struct sv_key *k, const char *v)
{
	_cleanup_free_ char *burst = NULL;
	long n;

	if (!whole(c, s, k, v, &n))
		return;
	burst = xstrfmt("%ld", MIN(n + 1, 100000));
	sv_put(c, s, k, "start_limit_burst", burst);
	if (!c->quiet)
		import_note(c->o, "supervisord gives up after %ld retries "
		    "in a row; jobd after %s starts within "
		    "start_limit_interval= (10s)", n, burst);
}

static void
map_exitcodes(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *v)
{
	_cleanup_(strv_freep) char **codes = sv_list(v);
	_cleanup_free_ char *list = xstrdup("");
	bool zero = false;
	long n;
	size_t i;

	for (i = 0; codes[i]; i++) {
		if (!sv_int(codes[i], &n) || n < 0 || n > 255) {
			sv_unmapped(c, s, k, "not a list of exit codes 0-255: "
			    "supervisord refuses it");
			return;
		}
		zero |= n == 0;
		if (n != 0) {
			char *t = xstrfmt("%s%s%ld", list, *list ? " " : "", n);

			free(list);
			list = t;
		}
	}
	if (*list)
		sv_put(c, s, k, "success_exit_status", list);
	else
		put_note(c, s, k, "exit status 0 is clean in jobd too");
	if (!zero && !c->quiet)
		import_note(c->o, "0 is not in exitcodes=: supervisord "
		    "restarts after exit 0, jobd counts it clean");
}

static void
map_stopsignal(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *v)
{
	_cleanup_free_ char *name = xstrdup(v);
	size_t i;

	for (i = 0; name[i]; i++)
		name[i] = (char)toupper((unsigned char)name[i]);
	if (signal_from_string(name) <= 0 || strpbrk(name, " \t"))
		sv_unmapped(c, s, k, "not a signal: supervisord refuses it");
	else
		sv_put(c, s, k, "stop_signal", name);
}

static void
map_group_kill(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *v)
{
	int b = sv_bool(v);

	if (b < 0)
		sv_unmapped(c, s, k, "not a boolean: supervisord refuses it");
	else
		put_note(c, s, k, b ? "jobd signals the process group always "
		    "(and its cgroup when it has one)" : "jobd signals the "
		    "whole process group, not only the main process");
}

/* What jobd's user= takes: a name of A-Z a-z 0-9 _ . - (a final $
 * too), or a number. */
static bool
user_ok(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 32 || v[0] == '-' || v[0] == '.')
		return false;
	if (v[n - 1] == '$' && n > 1)
		n--;
	return strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") == n;
}

static void
map_user(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *v)
{
	if (!user_ok(v)) {
		sv_unmapped(c, s, k, "not a user name jobd takes");
		return;
	}
	sv_put(c, s, k, "user", v);
	if (!c->quiet)
		import_note(c->o, "jobd sets HOME, USER and LOGNAME to the "
		    "user's (supervisord does not)");
}

static void
map_directory(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *v)
{
	if (v[0] != '/')
		sv_unmapped(c, s, k, "not an absolute path");
	else
		sv_put(c, s, k, "working_directory", v);
}

static void
map_umask(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *v)
{
	_cleanup_free_ char *m = NULL;
	char *end;
	long n = strtol(v, &end, 8);

	if (!*v || *end || n < 0 || n > 0777) {
		sv_unmapped(c, s, k, "not an octal umask 0-777");
		return;
	}
	m = xstrfmt("%04lo", n);
	sv_put(c, s, k, "umask", m);
}

static void
map_environment(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *v)
{
	_cleanup_(strv_freep) char **env = NULL;
	_cleanup_free_ char *why = NULL, *words = NULL;
	size_t i;

	if (!(env = sv_env_pairs(v, &why))) {
		sv_unmapped(c, s, k, "%s", why);
		return;
	}
	for (i = 0; env[i]; i++)
		if (!strv_env_assignment_is_valid(env[i])) {
			sv_unmapped(c, s, k, "'%.*s' is no variable name jobd "
			    "takes", (int)strcspn(env[i], "="), env[i]);
			return;
		}
	if (!env[0]) {
		put_note(c, s, k, "no variable");
		return;
	}
	words = import_quote_words(env);
	sv_put(c, s, k, "environment", words);
}

static void
map_priority(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *v)
{
	long n;

	if (!sv_int(v, &n))
		sv_unmapped(c, s, k, "not a whole number");
	else
		put_note(c, s, k, "priority orders supervisord's starts and "
		    "stops; jobd starts and stops services together "
		    "(after= orders them)");
}

static void
map_unmapped(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *v)
{
	(void)v;
	if (!strcmp(k->name, "serverurl"))
		sv_unmapped(c, s, k, "not needed: jobctl talks to jobd's "
		    "socket");
	else
		sv_unmapped(c, s, k, "events for [eventlistener] sections, "
		    "which jobd has not (jobctl events streams jobd's)");
}

static const struct {
	const char *name;
	key_fn *fn;
} keys[] = {
	{ "command", map_command },
	{ "autostart", map_bool },
	{ "autorestart", map_autorestart },
	{ "startsecs", map_seconds },
	{ "stopwaitsecs", map_seconds },
	{ "startretries", map_startretries },
	{ "exitcodes", map_exitcodes },
	{ "stopsignal", map_stopsignal },
	{ "stopasgroup", map_group_kill },
	{ "killasgroup", map_group_kill },
	{ "user", map_user },
	{ "directory", map_directory },
	{ "umask", map_umask },
	{ "environment", map_environment },
	{ "priority", map_priority },
	{ "serverurl", map_unmapped },
	{ "stdout_events_enabled", map_unmapped },
	{ "stderr_events_enabled", map_unmapped },
	{ "stdout_capture_maxbytes", map_unmapped },
	{ "stderr_capture_maxbytes", map_unmapped },
};

void
sv_program_key(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const struct sv_exp *e)
{
	_cleanup_free_ char *v = NULL, *why = NULL, *names = NULL;
	_cleanup_(strv_freep) char **environ_names = NULL;
	struct sv_exp ex = *e;
	size_t i;

	ex.from_environ = &environ_names;
	for (i = 0; i < ELEMENTSOF(keys); i++)
		if (!strcmp(keys[i].name, k->name))
			break;
	if (i == ELEMENTSOF(keys)) {
		sv_unmapped(c, s, k, "unknown key: supervisord ignores it");
		return;
	}
	if (!(v = sv_expand(k->value, &ex, &why))) {
		sv_unmapped(c, s, k, "%s", why);
		return;
	}
	keys[i].fn(c, s, k, v);
	if (environ_names && !c->quiet) {
		names = strv_join_quoted(environ_names);
		import_note(c->o, "%%(ENV_X)s of %s: taken from jobctl's "
		    "environment now (supervisord takes its own at start)",
		    names);
	}
}
