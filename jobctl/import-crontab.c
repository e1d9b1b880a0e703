/* jobctl import crontab: a user crontab (crontab -l) or, with --system,
 * /etc/crontab and /etc/cron.d files (a user field after the times), as
 * jobs that run what cron ran, where and as whom cron ran it: the
 * command through SHELL -c in the user's home, cron's environment and
 * the file's NAME=VALUE lines ([defaults]), MAILTO= as an [alert] with
 * mail=, '%' as standard input.  Every value is checked with jobd's own
 * parser; a line jobd cannot take is listed with jobd's reason. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "import-cron.h"
#include "import.h"
#include "strv.h"
#include "xmalloc.h"

/* What every command gets from cron before the file's own lines (Debian
 * cron's defaults; HOME, LOGNAME and USER come with user=). */
#define CRON_SHELL "/bin/sh"
#define CRON_PATH "/usr/bin:/bin"

struct crontab {
	const struct import_args *args;
	struct import_out *o;
	struct import_names *jobs, *alerts;
	const char *file;	/* as named on the command line */
	unsigned line;
	const char *user;	/* a user crontab's owner */
	/* What the lines so far set, for the entries after them. */
	char *shell, *home, *zone, *alert;
	char **set;		/* variables set in [defaults] so far */
	char **set_here;	/* ... by this file */
	char **earlier;		/* ... by the files before it */
	char **mailto_values, **mailto_alerts;
	bool defaults_open;	/* the last section begun is [defaults] */
};

static void
defaults_section(struct crontab *c)
{
	if (!c->defaults_open)
		import_section(c->o, "defaults");
	c->defaults_open = true;
}

static void
begin_section(struct crontab *c, const char *kind, const char *name)
{
	import_section(c->o, "%s %s", kind, name);
	c->defaults_open = false;
}

/* NAME=VALUE as cron reads it: blanks around '=' and the value's outer
 * blanks dropped, matching quotes around the value removed.  Returns
 * false when the line is no assignment (then it is an entry). */
static bool
parse_env(const char *s, char **name, char **value)
{
	size_t n = strcspn(s, " \t=");
	const char *v = s + n;
	size_t len;

	if (n == 0)
		return false;
	v += strspn(v, " \t");
	if (*v != '=')
		return false;
	v++;
	v += strspn(v, " \t");
	len = strlen(v);
	while (len > 0 && strchr(" \t\r", v[len - 1]))
		len--;
	if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0]) {
		v++;
		len -= 2;
	}
	*name = xstrndup(s, n);
	*value = xstrndup(v, len);
	return true;
}

static bool
env_name_valid(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
	    *s == '_'))
		return false;
	return s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvw"
	    "xyz0123456789_")] == '\0';
}

/* MAILTO=: an [alert] with mail= for each address (once per value);
 * empty: cron sends no mail, so the jobs after it get no alert. */
static void
env_mailto(struct crontab *c, const char *text, const char *value)
{
	_cleanup_(strv_freep) char **addrs = NULL;
	char *name, *cause = NULL, *p, *dup;
	size_t i;

	free(c->alert);
	c->alert = NULL;
	for (i = 0; c->mailto_values && c->mailto_values[i]; i++)
		if (!strcmp(c->mailto_values[i], value)) {
			c->alert = xstrdup(c->mailto_alerts[i]);
			import_origin(c->o, c->file, c->line, text);
			import_note(c->o, "(MAILTO: the [alert %s] above)",
			    c->alert);
			return;
		}
	if (!*value) {
		import_origin(c->o, c->file, c->line, text);
		import_note(c->o, "(MAILTO empty: no alert for the jobs "
		    "below, as cron sent no mail)");
		return;
	}
	dup = xstrdup(value);
	for (p = strtok(dup, ", \t"); p; p = strtok(NULL, ", \t")) {
		if (config_value_check("alert", "mail", p, &cause) < 0) {
			import_unmapped(c->o, c->file, c->line, text, "%s",
			    cause);
			free(cause);
			free(dup);
			return;
		}
		addrs = strv_append(addrs, p);
	}
	free(dup);
	if (!addrs) {
		import_unmapped(c->o, c->file, c->line, text, "no address");
		return;
	}
	p = xstrfmt("mail-%s", addrs[0]);
	name = import_name(c->alerts, p);
	free(p);
	import_origin(c->o, c->file, c->line, text);
	begin_section(c, "alert", name);
	import_note(c->o, "cron mailed a job's output whenever there was "
	    "some; jobd mails when a run fails (and when it recovers, is "
	    "overdue or misses a slot: alert_on=), and keeps every run's "
	    "output for jobctl logs and jobctl show");
	for (i = 0; addrs[i]; i++)
		import_key(c->o, "mail", "%s", addrs[i]);
	c->mailto_values = strv_append(c->mailto_values, value);
	c->mailto_alerts = strv_append(c->mailto_alerts, name);
	c->alert = name;
}

