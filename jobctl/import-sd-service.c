/* The [Service] section, what the process is (systemd.service(5),
 * systemd.exec(5), systemd.kill(5)): the section and ready= from Type=,
 * user=, group=, the environment, the directory, umask, nice and limits,
 * timeouts, restart=, stop_signal=, standard input and output.  Where
 * systemd's default for a service differs from jobd's (Restart=no,
 * Type=simple's readiness) the key is written with a note. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "import-sd.h"
#include "signame.h"
#include "strv.h"
#include "xmalloc.h"

/* The value with specifiers expanded, or NULL with the line listed. */
static char *
value(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *cause = NULL;
	char *v = sd_specifiers(sd_line_unit(c, l), l->value, &cause);

	if (!v)
		sd_unmapped(c, l, "%s", cause);
	return v;
}

static const char *
type_of(struct sd_ctx *c, struct sd_line **ret)
{
	*ret = sd_unit_find(c->service, "Service", "Type");
	return *ret ? (*ret)->value : "simple";
}

void
sd_type_map(struct sd_ctx *c, struct sd_line *unit_line)
{
	struct sd_line *t;
	const char *type = type_of(c, &t);
	bool spawn = !strcmp(type, "simple") || !strcmp(type, "exec") ||
	    !strcmp(type, "idle") || !strcmp(type, "oneshot");

	if (unit_line)
		sd_origin(c, unit_line);
	if (t && (spawn || !strcmp(type, "notify")))
		sd_origin(c, t);
	import_section(c->o, "%s %s", c->job ? "job" : "service", c->name);
	if (c->job && !c->timer)
		import_note(c->o, "a job without a schedule: it runs when "
		    "started (jobctl start %s)", c->name);
	if (t && !spawn && strcmp(type, "notify"))
		sd_unmapped(c, t, "%s", !strcmp(type, "forking") ? "jobd "
		    "follows the process it starts: run the daemon in the "
		    "foreground (its -f or --foreground option), or its "
		    "forking ends the run" : "jobd does not watch the bus: "
		    "ready_after= decides when the service is ready");
	if (c->job)
		return;
	if (!strcmp(type, "notify")) {
		import_key(c->o, "ready", "notify");
		return;
	}
	if (!t)
		import_note(c->o, "no Type=: systemd's Type=simple counts the "
		    "service started at once");
	if (spawn)
		import_key(c->o, "ready_after", "0");
}

void
sd_service_finish(struct sd_ctx *c)
{
	if (c->job || sd_unit_find(c->service, "Service", "Restart"))
		return;
	import_note(c->o, "no Restart=: systemd's default is no restart "
	    "(jobd's is on-failure)");
	import_key(c->o, "restart", "no");
}

/* What a StandardOutput=/StandardError= value is in jobd: output= (and
 * *file for output_file=), or NULL.  *lost says what of it jobd drops. */
static const char *
output_of(const char *v, const char **file, const char **lost)
{
	static const char *const journals[] = { "journal", "syslog", "kmsg",
	    "journal+console", "syslog+console", "kmsg+console" };
	size_t i;

	*file = NULL;
	*lost = NULL;
	for (i = 0; i < ELEMENTSOF(journals); i++)
		if (!strcmp(v, journals[i])) {
			if (strstr(v, "+console"))
				*lost = "the copy on the console is lost";
			return "journal";
		}
	if (!strcmp(v, "null"))
		return "null";
	if (!strncmp(v, "append:", 7))
		*file = v + 7;
	else if (!strncmp(v, "file:", 5)) {
		*file = v + 5;
		*lost = "jobd appends; systemd writes from the start of the "
		    "file";
	} else if (!strncmp(v, "truncate:", 9)) {
		*file = v + 9;
		*lost = "jobd appends; systemd empties the file first";
	}
	return *file && **file == '/' ? "file" : NULL;
}

