/* The configuration keys: one table of {section, key, parser, offset}, and
 * the lookup of a key in a section.  The parsers it points to live with
 * their section (config-jobd.c, config-exec.c, config-sched.c,
 * config-service.c, config-policy.c, config-alert.c, config-group.c) or, for value types
 * several sections share, in config-value.c.  Parsers are pure (the one
 * exception checks that include_dir= exists) and only say what is wrong
 * with a value; config.c adds "file:line: key: " and decides what to do
 * about it. */
#include <string.h>

#include "config-internal.h"
#include "macro.h"

#define JOBD(k, fn, field) \
	{ CONFIG_SECTION_JOBD, k, fn, offsetof(struct config, field), false }
/* Keys of [job NAME] and [service NAME] alike. */
#define JOB(k, fn, field, rep) \
	{ CONFIG_SECTION_UNIT, k, fn, offsetof(struct job_config, field), rep }
/* Keys of [semaphore NAME]. */
#define SEM(k, fn, field) \
	{ CONFIG_SECTION_SEMAPHORE, k, fn, \
	    offsetof(struct config_semaphore, field), false }
/* Keys of [alert NAME]: the alert's own, and those of its command's
 * job. */
#define ALERT(k, fn, field, rep) \
	{ CONFIG_SECTION_ALERT, k, fn, offsetof(struct config_alert, field), \
	    rep }
#define ALERTJOB(k, fn, field) \
	{ CONFIG_SECTION_ALERT_JOB, k, fn, \
	    offsetof(struct job_config, field), false }
/* Keys of [cluster] (offsets in struct config_cluster, except database=,
 * whose parser takes the whole struct). */
#define CLUSTER(k, fn, field) \
	{ CONFIG_SECTION_CLUSTER, k, fn, \
	    offsetof(struct config_cluster, field), false }
/* Keys of [group NAME]. */
#define GROUP(k, fn, field, rep) \
	{ CONFIG_SECTION_GROUP, k, fn, offsetof(struct config_group, field), \
	    rep }
/* Keys of [job NAME] only (schedules). */
#define JOBONLY(k, fn, field, rep) \
	{ CONFIG_SECTION_JOB, k, fn, offsetof(struct job_config, field), rep }
/* Keys of [service NAME] only. */
#define SVC(k, fn, field, rep) \
	{ CONFIG_SECTION_SERVICE, k, fn, offsetof(struct job_config, field), \
	    rep }

