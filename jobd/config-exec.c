/* The keys of what a unit runs and how: command= (with shell=),
 * environment=, working_directory=, output=, and the exec context that
 * jobd-exec applies in the child (umask, nice, limits, stdin, environment
 * files, pass_environment).  Value parsers, and building the argv. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "strv.h"
#include "xmalloc.h"

const char *const output_mode_name[OUTPUT_NMODES] = {
	[OUTPUT_JOURNAL] = "journal",
	[OUTPUT_FILE] = "file",
	[OUTPUT_INHERIT] = "inherit",
	[OUTPUT_NULL] = "null",
};

int
config_parse_command(const char *value, void *dst, const char *dir,
    char **cause)
{
	/* Split later, once shell= is known (config_job_build_command). */
	if (!*value)
		return config_fail(cause, xstrdup("empty command"));
	return config_parse_string(value, dst, dir, cause);
}

int
config_job_build_command(struct job_config *job, char **cause)
{
	_cleanup_(strv_freep) char **argv = NULL;
	_cleanup_free_ char *why = NULL;
	const char *line = job->command_line;

	if (job->shell) {
		argv = strv_append(argv, "/bin/sh");
		argv = strv_append(argv, "-c");
		argv = strv_append(argv, line);
	} else if (strv_split_quoted(line, &argv, &why) < 0)
		return config_fail(cause, xstrfmt("invalid command '%s': %s",
		    line, why));
	if (strv_length(argv) == 0)
		return config_fail(cause, xstrdup("empty command"));
	if (strv_length(argv) > CONFIG_MAX_ARGS)
		return config_fail(cause, xstrfmt("too many arguments (max %d)",
		    CONFIG_MAX_ARGS));
	strv_free(job->command);
	job->command = TAKE_PTR(argv);
	return 0;
}

int
config_parse_environment(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	_cleanup_(strv_freep) char **words = NULL;
	char ***env = dst;
	size_t i;

	if (config_split_words(value, &words, cause) < 0)
		return -EINVAL;
	for (i = 0; words[i]; i++)
		if (!strv_env_assignment_is_valid(words[i]))
			return config_fail(cause, xstrfmt("invalid assignment "
			    "'%s'", words[i]));
	for (i = 0; words[i]; i++) {
		*env = strv_env_set(*env, words[i]);
		if (strv_length(*env) > CONFIG_MAX_ENV)
			return config_fail(cause, xstrfmt("too many entries "
			    "(max %d)", CONFIG_MAX_ENV));
	}
	return 0;
}

/* An absolute path, or "~": the home of the run's user. */
int
config_parse_workdir(const char *value, void *dst, const char *dir,
    char **cause)
{
	if (!strcmp(value, "~"))
		return config_parse_string(value, dst, dir, cause);
	return config_parse_path(value, dst, dir, cause);
}

int
config_parse_output(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	enum output_mode *p = dst;
	int i;

	for (i = 0; i < OUTPUT_NMODES; i++) {
		if (!strcmp(value, output_mode_name[i])) {
			*p = (enum output_mode)i;
			return 0;
		}
	}
	return config_fail(cause, xstrfmt("invalid output mode '%s': expected "
	    "journal, file, inherit or null", value));
}

/* A size in bytes with an optional K, M or G suffix (1024-based). */
int
config_parse_bytes(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || errno || end == value)
		return config_fail(cause, xstrfmt("invalid size '%s': expected "
		    "bytes with an optional K, M or G", value));
	if (*end && end[1])
		return config_fail(cause, xstrfmt("invalid size '%s'", value));
	switch (*end) {
	case 'G': case 'g': v <<= 10;	/* FALLTHROUGH */
	case 'M': case 'm': v <<= 10;	/* FALLTHROUGH */
	case 'K': case 'k': v <<= 10;	/* FALLTHROUGH */
	case '\0': break;
	default:
		return config_fail(cause, xstrfmt("invalid size '%s'", value));
	}
	*(uint64_t *)dst = v;
	return 0;
}

/* Variables that tie jobd to its own service manager: a run passed them
 * would speak to systemd in jobd's name. */
const char *const config_manager_env[] = {
	"NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
	"WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "INVOCATION_ID",
	"MAINPID", "MANAGERPID", NULL,
};

/* pass_environment=: names of jobd's own variables, space separated. */
int
config_parse_env_names(const char *value, void *dst, const char *dir,
    char **cause)
{
	_cleanup_(strv_freep) char **words = NULL;
	char ***list = dst;
	size_t i;

	(void)dir;
	if (config_split_words(value, &words, cause) < 0)
		return -EINVAL;
	for (i = 0; words[i]; i++) {
		char *probe = xstrfmt("%s=", words[i]);
		bool valid = strv_env_assignment_is_valid(probe);

		free(probe);
		if (!valid)
			return config_fail(cause, xstrfmt("invalid variable "
			    "name '%s'", words[i]));
		if (strv_contains((char **)config_manager_env, words[i]))
			return config_fail(cause, xstrfmt("'%s' belongs to "
			    "jobd's own service manager and is never passed "
			    "on", words[i]));
		if (strv_length(*list) >= CONFIG_MAX_ENV)
			return config_fail(cause, xstrfmt("too many variables "
			    "(max %d)", CONFIG_MAX_ENV));
		if (!strv_contains(*list, words[i]))
			*list = strv_append(*list, words[i]);
	}
	return 0;
}

