/* The configuration keys: one table of {section, key, parser, offset} and
 * the value parsers it points to.  Parsers are pure (the one exception
 * checks that include_dir= exists) and only say what is wrong with a value;
 * config.c adds "file:line: key: " and decides what to do about it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config-internal.h"
#include "signame.h"
#include "strv.h"
#include "xmalloc.h"

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

const char *const output_mode_name[OUTPUT_NMODES] = {
	[OUTPUT_JOURNAL] = "journal",
	[OUTPUT_FILE] = "file",
	[OUTPUT_INHERIT] = "inherit",
	[OUTPUT_NULL] = "null",
};

static int
parse_string(const char *value, void *dst, const char *dir UNUSED,
    char **cause UNUSED)
{
	char **p = dst;

	free(*p);
	*p = xstrdup(value);
	return 0;
}

static int
parse_command(const char *value, void *dst, const char *dir,
    char **cause)
{
	/* Split later, once shell= is known (config_job_build_command). */
	if (!*value)
		return config_fail(cause, xstrdup("empty command"));
	return parse_string(value, dst, dir, cause);
}

static int
parse_bool(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	bool *p = dst;
	size_t i;

	for (i = 0; i < ELEMENTSOF(yes); i++) {
		if (!strcasecmp(value, yes[i]) || !strcasecmp(value, no[i])) {
			*p = !strcasecmp(value, yes[i]);
			return 0;
		}
	}
	return config_fail(cause, xstrfmt("invalid boolean '%s': expected yes, no, "
	    "true, false, on, off, 1 or 0", value));
}

static int
parse_timespan(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	_cleanup_free_ char *why = NULL;
	usec_t *p = dst;

	if (timespan_parse(value, p, &why) < 0)
		return config_fail(cause, xstrfmt("invalid time span '%s': %s", value,
		    why));
	return 0;
}

static int
parse_timeout(const char *value, void *dst, const char *dir, char **cause)
{
	usec_t *p = dst;
	int r;

	/* timeout=infinity means what 0 means: no timeout. */
	r = parse_timespan(value, dst, dir, cause);
	if (r == 0 && *p == USEC_INFINITY)
		*p = 0;
	return r;
}

static int
parse_path_interval(const char *value, void *dst, const char *dir,
    char **cause)
{
	usec_t *p = dst;
	int r;

	r = parse_timespan(value, dst, dir, cause);
	if (r == 0 && (*p < CONFIG_MIN_PATH_INTERVAL ||
	    *p > CONFIG_MAX_PATH_INTERVAL))
		return config_fail(cause, xstrfmt("invalid interval '%s': "
		    "expected 100ms to 1d", value));
	return r;
}

static int
parse_signal(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	int *p = dst, sig;

	sig = signal_from_string(value);
	if (sig < 0)
		return config_fail(cause, xstrfmt("invalid signal '%s'", value));
	*p = sig;
	return 0;
}

static int
parse_output(const char *value, void *dst, const char *dir UNUSED,
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

static int
parse_path(const char *value, void *dst, const char *dir, char **cause)
{
	if (value[0] != '/')
		return config_fail(cause, xstrfmt("invalid path '%s': not absolute",
		    value));
	return parse_string(value, dst, dir, cause);
}

/* An absolute path, or "~": the home of the run's user. */
static int
parse_workdir(const char *value, void *dst, const char *dir, char **cause)
{
	if (!strcmp(value, "~"))
		return parse_string(value, dst, dir, cause);
	return parse_path(value, dst, dir, cause);
}

static int
parse_socket(const char *value, void *dst, const char *dir, char **cause)
{
	/* sizeof(sun_path) is 108 and the path needs its NUL. */
	if (strlen(value) > 107)
		return config_fail(cause, xstrfmt("invalid path '%s': longer than "
		    "107 bytes", value));
	return parse_path(value, dst, dir, cause);
}

/* User and group names as useradd and systemd accept them, or a numeric
 * id.  Only syntax: looking names up would block the loop on NSS. */
static bool
user_name_is_valid(const char *s)
{
	size_t n = strlen(s), i;
	char *end;

	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		return strtoul(s, &end, 10) < 4294967295UL && !errno &&
		    !*end && n <= 10;
	}
	if (n == 0 || n > 32 || s[0] == '-' || s[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '$' && i == n - 1 && i > 0)
			continue;
		if (!strchr(ALNUM "_.-", s[i]))
			return false;
	}
	return true;
}

