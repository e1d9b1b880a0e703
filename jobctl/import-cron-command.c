/* The command field of a crontab line as cron reads it: the text up to
 * the first unescaped '%' is the command (with "\%" made '%'), the rest
 * is its standard input with each '%' a newline and a newline at the end
 * (Vixie cron's do_command.c).  And a name for the job, taken from what
 * the command runs. */
#include <stdlib.h>
#include <string.h>

#include "import-cron.h"
#include "strv.h"
#include "xmalloc.h"

void
cron_command_split(const char *field, char **ret_cmd, char **ret_input)
{
	char *cmd = xmalloc(strlen(field) + 1), *p = cmd, *in, *q;
	const char *s;

	*ret_input = NULL;
	for (s = field; *s; s++) {
		if (s[0] == '\\' && s[1] == '%') {
			*p++ = '%';
			s++;
		} else if (*s == '%')
			break;
		else
			*p++ = *s;
	}
	*p = '\0';
	*ret_cmd = cmd;
	if (*s != '%')
		return;
	/* \% is %, % is a newline, \x stays \x; a newline ends it. */
	in = q = xmalloc(2 * strlen(s) + 2);
	for (s++; *s; s++) {
		if (s[0] == '\\' && s[1] == '%') {
			*q++ = '%';
			s++;
		} else
			*q++ = *s == '%' ? '\n' : *s;
	}
	if (q == in || q[-1] != '\n')
		*q++ = '\n';
	*q = '\0';
	*ret_input = in;
}

/* The input as a stdin=text: value: \n, \t and \\ escaped. */
char *
cron_input_text(const char *input)
{
	char *out = xmalloc(2 * strlen(input) + 1), *p = out;

	for (; *input; input++) {
		if (*input == '\n' || *input == '\t' || *input == '\\') {
			*p++ = '\\';
			*p++ = *input == '\n' ? 'n' : *input == '\t' ? 't' :
			    '\\';
		} else
			*p++ = *input;
	}
	*p = '\0';
	return out;
}

static bool
is_keyword(const char *w)
{
	static const char *const kw[] = { "if", "then", "else", "elif", "fi",
	    "do", "done", "while", "until", "for", "case", "esac", "{", "}",
	    "(", ")", "!", "[", "]", "[[", "]]", "test", "true", "false",
	    "exec", "time", NULL };
	size_t i;

	for (i = 0; kw[i]; i++)
		if (!strcmp(w, kw[i]))
			return true;
	return false;
}

/* Programs that run another one named among their arguments. */
static bool
is_wrapper(const char *w)
{
	static const char *const wr[] = { "nice", "ionice", "env", "sudo",
	    "su", "timeout", "flock", "chronic", "nohup", "setsid", "run-parts",
	    "invoke-rc.d", "service", "systemctl", "cd", "command", "exec",
	    "xargs", "sh", "bash", "/bin/sh", "/bin/bash", "perl", "python3",
	    "php", NULL };
	const char *base = strrchr(w, '/') ? strrchr(w, '/') + 1 : w;
	size_t i;

	for (i = 0; wr[i]; i++)
		if (!strcmp(base, wr[i]) || !strcmp(w, wr[i]))
			return true;
	return false;
}

/* The words of the last simple command that runs something: operators
 * end a command, redirections, assignments and keywords are left out. */
static char **
last_command(const char *cmd)
{
	char **cur = NULL, **best = NULL;
	const char *s = cmd;
	size_t n;

	while (*s) {
		n = strcspn(s, " \t;&|()");
		/* 2>&1, >&2 and &> redirect: no '&' that ends a command. */
		if (*s == '&' && ((s > cmd && strchr("<>", s[-1])) ||
		    s[1] == '>')) {
			s++;
			s += s[0] == '>' ? 0 : strspn(s, "0123456789-");
			continue;
		}
		if (n == 0) {
			if (strchr(";&|()", *s) && cur) {
				strv_free(best);
				best = cur;
				cur = NULL;
			}
			s++;
			continue;
		}
		char *w = xstrndup(s, n);
		s += n;
		if (strchr("<>'\"$`", w[0]) || strchr(w, '=') || is_keyword(w) ||
		    (w[0] >= '0' && w[0] <= '9' && strchr(w, '>')))
			free(w);
		else
			cur = strv_push(cur, w);
	}
	if (cur) {
		strv_free(best);
		best = cur;
	}
	return best;
}

char *
cron_command_name(const char *cmd)
{
	char **v = last_command(cmd), *name;
	const char *pick = NULL, *base;
	size_t i;

	for (i = 0; v && v[i]; i++) {
		if (v[i][0] == '-' || !strcmp(v[i], "/dev/null") ||
		    !strcmp(v[i], "/"))
			continue;
		pick = v[i];
		if (!is_wrapper(v[i]))
			break;
	}
	if (!pick) {
		strv_free(v);
		return xstrdup("cron");
	}
	base = strrchr(pick, '/') && strrchr(pick, '/')[1] ?
	    strrchr(pick, '/') + 1 : pick;
	name = xstrdup(base);
	strv_free(v);
	return name;
}