int
config_parse_umask(const char *value, void *dst, const char *dir,
    char **cause)
{
	char *end;
	long v;

	(void)dir;
	v = strtol(value, &end, 8);
	if (*end || end == value || v < 0 || v > 0777)
		return config_fail(cause, xstrfmt("invalid umask '%s': "
		    "expected octal 0000-0777", value));
	*(int *)dst = (int)v;
	return 0;
}

int
config_parse_nice(const char *value, void *dst, const char *dir,
    char **cause)
{
	struct job_exec *e = dst;
	char *end;
	long v;

	(void)dir;
	v = strtol(value, &end, 10);
	if (*end || end == value || v < -20 || v > 19)
		return config_fail(cause, xstrfmt("invalid nice value '%s': "
		    "expected -20 to 19", value));
	e->nice = (int)v;
	e->has_nice = true;
	return 0;
}

/* stdin=text:: a value is one line, so lines are written \n (a crontab's
 * '%' becomes one); \t and \\ too, and nothing else after a '\'. */
static int
stdin_text(const char *s, char **ret, char **cause)
{
	char *out = xmalloc(strlen(s) + 1), *p = out;

	for (; *s; s++) {
		if (*s != '\\') {
			*p++ = *s;
			continue;
		}
		s++;
		if (*s == 'n' || *s == 't' || *s == '\\')
			*p++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : '\\';
		else {
			free(out);
			return config_fail(cause, xstrfmt("invalid escape "
			    "'\\%.1s' in stdin=text: (\\n, \\t and \\\\ are "
			    "known)", s));
		}
	}
	*p = '\0';
	*ret = out;
	return 0;
}

int
config_parse_stdin(const char *value, void *dst, const char *dir,
    char **cause)
{
	struct job_exec *e = dst;

	(void)dir;
	free(e->stdin_file);
	free(e->stdin_data);
	e->stdin_file = e->stdin_data = NULL;
	if (!strcmp(value, "null"))
		return 0;
	if (!strncmp(value, "file:", 5) && value[5] == '/') {
		e->stdin_file = xstrdup(value + 5);
		return 0;
	}
	if (!strncmp(value, "data:", 5)) {
		e->stdin_data = xstrdup(value + 5);
		return 0;
	}
	if (!strncmp(value, "text:", 5))
		return stdin_text(value + 5, &e->stdin_data, cause);
	return config_fail(cause, xstrfmt("invalid value '%s': expected null, "
	    "file:/PATH, data:TEXT or text:TEXT", value));
}

/* limit_NAME= values: a number or infinity, optionally SOFT:HARD. */
static bool
rlimit_value_ok(const char *s)
{
	char *end;

	if (!strncmp(s, "infinity", 8))
		return s[8] == '\0' || s[8] == ':';
	strtoull(s, &end, 10);
	return end != s && (*end == '\0' || *end == ':');
}

static int
parse_rlimit(const char *name, const char *value, void *dst, char **cause)
{
	char ***list = dst;
	const char *colon = strchr(value, ':');

	if (!rlimit_value_ok(value) || (colon && !rlimit_value_ok(colon + 1)))
		return config_fail(cause, xstrfmt("invalid limit '%s': "
		    "expected a number or infinity, optionally SOFT:HARD",
		    value));
	*list = strv_push(*list, xstrfmt("%s=%s", name, value));
	return 0;
}

#define RLIMIT_PARSER(n)						\
int									\
config_parse_limit_##n(const char *value, void *dst, const char *dir,	\
    char **cause)							\
{									\
	(void)dir;							\
	return parse_rlimit(#n, value, dst, cause);			\
}

RLIMIT_PARSER(nofile)
RLIMIT_PARSER(core)
RLIMIT_PARSER(as)
RLIMIT_PARSER(nproc)
RLIMIT_PARSER(fsize)
RLIMIT_PARSER(stack)
RLIMIT_PARSER(cpu)
RLIMIT_PARSER(memlock)
RLIMIT_PARSER(data)

void
job_exec_free(struct job_exec *e)
{
	strv_free(e->supplementary_groups);
	strv_free(e->rlimits);
	free(e->stdin_file);
	free(e->stdin_data);
	strv_free(e->environment_files);
	strv_free(e->pass_environment);
}

bool
job_exec_equal(const struct job_exec *a, const struct job_exec *b)
{
	return strv_equal(a->supplementary_groups, b->supplementary_groups) &&
	    a->umask == b->umask && a->has_nice == b->has_nice &&
	    a->nice == b->nice && strv_equal(a->rlimits, b->rlimits) &&
	    a->no_new_privileges == b->no_new_privileges &&
	    !strcmp(a->stdin_file ? a->stdin_file : "",
	    b->stdin_file ? b->stdin_file : "") &&
	    !strcmp(a->stdin_data ? a->stdin_data : "",
	    b->stdin_data ? b->stdin_data : "") &&
	    strv_equal(a->environment_files, b->environment_files) &&
	    a->clear_environment == b->clear_environment &&
	    strv_equal(a->pass_environment, b->pass_environment);
}