/* Any other NAME=VALUE: into the environment of the jobs after it. */
static void
env_variable(struct crontab *c, const char *text, const char *name,
    const char *value)
{
	_cleanup_free_ char *assign = xstrfmt("%s=%s", name, value);
	_cleanup_free_ char *word = import_quote_word(assign);
	char *cause = NULL;

	if (!env_name_valid(name)) {
		import_unmapped(c->o, c->file, c->line, text, "'%s' is not a "
		    "variable name jobd passes on (letters, digits and '_', "
		    "not a digit first)", name);
		return;
	}
	if (config_value_check("job", "environment", word, &cause) < 0) {
		import_unmapped(c->o, c->file, c->line, text, "%s", cause);
		free(cause);
		return;
	}
	if (!strcmp(name, "SHELL")) {
		free(c->shell);
		c->shell = xstrdup(value);
	} else if (!strcmp(name, "HOME")) {
		free(c->home);
		c->home = xstrdup(value);
	}
	defaults_section(c);
	import_origin(c->o, c->file, c->line, text);
	if (!strcmp(name, "SHELL") || !strcmp(name, "HOME"))
		import_note(c->o, "(jobd gives a run %s of its user= last; "
		    "the jobs below run %s)", name, !strcmp(name, "SHELL") ?
		    "their command with this shell" : "in this directory");
	import_key(c->o, "environment", "%s", word);
	if (!strv_contains(c->set, name))
		c->set = strv_append(c->set, name);
	if (!strv_contains(c->set_here, name))
		c->set_here = strv_append(c->set_here, name);
}

static void
env_line(struct crontab *c, const char *text, const char *name,
    const char *value)
{
	char *cause = NULL;

	if (!strcmp(name, "MAILTO")) {
		env_mailto(c, text, value);
		return;
	}
	if (strcmp(name, "CRON_TZ")) {
		env_variable(c, text, name, value);
		return;
	}
	/* cronie's: the zone of the entries after it. */
	if (*value && config_value_check("job", "timezone", value,
	    &cause) < 0) {
		import_unmapped(c->o, c->file, c->line, text, "%s", cause);
		free(cause);
		return;
	}
	free(c->zone);
	c->zone = *value ? xstrdup(value) : NULL;
	import_origin(c->o, c->file, c->line, text);
	import_note(c->o, "(CRON_TZ: timezone= of the jobs below)");
}

/* A key jobd must take, or the entry is listed with jobd's reason. */
static bool
entry_check(struct crontab *c, const char *text, const char *key,
    const char *value)
{
	char *cause = NULL;

	if (config_value_check("job", key, value, &cause) == 0)
		return true;
	import_unmapped(c->o, c->file, c->line, text, "%s", cause);
	free(cause);
	return false;
}

/* The command= value: the line for /bin/sh (shell=yes), or SHELL -c. */
static char *
entry_command(struct crontab *c, const char *cmd, bool *shell)
{
	char *v[] = { c->shell, "-c", (char *)cmd, NULL };

	*shell = !strcmp(c->shell, CRON_SHELL);
	return *shell ? xstrdup(cmd) : import_quote_words(v);
}

struct entry {
	char *sched, *user, *cmd, *input;
};

static void
entry_free(struct entry *e)
{
	free(e->sched);
	free(e->user);
	free(e->cmd);
	free(e->input);
}

/* "5/15": Debian's Vixie cron refuses the line (so it never ran there),
 * cronie reads it from 5 to the end of the field, and so does jobd. */
static void
note_step(struct crontab *c, const char *sched)
{
	const char *p;

	for (p = strchr(sched, '/'); p; p = strchr(p + 1, '/')) {
		const char *q = p;

		while (q > sched && q[-1] >= '0' && q[-1] <= '9')
			q--;
		if (q < p && (q == sched || strchr(" ,", q[-1]))) {
			import_note(c->o, "'%.*s': Debian's cron refuses a "
			    "step after a single value (this line did not run "
			    "there); jobd reads it as cronie does, from that "
			    "value to the end of the field", (int)(strcspn(q,
			    " ,")), q);
			return;
		}
	}
}

