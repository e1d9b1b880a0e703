/* Shared by the config files: the key table (config-keys.c), the parsers
 * of each section's keys it points to, what one unit holds (config-job.c)
 * and the checks across units (config-check.c); the loader (config-load.h)
 * uses them.  The value parsers under them all are in config-value.h.  Not
 * for other modules. */
#ifndef JOBD_CONFIG_INTERNAL_H
#define JOBD_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "config-value.h"
#include "config.h"

/* Where a key may appear: a bitmask, since most exec keys are shared by
 * [job NAME] and [service NAME]. */
enum config_section {
	CONFIG_SECTION_JOBD = 1 << 0,
	CONFIG_SECTION_JOB = 1 << 1,
	CONFIG_SECTION_SERVICE = 1 << 2,
	CONFIG_SECTION_SEMAPHORE = 1 << 3,
	CONFIG_SECTION_ALERT = 1 << 4,		/* struct config_alert */
	CONFIG_SECTION_ALERT_JOB = 1 << 5,	/* [alert NAME]'s command=: its
						 * job (alert:NAME) */
	CONFIG_SECTION_CLUSTER = 1 << 7,	/* struct config_cluster */
	CONFIG_SECTION_GROUP = 1 << 6,		/* struct config_group */
	CONFIG_SECTION_UNIT = CONFIG_SECTION_JOB | CONFIG_SECTION_SERVICE,
};

struct config_key {
	enum config_section section;
	const char *name;
	config_parse_fn *parse;
	size_t offset;			/* in struct config or job_config */
	bool repeatable;		/* values accumulate */
};

/* config-keys.c: the table. */
extern const struct config_key config_keys[];
extern const size_t config_nkeys;

const struct config_key *config_key_find(enum config_section,
    const char *name);

/* config-jobd.c: the keys only [jobd] has. */
config_parse_fn config_parse_socket, config_parse_include_dir,
    config_parse_tail_size, config_parse_ledger_sync, config_parse_cgroups;

/* config-exec.c: what a unit runs and how. */
config_parse_fn config_parse_command, config_parse_environment,
    config_parse_workdir, config_parse_output, config_parse_bytes,
    config_parse_env_names, config_parse_umask, config_parse_nice,
    config_parse_stdin, config_parse_limit_nofile, config_parse_limit_core,
    config_parse_limit_as, config_parse_limit_nproc,
    config_parse_limit_fsize, config_parse_limit_stack,
    config_parse_limit_cpu, config_parse_limit_memlock,
    config_parse_limit_data;
/* Builds job->command from command_line and shell once the whole section
 * is read.  Returns 0 or -EINVAL with *cause (without the key prefix). */
int config_job_build_command(struct job_config *, char **cause);
void job_exec_free(struct job_exec *);
bool job_exec_equal(const struct job_exec *, const struct job_exec *);

/* config-limits.c: the cgroup limits of a unit. */
config_parse_fn config_parse_memory_max, config_parse_memory_high,
    config_parse_memory_swap_max, config_parse_cpu_quota,
    config_parse_cpu_weight, config_parse_tasks_max, config_parse_io_weight;
bool job_limits_equal(const struct job_limits *, const struct job_limits *);

/* config-sched.c: the schedule keys. */
config_parse_fn config_parse_schedule, config_parse_timezone,
    config_parse_dst_gap, config_parse_dst_repeat, config_parse_catch_up,
    config_parse_overlap, config_parse_on_boot;
void job_schedule_free(struct job_schedule *);
bool job_schedule_equal(const struct job_schedule *,
    const struct job_schedule *);

/* config-service.c: the service keys. */
config_parse_fn config_parse_restart, config_parse_exit_status,
    config_parse_start_limit_action, config_parse_ready;
void job_service_free(struct job_service *);
bool job_service_equal(const struct job_service *,
    const struct job_service *);

/* config-policy.c: locks, semaphores, events, triggers, retries, hooks,
 * allow_start=. */
config_parse_fn config_parse_retry_on, config_parse_notify_on,
    config_parse_path_interval, config_parse_principals, config_parse_limit,
    config_parse_alert_on, config_parse_expect_within;
void job_policy_free(struct job_policy *);
bool job_policy_equal(const struct job_policy *, const struct job_policy *);
void config_semaphores_free(struct config *);

/* config-alert.c: the [alert NAME] sections. */
config_parse_fn config_parse_webhook, config_parse_webhook_format,
    config_parse_webhook_header, config_parse_webhook_timeout,
    config_parse_mail, config_parse_alert_timeout;
void config_alerts_free(struct config *);
/* A new [alert NAME] in c (name checked, not yet defined, room left);
 * returns its index.  Its command's job, alert:NAME, in *ret_job. */
size_t config_alert_add(struct config *c, const char *name,
    const char *file, unsigned line, struct job_config **ret_job);
/* Why the name cannot be an alert's (or NULL): bad, taken, too many. */
char *config_alert_refuse(const struct config *c, const char *name);

/* config-cluster.c: [cluster] and run_on=. */
config_parse_fn config_parse_database, config_parse_node,
    config_parse_lease, config_parse_run_on, config_parse_scope;
void config_cluster_free(struct config_cluster *);
/* config-group.c: the [group NAME] sections. */
void config_groups_free(struct config *);

/* config-check.c: the checks across units (sorted by name), once every
 * file is read; errors go to error() for the unit they are about.
 * Dependencies: unknown names and cycles. */
void config_check_deps(struct job_config **units, size_t n,
    void (*error)(void *ctx, const struct job_config *, const char *msg),
    void *ctx);
/* on_success= and on_failure= together form no cycle: hooks chain. */
void config_check_hook_cycles(struct job_config **units, size_t n,
    void (*error)(void *ctx, const struct job_config *, const char *msg),
    void *ctx);
/* Names that must refer to something: semaphores, hook jobs and alerts. */
void config_check_policy(const struct config *, struct job_config **units,
    size_t n, void (*error)(void *, const struct job_config *,
    const char *), void *ctx);

/* config-job.c: a unit's defaults and teardown. */
struct job_config *job_config_new(const char *name, const char *file,
    unsigned line, bool service);
struct job_config *job_config_free(struct job_config *);

#endif
