/* Keys of issue-7 policy: locks, semaphores and limits, events, path
 * triggers and conditions, retries and hooks, and the exec context that
 * jobd-exec applies in the child.  Value parsers, the [semaphore NAME]
 * section, and the checks that names refer to something real. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "config-internal.h"
#include "strv.h"
#include "xmalloc.h"


/* Names: space separated, each 1-64 of [A-Za-z0-9_.@-]. */
int
config_parse_names(const char *value, void *dst, const char *dir,
    char **cause)
{
	_cleanup_(strv_freep) char **words = NULL;
	_cleanup_free_ char *why = NULL;
	char ***list = dst;
	size_t i;

	(void)dir;
	if (config_split_words(value, &words, cause) < 0)
		return -EINVAL;
	if (!words[0])
		return config_fail(cause, xstrdup("empty value"));
	for (i = 0; words[i]; i++) {
		if (config_job_name_check(words[i], &why) < 0)
			return config_fail(cause, xstrfmt("invalid name '%s'",
			    words[i]));
		if (strv_length(*list) >= CONFIG_MAX_DEPS)
			return config_fail(cause, xstrfmt("too many names (max "
			    "%d)", CONFIG_MAX_DEPS));
		if (!strv_contains(*list, words[i]))
			*list = strv_append(*list, words[i]);
	}
	return 0;
}

int
config_parse_name(const char *value, void *dst, const char *dir,
    char **cause)
{
	char **p = dst, *why = NULL;

	(void)dir;
	if (config_job_name_check(value, &why) < 0) {
		free(why);
		return config_fail(cause, xstrfmt("invalid name '%s'", value));
	}
	free(*p);
	*p = xstrdup(value);
	return 0;
}

/* Absolute paths, repeatable. */
int
config_parse_paths(const char *value, void *dst, const char *dir,
    char **cause)
{
	char ***list = dst;

	(void)dir;
	if (value[0] != '/')
		return config_fail(cause, xstrfmt("invalid path '%s': not "
		    "absolute", value));
	if (strv_length(*list) >= CONFIG_MAX_DEPS)
		return config_fail(cause, xstrfmt("too many paths (max %d)",
		    CONFIG_MAX_DEPS));
	*list = strv_append(*list, value);
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
config_parse_count(const char *value, void *dst, const char *dir,
    char **cause)
{
	unsigned long v;
	char *end;

	(void)dir;
	errno = 0;
	v = strtoul(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || errno || *end || v > 1000000)
		return config_fail(cause, xstrfmt("invalid count '%s': expected "
		    "0 to 1000000", value));
	*(unsigned *)dst = (unsigned)v;
	return 0;
}

int
config_parse_retry_on(const char *value, void *dst, const char *dir,
    char **cause)
{
	_cleanup_free_ char *copy = xstrdup(value);
	struct job_policy *p = dst;
	char *w, *save = NULL;

	(void)dir;
	p->retry_on_failed = p->retry_on_timeout = false;
	for (w = strtok_r(copy, ", ", &save); w;
	    w = strtok_r(NULL, ", ", &save)) {
		if (!strcmp(w, "failed"))
			p->retry_on_failed = true;
		else if (!strcmp(w, "timeout"))
			p->retry_on_timeout = true;
		else
			return config_fail(cause, xstrfmt("invalid result '%s': "
			    "expected failed or timeout", w));
	}
	return 0;
}

static const char *const notify_on_name[] = { "always", "change" };

CONFIG_ENUM_PARSER(config_parse_notify_on, enum notify_on, notify_on_name, 2)

int
config_parse_umask(const char *value, void *dst, const char *dir,
    char **cause)
{
	char *end;
	long v;

	(void)dir;
	v = strtol(value, &end, 8);
	if (*end || end == value || v < 0 || v > 0777)
		return config_fail(cause, xstrfmt("invalid umask '%s': expected "
		    "octal 0000-0777", value));
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
	return config_fail(cause, xstrfmt("invalid value '%s': expected null, "
	    "file:/PATH or data:TEXT", value));
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
		return config_fail(cause, xstrfmt("invalid limit '%s': expected "
		    "a number or infinity, optionally SOFT:HARD", value));
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

/* [semaphore NAME] */
int
config_parse_limit(const char *value, void *dst, const char *dir,
    char **cause)
{
	unsigned v = 0;
	int r = config_parse_count(value, &v, dir, cause);

	if (r == 0 && v == 0)
		return config_fail(cause, xstrdup("invalid limit '0': at least 1"));
	if (r == 0)
		*(unsigned *)dst = v;
	return r;
}

const struct config_semaphore *
config_find_semaphore(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsemaphores; i++)
		if (!strcmp(c->semaphores[i].name, name))
			return &c->semaphores[i];
	return NULL;
}

static int
units_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(struct job_config *const *)elem)->name);
}