static void
map_stderr(struct sd_ctx *c, struct sd_line *le, const char *out,
    const char *out_file)
{
	_cleanup_free_ char *v = NULL;
	const char *err, *file, *lost;

	if (!(v = value(c, le)))
		return;
	if (!strcmp(v, "inherit")) {
		sd_note(c, le, "(jobd sends stderr where stdout goes)");
		return;
	}
	err = output_of(v, &file, &lost);
	if (err && out && !strcmp(err, out) && (!file || (out_file &&
	    !strcmp(file, out_file))))
		sd_note(c, le, "(jobd sends stderr where stdout goes%s%s)",
		    lost ? "; " : "", lost ? lost : "");
	else
		sd_unmapped(c, le, "jobd sends stdout and stderr to one place "
		    "(output=%s)", out ? out : "journal");
}

void
sd_output_map(struct sd_ctx *c)
{
	struct sd_line *lo = sd_unit_find(c->service, "Service",
	    "StandardOutput");
	struct sd_line *le = sd_unit_find(c->service, "Service",
	    "StandardError");
	_cleanup_free_ char *v = NULL;
	const char *out = "journal", *file = NULL, *lost = NULL;

	if (lo && (v = value(c, lo))) {
		if (!(out = output_of(v, &file, &lost)))
			sd_unmapped(c, lo, "jobd's output= is journal, file, "
			    "null or inherit (jobd's own stdout)");
		else {
			if (lost)
				sd_note(c, lo, "%s", lost);
			sd_key(c, lo, "output", "%s", out);
			if (file)
				import_key(c->o, "output_file", "%s", file);
		}
	}
	if (le)
		map_stderr(c, le, out, file);
}

/* What jobd's user= and group= take (config-value.c): a number, or 1
 * to 32 of A-Z a-z 0-9 _ . - not starting with - or ., a '$' at the end
 * allowed (Samba's machine accounts). */
static bool
user_name_ok(const char *s)
{
	size_t n = strlen(s), k = strspn(s, "0123456789");

	if (n && k == n)
		return n <= 10 && strtoull(s, NULL, 10) < 4294967295ULL;
	if (n == 0 || n > 32 || s[0] == '-' || s[0] == '.')
		return false;
	k = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-");
	return k == n || (k == n - 1 && s[k] == '$' && k > 0);
}

static void
map_user(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *v = value(c, l);
	const char *key = !strcmp(l->key, "User") ? "user" : "group";

	if (!v)
		return;
	if (!*v)
		sd_note(c, l, "(empty: jobd's own %s)", key);
	else if (!user_name_ok(v))
		sd_unmapped(c, l, "not a %s name jobd takes", key);
	else
		sd_key(c, l, key, "%s", v);
}

/* Words of a list value, each checked by ok(); NULL with the line listed
 * when one is not. */
static char **
words(struct sd_ctx *c, struct sd_line *l, bool (*ok)(const char *),
    const char *what)
{
	_cleanup_free_ char *v = value(c, l), *cause = NULL;
	char **w = NULL;
	size_t i;

	if (!v)
		return NULL;
	if (sd_words(v, &w, NULL, &cause) < 0) {
		sd_unmapped(c, l, "%s", cause);
		return NULL;
	}
	for (i = 0; w[i]; i++)
		if (!ok(w[i]) || strchr(w[i], '\n')) {
			sd_unmapped(c, l, "'%s' is not %s", w[i], what);
			return strv_free(w);
		}
	return w;
}

static bool
is_assignment(const char *w)
{
	return strv_env_assignment_is_valid(w);
}

/* A variable name, as pass_environment= takes it: not one of jobd's own
 * service manager's, which jobd never passes on. */
static bool
is_var(const char *w)
{
	static const char *const manager[] = { "NOTIFY_SOCKET", "LISTEN_FDS",
	    "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID",
	    "JOURNAL_STREAM", "INVOCATION_ID", "MAINPID", "MANAGERPID", NULL };
	_cleanup_free_ char *a = xstrfmt("%s=", w);

	return strv_env_assignment_is_valid(a) &&
	    !strv_contains((char **)manager, w);
}