static int
parse_user(const char *value, void *dst, const char *dir, char **cause)
{
	if (!user_name_is_valid(value))
		return config_fail(cause, xstrfmt("invalid user name '%s'", value));
	return parse_string(value, dst, dir, cause);
}

static int
parse_group(const char *value, void *dst, const char *dir, char **cause)
{
	if (!user_name_is_valid(value))
		return config_fail(cause, xstrfmt("invalid group name '%s'", value));
	return parse_string(value, dst, dir, cause);
}

static int
parse_environment(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	_cleanup_(strv_freep) char **words = NULL;
	char ***env = dst;
	size_t i;

	if (config_split_words(value, &words, cause) < 0)
		return -EINVAL;
	for (i = 0; words[i]; i++)
		if (!strv_env_assignment_is_valid(words[i]))
			return config_fail(cause, xstrfmt("invalid assignment '%s'",
			    words[i]));
	for (i = 0; words[i]; i++) {
		*env = strv_env_set(*env, words[i]);
		if (strv_length(*env) > CONFIG_MAX_ENV)
			return config_fail(cause, xstrfmt("too many entries (max %d)",
			    CONFIG_MAX_ENV));
	}
	return 0;
}

static int
parse_size(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	unsigned long long v;
	size_t *p = dst;
	char *end;

	errno = 0;
	v = strtoull(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || errno || end == value)
		goto bad;
	if ((*end == 'K' || *end == 'k') && end[1] == '\0')
		v = v > CONFIG_MAX_TAIL_SIZE ? v : v * 1024;
	else if ((*end == 'M' || *end == 'm') && end[1] == '\0')
		v = v > CONFIG_MAX_TAIL_SIZE ? v : v * 1024 * 1024;
	else if (*end != '\0')
		goto bad;
	if (v < 1024 || v > CONFIG_MAX_TAIL_SIZE)
		return config_fail(cause, xstrfmt("invalid size '%s': must be between "
		    "1K and 16M", value));
	*p = (size_t)v;
	return 0;
bad:
	return config_fail(cause, xstrfmt("invalid size '%s': expected a number of "
	    "bytes with an optional K or M suffix", value));
}

/* A number of runs to keep: 0 means no limit. */
static int
parse_count(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || errno || *end || v > 1000000000)
		return config_fail(cause, xstrfmt("invalid count '%s': expected 0 (no "
		    "limit) to 1000000000", value));
	*(int64_t *)dst = (int64_t)v;
	return 0;
}

/* An age: a time span, 0 or infinity meaning no limit. */
static int
parse_age(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	_cleanup_free_ char *why = NULL;
	usec_t v;

	if (timespan_parse(value, &v, &why) < 0)
		return config_fail(cause, xstrfmt("invalid time span '%s': %s", value,
		    why));
	*(int64_t *)dst = v == USEC_INFINITY || v > INT64_MAX ? 0 :
	    (int64_t)v;
	return 0;
}

static const char *const sync_name[] = { "normal", "full" };

static CONFIG_ENUM_PARSER(parse_sync, bool, sync_name, 2)

static const char *const cgroups_name[] = { "auto", "no", "yes" };

static CONFIG_ENUM_PARSER(parse_cgroups, int, cgroups_name, 3)

/* A size in bytes with an optional K, M or G suffix (1024-based). */
static int
parse_bytes(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || errno || end == value)
		return config_fail(cause, xstrfmt("invalid size '%s': expected bytes "
		    "with an optional K, M or G", value));
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

static int
parse_include_dir(const char *value, void *dst, const char *dir,
    char **cause)
{
	_cleanup_free_ char *joined = NULL;
	struct stat st;
	char **p = dst, *abs;

	if (value[0] == '/' || !dir)
		joined = xstrdup(value);
	else
		joined = xstrfmt("%s/%s", dir, value);
	if (stat(joined, &st) < 0)
		return config_fail(cause, xstrfmt("invalid directory '%s': %s", value,
		    strerror(errno)));
	if (!S_ISDIR(st.st_mode))
		return config_fail(cause, xstrfmt("invalid directory '%s': %s", value,
		    strerror(ENOTDIR)));
	abs = realpath(joined, NULL);
	if (!abs)
		return config_fail(cause, xstrfmt("invalid directory '%s': %s", value,
		    strerror(errno)));
	free(*p);
	*p = abs;
	return 0;
}

#define JOBD(k, fn, field) \
	{ CONFIG_SECTION_JOBD, k, fn, offsetof(struct config, field), false }