/* A job (not a service) among units, which are sorted by name. */
static bool
units_has_job(struct job_config **units, size_t n, const char *name)
{
	struct job_config **u = bsearch(name, units, n, sizeof(*units),
	    units_cmp);

	return u && !(*u)->service;
}

static void
check_hooks(struct job_config **units, size_t n, struct job_config *u,
    char **hooks, const char *key,
    void (*error)(void *, const struct job_config *, const char *),
    void *ctx)
{
	char *msg;
	size_t k;

	for (k = 0; hooks && hooks[k]; k++) {
		if (units_has_job(units, n, hooks[k]))
			continue;
		msg = xstrfmt("%s: unknown job '%s'", key, hooks[k]);
		error(ctx, u, msg);
		free(msg);
	}
}

/* Names that must refer to something: semaphores and hook jobs. */
void
config_check_policy(const struct config *c, struct job_config **units,
    size_t n, void (*error)(void *, const struct job_config *,
    const char *), void *ctx)
{
	const struct job_policy *p;
	char *msg;
	size_t i, k;

	for (i = 0; i < n; i++) {
		p = &units[i]->policy;
		for (k = 0; p->semaphores && p->semaphores[k]; k++) {
			if (config_find_semaphore(c, p->semaphores[k]))
				continue;
			msg = xstrfmt("semaphore: no [semaphore %s] section",
			    p->semaphores[k]);
			error(ctx, units[i], msg);
			free(msg);
		}
		check_hooks(units, n, units[i], p->on_failure, "on_failure",
		    error, ctx);
		check_hooks(units, n, units[i], p->on_success, "on_success",
		    error, ctx);
	}
}

void
job_policy_free(struct job_policy *p)
{
	strv_free(p->locks);
	strv_free(p->semaphores);
	free(p->wait_event);
	strv_free(p->on_event);
	strv_free(p->on_path_changed);
	strv_free(p->on_path_exists);
	strv_free(p->on_directory_not_empty);
	strv_free(p->condition_path_exists);
	strv_free(p->condition_directory_not_empty);
	free(p->condition_command);
	strv_free(p->on_failure);
	strv_free(p->on_success);
}

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
job_policy_equal(const struct job_policy *a, const struct job_policy *b)
{
	return strv_equal(a->locks, b->locks) &&
	    strv_equal(a->semaphores, b->semaphores) &&
	    a->max_running == b->max_running &&
	    !strcmp(a->wait_event ? a->wait_event : "",
	    b->wait_event ? b->wait_event : "") &&
	    strv_equal(a->on_event, b->on_event) &&
	    a->pending_timeout == b->pending_timeout &&
	    strv_equal(a->on_path_changed, b->on_path_changed) &&
	    strv_equal(a->on_path_exists, b->on_path_exists) &&
	    strv_equal(a->on_directory_not_empty, b->on_directory_not_empty) &&
	    a->path_interval == b->path_interval &&
	    strv_equal(a->condition_path_exists, b->condition_path_exists) &&
	    strv_equal(a->condition_directory_not_empty,
	    b->condition_directory_not_empty) &&
	    !strcmp(a->condition_command ? a->condition_command : "",
	    b->condition_command ? b->condition_command : "") &&
	    a->retry == b->retry && a->retry_sec == b->retry_sec &&
	    a->retry_max_sec == b->retry_max_sec &&
	    a->retry_on_failed == b->retry_on_failed &&
	    a->retry_on_timeout == b->retry_on_timeout &&
	    strv_equal(a->on_failure, b->on_failure) &&
	    strv_equal(a->on_success, b->on_success) &&
	    a->notify_on == b->notify_on;
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

void
config_semaphores_free(struct config *c)
{
	size_t i;

	for (i = 0; i < c->nsemaphores; i++) {
		free(c->semaphores[i].name);
		free(c->semaphores[i].file);
	}
	free(c->semaphores);
}

/* allow_start=: user names and @group names, space separated. */
int
config_parse_principals(const char *value, void *dst, const char *dir,
    char **cause)
{
	_cleanup_(strv_freep) char **words = NULL;
	char ***list = dst;
	size_t i;

	(void)dir;
	if (config_split_words(value, &words, cause) < 0)
		return -EINVAL;
	for (i = 0; words[i]; i++) {
		const char *n = words[i][0] == '@' ? words[i] + 1 : words[i];

		if (!*n || strlen(n) > 64 || strspn(n, "abcdefghijklmnopqrstu"
		    "vwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
		    strlen(n))
			return config_fail(cause, xstrfmt("invalid user or "
			    "@group '%s'", words[i]));
		*list = strv_append(*list, words[i]);
	}
	return 0;
}