/* A group, as supplementary_groups= takes it (jobd's name syntax). */
static bool
is_group(const char *w)
{
	return import_name_valid(w);
}

static void
map_list(struct sd_ctx *c, struct sd_line *l, const char *key,
    bool (*ok)(const char *), const char *what)
{
	_cleanup_(strv_freep) char **w = words(c, l, ok, what);
	_cleanup_free_ char *q = NULL;

	if (!w)
		return;
	if (!w[0]) {
		sd_unmapped(c, l, "an empty value resets the list before it; "
		    "jobd's cannot be reset: remove those lines");
		return;
	}
	q = import_quote_words(w);
	if (!strcmp(key, "supplementary_groups"))
		sd_note(c, l, "jobd gives exactly these groups; systemd adds "
		    "them to User='s own");
	sd_key(c, l, key, "%s", q);
}

static void
map_environment(struct sd_ctx *c, struct sd_line *l)
{
	map_list(c, l, "environment", is_assignment, "NAME=VALUE");
}

static void
map_pass_environment(struct sd_ctx *c, struct sd_line *l)
{
	map_list(c, l, "pass_environment", is_var, "a variable name "
	    "jobd passes on (not one of its service manager's)");
}

static void
map_groups(struct sd_ctx *c, struct sd_line *l)
{
	if (c->elevated)
		sd_unmapped(c, l, "the job runs as root (a '+' command), and "
		    "runuser gives the other commands User='s own groups");
	else
		map_list(c, l, "supplementary_groups", is_group,
		    "a group name jobd takes");
}

static void
map_environment_file(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *v = value(c, l);
	bool optional;
	const char *p;
	struct stat st;

	if (!v)
		return;
	optional = v[0] == '-';
	p = v + optional;
	if (p[0] != '/')
		sd_unmapped(c, l, "not an absolute path");
	else if (optional && stat(p, &st) < 0)
		sd_unmapped(c, l, "optional ('-') and missing here: jobd has "
		    "no optional environment_file=, a missing one fails the "
		    "run; add environment_file=%s once it exists", p);
	else {
		if (optional)
			sd_note(c, l, "jobd fails the run if %s goes missing "
			    "(the '-' would ignore that)", p);
		sd_key(c, l, "environment_file", "%s", p);
	}
}

static void
map_workdir(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *v = value(c, l);
	const char *p;

	if (!v)
		return;
	p = v + (v[0] == '-');
	if (p[0] != '/' && strcmp(p, "~"))
		sd_unmapped(c, l, "not an absolute path or ~");
	else {
		if (v[0] == '-')
			sd_note(c, l, "jobd fails the run if %s is "
			    "missing (the '-' would ignore that)", p);
		sd_key(c, l, "working_directory", "%s", p);
	}
}

static void
map_umask(struct sd_ctx *c, struct sd_line *l)
{
	char *end;
	long v = strtol(l->value, &end, 8);

	if (!*l->value || *end || v < 0 || v > 0777)
		sd_unmapped(c, l, "not an octal umask");
	else
		sd_key(c, l, "umask", "%04lo", v);
}

static void
map_nice(struct sd_ctx *c, struct sd_line *l)
{
	char *end;
	long v = strtol(l->value, &end, 10);

	if (!*l->value || *end || v < -20 || v > 19)
		sd_unmapped(c, l, "not a nice level from -20 to 19");
	else
		sd_key(c, l, "nice", "%ld", v);
}

static void
map_stdin(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *v = value(c, l);

	if (!v)
		return;
	if (!strcmp(v, "null"))
		sd_note(c, l, "(jobd's default, stdin=null)");
	else if (!strncmp(v, "file:/", 6))
		sd_key(c, l, "stdin", "%s", v);
	else
		sd_unmapped(c, l, "jobd's stdin= is null, file:PATH or "
		    "data:TEXT");
}