/* Keys of [job NAME] and [service NAME] alike. */
#define JOB(k, fn, field, rep) \
	{ CONFIG_SECTION_UNIT, k, fn, offsetof(struct job_config, field), rep }
/* Keys of [semaphore NAME]. */
#define SEM(k, fn, field) \
	{ CONFIG_SECTION_SEMAPHORE, k, fn, \
	    offsetof(struct config_semaphore, field), false }
/* Keys of [job NAME] only (schedules). */
#define JOBONLY(k, fn, field, rep) \
	{ CONFIG_SECTION_JOB, k, fn, offsetof(struct job_config, field), rep }
/* Keys of [service NAME] only. */
#define SVC(k, fn, field, rep) \
	{ CONFIG_SECTION_SERVICE, k, fn, offsetof(struct job_config, field), \
	    rep }

const struct config_key config_keys[] = {
	JOBD("include_dir", parse_include_dir, include_dir),
	JOBD("socket", parse_socket, socket_path),
	JOBD("state_dir", parse_path, state_dir),
	JOBD("output_tail", parse_size, tail_size),
	JOBD("drain_timeout", parse_timespan, drain_timeout),
	JOBD("history_max_runs", parse_count, history_max_runs),
	JOBD("history_max_age", parse_age, history_max_age),
	JOBD("ledger_sync", parse_sync, ledger_sync_full),
	JOBD("max_running", config_parse_count, max_running),
	JOBD("socket_group", parse_group, socket_group),
	JOBD("cgroups", parse_cgroups, cgroups),
	JOBD("admin_group", parse_group, admin_group),
	{ CONFIG_SECTION_JOBD, "pass_environment", config_parse_env_names,
	    offsetof(struct config, pass_environment), true },
	JOBD("control_idle_timeout", parse_timeout, control_idle_timeout),
	SEM("limit", config_parse_limit, limit),
	JOB("command", parse_command, command_line, false),
	JOB("shell", parse_bool, shell, false),
	JOB("environment", parse_environment, environment, true),
	JOB("working_directory", parse_workdir, working_directory, false),
	JOB("user", parse_user, user, false),
	JOB("group", parse_group, group, false),
	JOB("timeout", parse_timeout, timeout, false),
	JOB("stop_timeout", parse_timespan, stop_timeout, false),
	JOB("stop_signal", parse_signal, stop_signal, false),
	JOB("output", parse_output, output, false),
	JOB("output_file", parse_path, output_file, false),
	JOB("output_file_max", parse_bytes, output_file_max, false),
	JOB("output_file_keep", config_parse_count, output_file_keep, false),
	JOB("description", parse_string, description, false),
	JOB("history_max_runs", parse_count, history_max_runs, false),
	JOB("history_max_age", parse_age, history_max_age, false),
	JOBONLY("schedule", config_parse_schedule, sched, true),
	JOBONLY("timezone", config_parse_timezone, sched, false),
	JOBONLY("every", parse_timespan, sched.every, false),
	JOBONLY("on_boot", config_parse_on_boot, sched, false),
	JOBONLY("dst_gap", config_parse_dst_gap, sched.dst.gap, false),
	JOBONLY("dst_repeat", config_parse_dst_repeat, sched.dst.repeat, false),
	JOBONLY("catch_up", config_parse_catch_up, sched.catch_up, false),
	JOBONLY("catch_up_max", config_parse_small_count, sched.catch_up_max,
	    false),
	JOBONLY("starting_deadline", parse_timespan, sched.starting_deadline,
	    false),
	JOBONLY("jitter", parse_timespan, sched.jitter, false),
	JOBONLY("overlap", config_parse_overlap, sched.overlap, false),
	JOBONLY("queue_max", config_parse_small_count, sched.queue_max, false),
	JOB("after", config_parse_names, after, true),
	JOB("wants", config_parse_names, wants, true),
	JOB("requires", config_parse_names, requires, true),
	JOB("allow_start", config_parse_principals, allow_start, true),
	JOB("lock", config_parse_names, policy.locks, true),
	JOB("semaphore", config_parse_names, policy.semaphores, true),
	JOB("max_running", config_parse_count, policy.max_running, false),
	JOB("wait_event", config_parse_name, policy.wait_event, false),
	JOBONLY("on_event", config_parse_names, policy.on_event, true),
	JOB("pending_timeout", parse_timespan, policy.pending_timeout, false),
	JOBONLY("on_path_changed", config_parse_paths, policy.on_path_changed,
	    true),
	JOBONLY("on_path_exists", config_parse_paths, policy.on_path_exists,
	    true),
	JOBONLY("on_directory_not_empty", config_parse_paths,
	    policy.on_directory_not_empty, true),
	JOBONLY("path_trigger_interval", parse_path_interval,
	    policy.path_interval, false),
	JOB("condition_path_exists", config_parse_paths,
	    policy.condition_path_exists, true),
	JOB("condition_directory_not_empty", config_parse_paths,
	    policy.condition_directory_not_empty, true),
	JOB("condition_command", parse_string, policy.condition_command,
	    false),
	JOBONLY("retry", config_parse_count, policy.retry, false),
	JOBONLY("retry_sec", parse_timespan, policy.retry_sec, false),
	JOBONLY("retry_max_sec", parse_timespan, policy.retry_max_sec, false),
	JOBONLY("retry_on", config_parse_retry_on, policy, false),
	JOB("on_failure", config_parse_names, policy.on_failure, true),
	JOB("on_success", config_parse_names, policy.on_success, true),
	JOB("notify_on", config_parse_notify_on, policy.notify_on, false),
	JOB("supplementary_groups", config_parse_names,
	    exec.supplementary_groups, true),
	JOB("umask", config_parse_umask, exec.umask, false),
	JOB("nice", config_parse_nice, exec, false),
	JOB("limit_nofile", config_parse_limit_nofile, exec.rlimits, false),
	JOB("limit_core", config_parse_limit_core, exec.rlimits, false),
	JOB("limit_as", config_parse_limit_as, exec.rlimits, false),
	JOB("limit_nproc", config_parse_limit_nproc, exec.rlimits, false),
	JOB("limit_fsize", config_parse_limit_fsize, exec.rlimits, false),
	JOB("limit_stack", config_parse_limit_stack, exec.rlimits, false),
	JOB("limit_cpu", config_parse_limit_cpu, exec.rlimits, false),
	JOB("limit_memlock", config_parse_limit_memlock, exec.rlimits, false),
	JOB("limit_data", config_parse_limit_data, exec.rlimits, false),
	JOB("no_new_privileges", parse_bool, exec.no_new_privileges, false),
	JOB("stdin", config_parse_stdin, exec, false),
	JOB("environment_file", config_parse_paths, exec.environment_files,
	    true),
	JOB("clear_environment", parse_bool, exec.clear_environment, false),
	JOB("pass_environment", config_parse_env_names,
	    exec.pass_environment, true),
	SVC("autostart", parse_bool, svc.autostart, false),
	SVC("restart", config_parse_restart, svc.restart, false),
	SVC("success_exit_status", config_parse_exit_status, svc, true),
	SVC("restart_sec", parse_timespan, svc.restart_sec, false),
	SVC("restart_max_sec", parse_timespan, svc.restart_max_sec, false),
	SVC("stable_after", parse_timespan, svc.stable_after, false),
	SVC("start_limit_burst", config_parse_small_count,
	    svc.start_limit_burst, false),
	SVC("start_limit_interval", parse_timespan, svc.start_limit_interval,
	    false),
	SVC("start_limit_action", config_parse_start_limit_action,
	    svc.start_limit_action, false),
	SVC("ready", config_parse_ready, svc, false),
	SVC("start_timeout", parse_timespan, svc.start_timeout, false),
	SVC("ready_after", parse_timespan, svc.ready_after, false),
	SVC("watchdog_sec", parse_timespan, svc.watchdog_sec, false),
	SVC("reload_signal", parse_signal, svc.reload_signal, false),
};

const size_t config_nkeys = ELEMENTSOF(config_keys);

const struct config_key *
config_key_find(enum config_section section, const char *name)
{
	size_t i;

	for (i = 0; i < config_nkeys; i++)
		if ((config_keys[i].section & section) &&
		    !strcmp(config_keys[i].name, name))
			return &config_keys[i];
	return NULL;
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
		return config_fail(cause, xstrfmt("invalid command '%s': %s", line,
		    why));
	if (strv_length(argv) == 0)
		return config_fail(cause, xstrdup("empty command"));
	if (strv_length(argv) > CONFIG_MAX_ARGS)
		return config_fail(cause, xstrfmt("too many arguments (max %d)",
		    CONFIG_MAX_ARGS));
	strv_free(job->command);
	job->command = TAKE_PTR(argv);
	return 0;
}
