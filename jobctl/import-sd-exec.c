/* What the unit runs: command= from ExecStartPre=, ExecStart= and
 * ExecStartPost=.  One command with nothing systemd would expand stays
 * words; anything more becomes one /bin/sh line that does what systemd
 * does: the commands one after the other, stopping at the first failure
 * (a '-' command's failure ignored), $VAR and ${VAR} expanded from the
 * environment, and with User= and a '+' command the others run through
 * runuser(1) while the '+' ones run as root.  ExecReload= and ExecStop=
 * that only signal $MAINPID, and ExecCondition=, are here too. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "import-sd.h"
#include "signame.h"
#include "strv.h"
#include "xmalloc.h"

enum { PRE, START, POST, NLISTS };
static const char *const list_keys[NLISTS] = {
	"ExecStartPre", "ExecStart", "ExecStartPost",
};

struct cmd {
	struct sd_line *line;
	char **argv;
	char *argv0;		/* '@': the argv[0] jobd cannot give */
	bool ignore;		/* '-' */
	bool elevated;		/* '+' or '!' */
	bool no_env;		/* ':' */
	bool dbl;		/* "!!" */
};

struct cmds {
	struct cmd *v;
	size_t n;
};

static void
cmds_free(struct cmds *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		strv_free(l->v[i].argv);
		free(l->v[i].argv0);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Prefixes of the first word (systemd.service(5), "Command lines"). */
static int
prefixes(struct cmd *cmd, char **word)
{
	char *p = *word;

	for (; *p && strchr("@-:+!", *p); p++) {
		if (p[0] == '!' && p[1] == '!') {
			cmd->dbl = true;
			p++;
		} else if (*p == '!' || *p == '+')
			cmd->elevated = true;
		else if (*p == '-')
			cmd->ignore = true;
		else if (*p == ':')
			cmd->no_env = true;
		else
			cmd->argv0 = xstrdup("");
	}
	if (!*p)
		return -EINVAL;
	memmove(*word, p, strlen(p) + 1);
	return 0;
}

/* One command from words [from, to) of line l, specifiers expanded. */
static int
make_cmd(struct sd_unit *u, struct sd_line *l, char **w, size_t from,
    size_t to, struct cmd *cmd, char **cause)
{
	size_t i;

	memset(cmd, 0, sizeof(*cmd));
	cmd->line = l;
	for (i = from; i < to; i++) {
		char *v = sd_specifiers(u, w[i], cause);

		if (!v)
			return -EINVAL;
		if (strchr(v, '\n')) {
			free(v);
			*cause = xstrdup("an argument holds a newline, and "
			    "jobd's values are one line");
			return -EINVAL;
		}
		cmd->argv = strv_push(cmd->argv, v);
	}
	if (!cmd->argv || prefixes(cmd, &cmd->argv[0]) < 0) {
		*cause = xstrdup("no program to run");
		return -EINVAL;
	}
	if (cmd->argv0) {
		if (!cmd->argv[1]) {
			*cause = xstrdup("'@' without the argv[0] after the "
			    "program");
			return -EINVAL;
		}
		free(cmd->argv0);
		cmd->argv0 = cmd->argv[1];
		memmove(cmd->argv + 1, cmd->argv + 2,
		    strv_length(cmd->argv + 2) * sizeof(char *) +
		    sizeof(char *));
	}
	return 0;
}

/* Adds the commands of line l (several when lone ';' words part them). */
static int
parse_line(struct sd_unit *u, struct sd_line *l, struct cmds *list,
    char **cause)
{
	_cleanup_(strv_freep) char **w = NULL, **raw = NULL;
	size_t from = 0, i;

	if (sd_words(l->value, &w, &raw, cause) < 0)
		return -EINVAL;
	for (i = 0;; i++) {
		if (w[i] && strcmp(raw[i], ";"))
			continue;
		if (i > from) {
			struct cmd cmd;

			if (make_cmd(u, l, w, from, i, &cmd, cause) < 0) {
				strv_free(cmd.argv);
				free(cmd.argv0);
				return -EINVAL;
			}
			list->v = xreallocarray(list->v, list->n + 1,
			    sizeof(*list->v));
			list->v[list->n++] = cmd;
		}
		from = i + 1;
		if (!w[i])
			break;
	}
	return 0;
}

/* Reads the three lists; an empty value resets its list. */
static void
collect(struct sd_ctx *c, struct cmds lists[NLISTS])
{
	struct sd_unit *u = c->service;
	size_t i, k, j;

	for (i = 0; i < u->n; i++) {
		struct sd_line *l = &u->lines[i];
		_cleanup_free_ char *cause = NULL;

		for (k = 0; k < NLISTS; k++)
			if (l->key && l->section &&
			    !strcmp(l->section, "Service") &&
			    !strcmp(l->key, list_keys[k]))
				break;
		if (k == NLISTS)
			continue;
		if (!*l->value) {
			for (j = 0; j < lists[k].n; j++) {
				char *at = sd_line_ref(l, lists[k].v[j].line);

				sd_unmapped(c, lists[k].v[j].line, "reset by "
				    "the empty %s= at %s", l->key, at);
				free(at);
			}
			cmds_free(&lists[k]);
			sd_note(c, l, "(clears the %s= lines before it)",
			    l->key);
			continue;
		}
		if (parse_line(u, l, &lists[k], &cause) < 0)
			sd_unmapped(c, l, "%s", cause);
	}
}

/* Whether a word needs the shell: systemd expands $NAME and ${NAME}. */
static bool
has_env(const struct cmd *cmd)
{
	size_t i;

	for (i = 0; !cmd->no_env && cmd->argv[i]; i++)
		if (strchr(cmd->argv[i], '$'))
			return true;
	return false;
}

static bool
env_name_char(char ch, bool first)
{
	return ascii_isalpha(ch) || ch == '_' || (!first && ascii_isdigit(ch));
}

static void
append(char **s, const char *t)
{
	char *n = xstrfmt("%s%s", *s ? *s : "", t);

	free(*s);
	*s = n;
}

static void
append_literal(char **s, const char *t, size_t len)
{
	_cleanup_free_ char *lit = xstrndup(t, len), *q = NULL;

	if (!len)
		return;
	q = import_quote_word(lit);
	append(s, q);
}

/* A word for the shell: literal parts quoted, ${NAME} as "${NAME}" (one
 * word, as systemd gives it), a word that is $NAME alone as $NAME (split
 * at blanks, as systemd splits it), $$ as a '$'. */
static char *
shell_word(const char *w, bool expand)
{
	const char *p = w, *lit = w;
	char *s = NULL;

	if (!expand)
		return import_quote_word(w);
	if (w[0] == '$' && env_name_char(w[1], true)) {
		for (p = w + 2; env_name_char(*p, false); p++)
			;
		if (!*p)
			return xstrdup(w);
	}
	for (p = w; *p; p++) {
		const char *e;

		if (p[0] == '$' && p[1] == '$') {
			append_literal(&s, lit, p + 1 - lit);
			p++;
			lit = p + 1;
		} else if (p[0] == '$' && p[1] == '{' &&
		    env_name_char(p[2], true)) {
			char *v;

			for (e = p + 3; env_name_char(*e, false); e++)
				;
			if (*e != '}')
				continue;
			append_literal(&s, lit, p - lit);
			v = xstrfmt("\"%.*s\"", (int)(e - p + 1), p);
			append(&s, v);
			free(v);
			p = e;
			lit = e + 1;
		}
	}
	append_literal(&s, lit, p - lit);
	return s ? s : xstrdup("''");
}

/* Who the commands without '+' run as, when some have it. */
struct runas {
	const char *user, *group;
};

static char *
render(const struct cmd *cmd, const struct runas *ra, bool exec, bool wrap)
{
	char *s = NULL, *w;
	size_t i;

	if (exec && !cmd->ignore)
		append(&s, "exec ");
	if (ra && !cmd->elevated) {
		w = xstrfmt("runuser -u %s%s%s -- ", ra->user,
		    ra->group ? " -g " : "", ra->group ? ra->group : "");
		append(&s, w);
		free(w);
	}
	for (i = 0; cmd->argv[i]; i++) {
		if (i > 0)
			append(&s, " ");
		w = shell_word(cmd->argv[i], !cmd->no_env);
		append(&s, w);
		free(w);
	}
	if (cmd->ignore) {
		w = xstrfmt(wrap ? "{ %s || :; }" : "%s || :", s);
		free(s);
		s = w;
	}
	return s;
}

/* The value of User= and Group= (specifiers expanded), or NULL. */
static char *
line_value(struct sd_ctx *c, const char *key)
{
	struct sd_line *l = sd_unit_find(c->service, "Service", key);
	_cleanup_free_ char *cause = NULL;

	return l && *l->value ? sd_specifiers(c->service, l->value, &cause) :
	    NULL;
}

/* ExecStartPost= of a long-running service runs beside it, and more than
 * one ExecStart= is for Type=oneshot only: listed, not run. */
static void
drop_service_extras(struct sd_ctx *c, struct cmds lists[NLISTS])
{
	size_t i;

	if (c->job)
		return;
	for (i = 0; i < lists[POST].n; i++)
		sd_unmapped(c, lists[POST].v[i].line, "runs beside the "
		    "service once it has started: jobd has no such command "
		    "(start it from the service, or use a job with after=)");
	cmds_free(&lists[POST]);
	for (i = 1; i < lists[START].n; i++) {
		sd_unmapped(c, lists[START].v[i].line, "systemd refuses more "
		    "than one ExecStart= but for Type=oneshot");
		strv_free(lists[START].v[i].argv);
		free(lists[START].v[i].argv0);
	}
	if (lists[START].n > 1)
		lists[START].n = 1;
}

/* With User= and a '+' or '!' command, the job runs as root and the
 * other commands through runuser; User= and Group= say so. */
static bool
set_runas(struct sd_ctx *c, struct cmd *all, size_t n, struct runas *ra)
{
	struct sd_line *ul = sd_unit_find(c->service, "Service", "User");
	struct sd_line *gl = sd_unit_find(c->service, "Service", "Group");
	size_t i;

	for (i = 0; i < n && !all[i].elevated; i++)
		;
	ra->user = NULL;
	if (i == n || !ul || !*ul->value)
		return false;
	ra->user = line_value(c, "User");
	ra->group = line_value(c, "Group");
	if (!ra->user)
		return false;
	c->elevated = true;
	sd_note(c, ul, "no user=: the job runs as root, and its commands "
	    "without '+' or '!' as %s through runuser(1)", ra->user);
	if (gl)
		sd_note(c, gl, "(given to runuser -g)");
	return true;
}

static void
emit(struct sd_ctx *c, struct cmd *all, size_t n, const struct runas *ra)
{
	bool shell = n > 1 || ra != NULL;
	char *line = NULL, *part;
	size_t i;

	for (i = 0; i < n; i++)
		shell |= all[i].ignore || has_env(&all[i]);
	for (i = 0; i < n; i++) {
		sd_origin(c, all[i].line);
		if (all[i].argv0)
			import_note(c->o, "argv[0] '%s' is dropped: jobd "
			    "starts %s with its own name as argv[0]",
			    all[i].argv0, all[i].argv[0]);
		if (all[i].dbl || (all[i].elevated && !ra))
			import_note(c->o, "'%s' makes no difference here: "
			    "%s", all[i].dbl ? "!!" : "+", all[i].dbl ?
			    "the kernel has ambient capabilities" :
			    "jobd does not sandbox the job, and it has "
			    "no User=");
	}
	if (!shell) {
		part = import_quote_words(all[0].argv);
		import_key(c->o, "command", "%s", part);
		free(part);
		return;
	}
	if (n > 1)
		import_note(c->o, "one after the other, stopping at the first "
		    "that fails, as systemd runs them");
	for (i = 0; i < n; i++) {
		part = render(&all[i], ra, i == n - 1 && (!c->job || n == 1),
		    n > 1);
		if (line)
			append(&line, " && ");
		append(&line, part);
		free(part);
	}
	import_key(c->o, "shell", "yes");
	import_key(c->o, "command", "%s", line);
	free(line);
}

void
sd_exec_map(struct sd_ctx *c)
{
	struct cmds lists[NLISTS] = { 0 };
	struct cmd *all = NULL;
	struct runas ra = { 0 };
	size_t n = 0, k;
	bool runas;

	collect(c, lists);
	drop_service_extras(c, lists);
	for (k = 0; k < NLISTS; k++) {
		all = xreallocarray(all, n + lists[k].n + 1, sizeof(*all));
		if (lists[k].n)
			memcpy(all + n, lists[k].v, lists[k].n * sizeof(*all));
		n += lists[k].n;
	}
	if (lists[START].n == 0) {
		for (k = 0; k < n; k++)
			sd_unmapped(c, all[k].line, "there is no ExecStart= to "
			    "run it with");
		/* No command: jobd needs one; say so where it is used. */
		import_note(c->o, "the unit has no ExecStart=: write the "
		    "command");
		import_key(c->o, "command", "/bin/true");
	} else {
		runas = set_runas(c, all, n, &ra);
		emit(c, all, n, runas ? &ra : NULL);
	}
	free((char *)ra.user);
	free((char *)ra.group);
	free(all);
	for (k = 0; k < NLISTS; k++)
		cmds_free(&lists[k]);
}

/* "kill -HUP $MAINPID", "/bin/kill -s USR1 ${MAINPID}": the signal. */
static const char *
kill_signal(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_(strv_freep) char **w = NULL;
	_cleanup_free_ char *cause = NULL;
	const char *sig, *prog;
	size_t n;

	if (sd_words(l->value, &w, NULL, &cause) < 0 || !w[0])
		return NULL;
	n = strv_length(w);
	prog = w[0] + strspn(w[0], "@-:+!");
	if (strcmp(prog, "kill") && strcmp(prog, "/bin/kill") &&
	    strcmp(prog, "/usr/bin/kill"))
		return NULL;
	if (strcmp(w[n - 1], "$MAINPID") && strcmp(w[n - 1], "${MAINPID}"))
		return NULL;
	if (n == 4 && !strcmp(w[1], "-s"))
		sig = w[2];
	else if (n == 3 && w[1][0] == '-')
		sig = w[1] + 1;
	else
		return NULL;
	if (signal_from_string(sig) <= 0)
		return NULL;
	(void)c;
	return signal_to_string(signal_from_string(sig));
}

void
sd_exec_reload(struct sd_ctx *c, struct sd_line *l)
{
	const char *sig = kill_signal(c, l);

	if (c->job)
		sd_unmapped(c, l, "a job is not reloaded: it runs to its end");
	else if (sig && c->reload_set)
		sd_unmapped(c, l, "jobd sends one reload_signal=, set above");
	else if (sig) {
		c->reload_set = true;
		sd_key(c, l, "reload_signal", "%s", sig);
	}
	else
		sd_unmapped(c, l, "jobctl reload SERVICE sends reload_signal= "
		    "to the main process; jobd runs no reload command");
}

void
sd_exec_stop(struct sd_ctx *c, struct sd_line *l)
{
	const char *sig = kill_signal(c, l);

	if (sig && !c->stop_signal_set &&
	    !sd_unit_find(c->service, "Service", "KillSignal")) {
		c->stop_signal_set = true;
		sd_key(c, l, "stop_signal", "%s", sig);
	} else
		sd_unmapped(c, l, "jobd stops a run with stop_signal= (SIGKILL "
		    "after stop_timeout=); it runs no stop command");
}

void
sd_exec_condition(struct sd_ctx *c, struct sd_line *l)
{
	struct cmds list = { 0 };
	_cleanup_free_ char *cause = NULL;
	char *part = NULL, *r;
	size_t i;

	if (parse_line(c->service, l, &list, &cause) < 0) {
		sd_unmapped(c, l, "%s", cause);
		return;
	}
	for (i = 0; i < list.n; i++) {
		r = render(&list.v[i], NULL, false, list.n > 1);
		if (part)
			append(&part, " && ");
		append(&part, r);
		free(r);
	}
	cmds_free(&list);
	if (part)
		sd_condition_add(c, l, part, NULL);
	else
		sd_unmapped(c, l, "no command");
}