static void
map_syslog_identifier(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *v = value(c, l);

	if (!v)
		return;
	if (!strcmp(v, c->name))
		sd_note(c, l, "(jobd's journal lines carry the unit's name, "
		    "%s, as SYSLOG_IDENTIFIER)", c->name);
	else
		sd_unmapped(c, l, "jobd's journal lines carry the unit's name, "
		    "%s, as SYSLOG_IDENTIFIER", c->name);
}

static void
map_no_new_privileges(struct sd_ctx *c, struct sd_line *l)
{
	int b = sd_bool(l->value);

	if (b < 0)
		sd_unmapped(c, l, "not a boolean");
	else
		sd_key(c, l, "no_new_privileges", "%s", b ? "yes" : "no");
}

/* The kernel gives a process without an I/O class best-effort at the
 * level its nice value gives: (nice + 20) / 5. */
static void
map_io(struct sd_ctx *c, struct sd_line *l)
{
	struct sd_line *nl = sd_unit_find(c->service, "Service", "Nice");
	struct sd_line *cl = sd_unit_find(c->service, "Service",
	    "IOSchedulingClass");
	struct sd_line *pl = sd_unit_find(c->service, "Service",
	    "IOSchedulingPriority");
	int nice = nl ? atoi(nl->value) : 0, level = (nice + 20) / 5;
	const char *class = cl ? cl->value : "best-effort";
	bool same = (!strcmp(class, "best-effort") || !strcmp(class, "2")) &&
	    (!pl || atoi(pl->value) == level);

	if (level > 7)
		level = 7;
	if (same)
		sd_note(c, l, "(jobd sets no I/O class; the kernel gives the "
		    "job best-effort level %d from nice=%d: the same)", level,
		    nice);
	else
		sd_unmapped(c, l, "jobd sets no I/O class: the job gets "
		    "best-effort level %d (from nice=%d) instead of %s%s%s",
		    level, nice, class, pl ? " level " : "",
		    pl ? pl->value : "");
}

static void
map_remain(struct sd_ctx *c, struct sd_line *l)
{
	sd_unmapped(c, l, "a jobd unit has no active state after its process "
	    "ended: jobctl status shows the last run's result");
}

/* Lines a pre-pass took (Type=, ExecStart=, StandardOutput=, ...) are
 * done before the tables are read; these are for their duplicates. */
static void
map_taken(struct sd_ctx *c, struct sd_line *l)
{
	sd_unmapped(c, l, "nothing was made of it");
}

const struct sd_directive sd_service_directives[] = {
	{ "Service", "Type", map_taken },
	{ "Service", "ExecStart", map_taken },
	{ "Service", "ExecStartPre", map_taken },
	{ "Service", "ExecStartPost", map_taken },
	{ "Service", "StandardOutput", map_taken },
	{ "Service", "StandardError", map_taken },
	{ "Service", "ExecReload", sd_exec_reload },
	{ "Service", "ExecStop", sd_exec_stop },
	{ "Service", "ExecCondition", sd_exec_condition },
	{ "Service", "User", map_user },
	{ "Service", "Group", map_user },
	{ "Service", "SupplementaryGroups", map_groups },
	{ "Service", "Environment", map_environment },
	{ "Service", "PassEnvironment", map_pass_environment },
	{ "Service", "EnvironmentFile", map_environment_file },
	{ "Service", "WorkingDirectory", map_workdir },
	{ "Service", "UMask", map_umask },
	{ "Service", "Nice", map_nice },
	{ "Service", "StandardInput", map_stdin },
	{ "Service", "SyslogIdentifier", map_syslog_identifier },
	{ "Service", "NoNewPrivileges", map_no_new_privileges },
	{ "Service", "IOSchedulingClass", map_io },
	{ "Service", "IOSchedulingPriority", map_io },
	{ "Service", "RemainAfterExit", map_remain },
	{ NULL, NULL, NULL },
};