/* A user crontab's command that begins with a user name is most likely
 * a line of /etc/crontab: cron would run the name as a command. */
static void
note_pasted(struct crontab *c, const char *cmd)
{
	_cleanup_free_ char *first = xstrndup(cmd, strcspn(cmd, " \t"));

	if (*first && getpwnam(first))
		import_note(c->o, "'%s' is a user name: if this line is from "
		    "/etc/crontab or /etc/cron.d, import it with --system "
		    "(cron runs '%s' as the command here, and so does this "
		    "job)", first, first);
}

static void
entry_write(struct crontab *c, const char *text, struct entry *e)
{
	_cleanup_free_ char *command = NULL, *hint = NULL, *input = NULL;
	_cleanup_free_ char *name = NULL, *text_in = NULL;
	bool shell;

	command = entry_command(c, e->cmd, &shell);
	if (e->input) {
		text_in = cron_input_text(e->input);
		input = xstrfmt("text:%s", text_in);
	}
	if (!entry_check(c, text, "schedule", e->sched) ||
	    !entry_check(c, text, "command", command) ||
	    !entry_check(c, text, "user", e->user) ||
	    (input && !entry_check(c, text, "stdin", input)) ||
	    (c->home && !entry_check(c, text, "working_directory", c->home)))
		return;
	hint = cron_command_name(e->cmd);
	name = import_name(c->jobs, hint);
	import_origin(c->o, c->file, c->line, text);
	begin_section(c, "job", name);
	import_key(c->o, "schedule", "%s", e->sched);
	if (c->zone)
		import_key(c->o, "timezone", "%s", c->zone);
	import_key(c->o, "user", "%s", e->user);
	if (shell)
		import_key(c->o, "shell", "yes");
	import_key(c->o, "command", "%s", command);
	if (input)
		import_key(c->o, "stdin", "%s", input);
	import_key(c->o, "working_directory", "%s", c->home ?: "~");
	if (c->alert)
		import_key(c->o, "alert", "%s", c->alert);
	if (!c->args->system)
		note_pasted(c, e->cmd);
	note_step(c, e->sched);
}

/* The next blank-separated field of *s, or NULL at the end. */
static char *
next_field(const char **s)
{
	size_t n;
	char *f;

	*s += strspn(*s, " \t");
	if (!**s)
		return NULL;
	n = strcspn(*s, " \t");
	f = xstrndup(*s, n);
	*s += n;
	return f;
}

/* Times (5 fields or @macro), the user (--system), the command. */
static int
entry_parse(struct crontab *c, const char *s, struct entry *e,
    const char **why)
{
	char *f[5] = { 0 };
	int i, n = s[0] == '@' ? 1 : 5;

	for (i = 0; i < n; i++)
		if (!(f[i] = next_field(&s))) {
			*why = "fewer than 5 time fields: not a crontab entry";
			goto fail;
		}
	e->sched = n == 1 ? xstrdup(f[0]) : xstrfmt("%s %s %s %s %s", f[0],
	    f[1], f[2], f[3], f[4]);
	if (c->args->system && !(e->user = next_field(&s))) {
		*why = "no user field (a line of /etc/crontab or /etc/cron.d "
		    "names the user after the times)";
		goto fail;
	}
	if (!c->args->system)
		e->user = xstrdup(c->user);
	s += strspn(s, " \t");
	if (!*s) {
		*why = "no command";
		goto fail;
	}
	cron_command_split(s, &e->cmd, &e->input);
	for (i = 0; i < 5; i++)
		free(f[i]);
	return 0;
fail:
	for (i = 0; i < 5; i++)
		free(f[i]);
	return -1;
}

static void
one_line(struct crontab *c, char *text)
{
	_cleanup_free_ char *name = NULL, *value = NULL;
	struct entry e = { 0 };
	const char *s = text, *why = NULL;

	text[strcspn(text, "\r\n")] = '\0';
	s += strspn(s, " \t");
	if (!*s)
		return;
	if (*s == '#') {
		import_origin(c->o, c->file, c->line, text);
		return;
	}
	if (parse_env(s, &name, &value)) {
		env_line(c, text, name, value);
		return;
	}
	if (entry_parse(c, s, &e, &why) < 0)
		import_unmapped(c->o, c->file, c->line, text, "%s", why);
	else
		entry_write(c, text, &e);
	entry_free(&e);
}