const struct config_key config_keys[] = {
	JOBD("include_dir", config_parse_include_dir, include_dir),
	JOBD("socket", config_parse_socket, socket_path),
	JOBD("state_dir", config_parse_path, state_dir),
	JOBD("output_tail", config_parse_tail_size, tail_size),
	JOBD("drain_timeout", config_parse_timespan, drain_timeout),
	JOBD("history_max_runs", config_parse_max_runs, history_max_runs),
	JOBD("history_max_age", config_parse_max_age, history_max_age),
	JOBD("ledger_sync", config_parse_ledger_sync, ledger_sync_full),
	JOBD("max_running", config_parse_count, max_running),
	JOBD("socket_group", config_parse_group, socket_group),
	JOBD("cgroups", config_parse_cgroups, cgroups),
	JOBD("admin_group", config_parse_group, admin_group),
	{ CONFIG_SECTION_JOBD, "pass_environment", config_parse_env_names,
	    offsetof(struct config, pass_environment), true },
	JOBD("control_idle_timeout", config_parse_timeout,
	    control_idle_timeout),
	JOBD("sendmail", config_parse_path, sendmail),
	CLUSTER("database", config_parse_database, database),
	CLUSTER("node", config_parse_node, node),
	CLUSTER("cluster", config_parse_node, name),
	CLUSTER("lease", config_parse_lease, lease),
	SEM("limit", config_parse_limit, limit),
	SEM("scope", config_parse_scope, cluster),
	GROUP("units", config_parse_names, units, true),
	ALERT("webhook", config_parse_webhook, webhook, false),
	ALERT("webhook_format", config_parse_webhook_format, webhook_format,
	    false),
	ALERT("webhook_header", config_parse_webhook_header, webhook_headers,
	    true),
	ALERT("webhook_timeout", config_parse_webhook_timeout,
	    webhook_timeout, false),
	ALERT("mail", config_parse_mail, mail, true),
	ALERTJOB("command", config_parse_command, command_line),
	ALERTJOB("user", config_parse_user, user),
	ALERTJOB("group", config_parse_group, group),
	ALERTJOB("timeout", config_parse_alert_timeout, timeout),
	JOB("command", config_parse_command, command_line, false),
	JOB("shell", config_parse_bool, shell, false),
	JOB("environment", config_parse_environment, environment, true),
	JOB("working_directory", config_parse_workdir,
	    working_directory, false),
	JOB("user", config_parse_user, user, false),
	JOB("group", config_parse_group, group, false),
	JOB("timeout", config_parse_timeout, timeout, false),
	JOB("stop_timeout", config_parse_timespan, stop_timeout, false),
	JOB("stop_signal", config_parse_signal, stop_signal, false),
	JOB("output", config_parse_output, output, false),
	JOB("output_file", config_parse_path, output_file, false),
	JOB("output_file_max", config_parse_bytes, output_file_max, false),
	JOB("output_file_keep", config_parse_count, output_file_keep, false),
	JOB("output_file_max_age", config_parse_timeout, output_file_max_age,
	    false),
	JOB("output_file_compress", config_parse_bool, output_file_compress,
	    false),
	JOB("memory_max", config_parse_memory_max, limits, false),
	JOB("memory_high", config_parse_memory_high, limits, false),
	JOB("memory_swap_max", config_parse_memory_swap_max, limits, false),
	JOB("cpu_quota", config_parse_cpu_quota, limits, false),
	JOB("cpu_weight", config_parse_cpu_weight, limits, false),
	JOB("tasks_max", config_parse_tasks_max, limits, false),
	JOB("io_weight", config_parse_io_weight, limits, false),
	JOB("description", config_parse_string, description, false),
	JOB("history_max_runs", config_parse_max_runs, history_max_runs, false),
	JOB("history_max_age", config_parse_max_age, history_max_age, false),
	JOBONLY("schedule", config_parse_schedule, sched, true),
	JOBONLY("timezone", config_parse_timezone, sched, false),
	JOBONLY("every", config_parse_timespan, sched.every, false),
	JOBONLY("on_boot", config_parse_on_boot, sched, false),
	JOBONLY("dst_gap", config_parse_dst_gap, sched.dst, false),
	JOBONLY("dst_repeat", config_parse_dst_repeat, sched.dst, false),
	JOBONLY("catch_up", config_parse_catch_up, sched.catch_up, false),
	JOBONLY("catch_up_max", config_parse_small_count, sched.catch_up_max,
	    false),
	JOBONLY("starting_deadline", config_parse_timespan,
	    sched.starting_deadline, false),
	JOBONLY("jitter", config_parse_timespan, sched.jitter, false),
	JOBONLY("overlap", config_parse_overlap, sched.overlap, false),
	JOBONLY("queue_max", config_parse_small_count, sched.queue_max, false),
	JOB("after", config_parse_names, after, true),
	JOB("wants", config_parse_names, wants, true),
	JOB("requires", config_parse_names, requires, true),
	JOB("allow_start", config_parse_principals, allow_start, true),
	JOB("run_on", config_parse_run_on, run_on, false),
	JOB("lock", config_parse_names, policy.locks, true),
	JOB("lock_scope", config_parse_scope, policy.locks_cluster, false),
	JOB("semaphore", config_parse_names, policy.semaphores, true),
	JOB("max_running", config_parse_count, policy.max_running, false),
	JOB("wait_event", config_parse_name, policy.wait_event, false),
	JOBONLY("on_event", config_parse_names, policy.on_event, true),
	JOB("pending_timeout", config_parse_timespan,
	    policy.pending_timeout, false),
	JOBONLY("on_path_changed", config_parse_paths, policy.on_path_changed,
	    true),
	JOBONLY("on_path_exists", config_parse_paths, policy.on_path_exists,
	    true),
	JOBONLY("on_directory_not_empty", config_parse_paths,
	    policy.on_directory_not_empty, true),
	JOBONLY("path_trigger_interval", config_parse_path_interval,
	    policy.path_interval, false),
	JOB("condition_path_exists", config_parse_paths,
	    policy.condition_path_exists, true),
	JOB("condition_directory_not_empty", config_parse_paths,
	    policy.condition_directory_not_empty, true),
	JOB("condition_command", config_parse_string, policy.condition_command,
	    false),
	JOBONLY("retry", config_parse_count, policy.retry, false),
	JOBONLY("retry_sec", config_parse_timespan, policy.retry_sec, false),
	JOBONLY("retry_max_sec", config_parse_timespan,
	    policy.retry_max_sec, false),
	JOBONLY("retry_on", config_parse_retry_on, policy, false),
	JOB("on_failure", config_parse_names, policy.on_failure, true),
	JOB("on_success", config_parse_names, policy.on_success, true),
	JOB("notify_on", config_parse_notify_on, policy.notify_on, false),
	JOB("alert", config_parse_names, policy.alerts, true),
	JOB("alert_on", config_parse_alert_on, policy.alert_on, false),
	JOB("alert_repeat", config_parse_bool, policy.alert_repeat, false),
	JOBONLY("expect_success_within", config_parse_expect_within,
	    policy.expect_success_within, false),
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
	JOB("no_new_privileges", config_parse_bool,
	    exec.no_new_privileges, false),
	JOB("stdin", config_parse_stdin, exec, false),
	JOB("environment_file", config_parse_paths, exec.environment_files,
	    true),
	JOB("clear_environment", config_parse_bool,
	    exec.clear_environment, false),
	JOB("pass_environment", config_parse_env_names,
	    exec.pass_environment, true),
	SVC("autostart", config_parse_bool, svc.autostart, false),
	SVC("restart", config_parse_restart, svc.restart, false),
	SVC("success_exit_status", config_parse_exit_status, svc, true),
	SVC("restart_sec", config_parse_timespan, svc.restart_sec, false),
	SVC("restart_max_sec", config_parse_timespan,
	    svc.restart_max_sec, false),
	SVC("stable_after", config_parse_timespan, svc.stable_after, false),
	SVC("start_limit_burst", config_parse_small_count,
	    svc.start_limit_burst, false),
	SVC("start_limit_interval", config_parse_timespan,
	    svc.start_limit_interval, false),
	SVC("start_limit_action", config_parse_start_limit_action,
	    svc.start_limit_action, false),
	SVC("ready", config_parse_ready, svc, false),
	SVC("start_timeout", config_parse_timespan, svc.start_timeout, false),
	SVC("ready_after", config_parse_timespan, svc.ready_after, false),
	SVC("watchdog_sec", config_parse_timespan, svc.watchdog_sec, false),
	SVC("reload_signal", config_parse_signal, svc.reload_signal, false),
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