/* A file's variables are its own in cron, but [defaults] holds for the
 * rest of the output: SHELL and PATH are put back to cron's values when
 * a file begins; any other variable an earlier file set and this one
 * does not is named in the header. */
static void
file_begin(struct crontab *c, bool first)
{
	size_t i;

	if (first) {
		defaults_section(c);
		import_note(c->o, "What cron gives every command (Debian "
		    "cron); HOME, LOGNAME and USER come with user=");
		import_key(c->o, "environment", "SHELL=%s PATH=%s",
		    CRON_SHELL, CRON_PATH);
		c->set = strv_append(strv_append(c->set, "SHELL"), "PATH");
		return;
	}
	defaults_section(c);
	import_note(c->o, "SHELL and PATH back to cron's own for %s",
	    c->file);
	import_key(c->o, "environment", "SHELL=%s PATH=%s", CRON_SHELL,
	    CRON_PATH);
	for (i = 0; c->set && c->set[i]; i++)
		c->earlier = strv_append(c->earlier, c->set[i]);
}

static void
file_end(struct crontab *c)
{
	size_t i;

	for (i = 0; c->earlier && c->earlier[i]; i++)
		if (strcmp(c->earlier[i], "SHELL") &&
		    strcmp(c->earlier[i], "PATH") &&
		    !strv_contains(c->set_here, c->earlier[i]))
			import_header(c->o, "Note: %s= of a file before %s "
			    "reaches its jobs too ([defaults] holds for the "
			    "rest of the output); import %s alone if it must "
			    "not.", c->earlier[i], c->file, c->file);
	free(c->shell);
	free(c->home);
	free(c->zone);
	free(c->alert);
	c->shell = xstrdup(CRON_SHELL);
	c->home = c->zone = c->alert = NULL;
	c->set_here = strv_free(c->set_here);
	c->earlier = strv_free(c->earlier);
}

static int
one_file(struct crontab *c, const char *path, bool first)
{
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f) {
		fprintf(stderr, "jobctl: import crontab: %s: %m\n", path);
		return -1;
	}
	c->file = strcmp(path, "-") ? path : "stdin";
	c->line = 0;
	file_begin(c, first);
	errno = 0;
	while ((n = getline(&buf, &cap, f)) >= 0) {
		c->line++;
		if (strlen(buf) != (size_t)n)
			import_unmapped(c->o, c->file, c->line, "(binary)",
			    "a NUL byte: not a line of text");
		else
			one_line(c, buf);
	}
	if (ferror(f)) {
		fprintf(stderr, "jobctl: import crontab: %s: %m\n", path);
		if (f != stdin)
			fclose(f);
		return -1;
	}
	if (f != stdin)
		fclose(f);
	file_end(c);
	return 0;
}

static const char *
invoking_user(void)
{
	struct passwd *pw = getpwuid(getuid());

	return pw ? pw->pw_name : "root";
}

int
import_crontab(const struct import_args *a, struct import_out *o)
{
	struct crontab c = {
		.args = a,
		.o = o,
		.jobs = import_names_new(),
		.alerts = import_names_new(),
		.shell = xstrdup(CRON_SHELL),
	};
	_cleanup_free_ char *files = import_quote_words(a->files);
	size_t i;
	int r = 0;

	c.user = a->user ?: xstrdup(invoking_user());
	import_header(o, "Written by jobctl import crontab%s from %s.",
	    a->system ? " --system" : "", files);
	if (!a->system)
		import_header(o, "A user crontab: its jobs run as %s (--user "
		    "names another).", c.user);
	import_header(o, "Each job runs what cron ran: the command through "
	    "SHELL -c, in the user's home, at the same times (DST too).");
	for (i = 0; a->files[i] && r == 0; i++)
		r = one_file(&c, a->files[i], i == 0);
	if (!a->user)
		free((char *)c.user);
	free(c.shell);
	free(c.home);
	free(c.zone);
	free(c.alert);
	strv_free(c.set);
	strv_free(c.set_here);
	strv_free(c.mailto_values);
	strv_free(c.mailto_alerts);
	import_names_free(c.jobs);
	import_names_free(c.alerts);
	return r;
}
