/* The configuration: an ini file with a [jobd] section and an include
 * directory of *.conf files holding [job NAME] sections, parsed into an
 * immutable struct config.  Every error is reported as "file:line: message",
 * all of them in one pass. */
#ifndef JOBD_CONFIG_H
#define JOBD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/queue.h>

#include "calendar.h"
#include "timeutil.h"

struct tz;

enum output_mode {
	OUTPUT_JOURNAL,
	OUTPUT_FILE,
	OUTPUT_INHERIT,
	OUTPUT_NULL,
	OUTPUT_NMODES,
};

extern const char *const output_mode_name[OUTPUT_NMODES];

/* Defaults and bounds (documented in README and jobd.conf(5)). */
#define CONFIG_DEFAULT_STOP_TIMEOUT (10 * USEC_PER_SEC)
#define CONFIG_DEFAULT_TAIL_SIZE (64 * 1024)
#define CONFIG_MAX_TAIL_SIZE (16 * 1024 * 1024)
#define CONFIG_MAX_LINE 4096		/* one physical line of a file */
#define CONFIG_MAX_JOBS 10000
#define CONFIG_MAX_NAME 64		/* job names: [A-Za-z0-9_.@-] */
#define CONFIG_MAX_ARGS 4096		/* argv entries */
#define CONFIG_MAX_ENV 1024		/* environment= entries */
/* NOTIFY_SOCKET, LISTEN_FDS, ...: never passed to a run (NULL-ended). */
extern const char *const config_manager_env[];
#define CONFIG_DEFAULT_HISTORY_MAX_RUNS 1000
#define CONFIG_DEFAULT_IDLE_TIMEOUT (60 * USEC_PER_SEC)
/* path_trigger_interval=: one path-triggered run per job per interval. */
#define CONFIG_DEFAULT_PATH_INTERVAL USEC_PER_SEC
#define CONFIG_MIN_PATH_INTERVAL (100 * USEC_PER_MSEC)
#define CONFIG_MAX_PATH_INTERVAL USEC_PER_DAY

enum catch_up_mode {
	CATCH_UP_NONE,
	CATCH_UP_LATEST,
	CATCH_UP_ALL,
	CATCH_UP_NMODES,
};

enum overlap_mode {
	OVERLAP_SKIP,
	OVERLAP_QUEUE,
	OVERLAP_REPLACE,
	OVERLAP_ALLOW,
	OVERLAP_NMODES,
};

extern const char *const catch_up_mode_name[CATCH_UP_NMODES];
extern const char *const overlap_mode_name[OVERLAP_NMODES];

#define CONFIG_MAX_SCHEDULES 64
#define CONFIG_DEFAULT_CATCH_UP_MAX 10
#define CONFIG_DEFAULT_QUEUE_MAX 1

/* When a job runs by itself: its schedule keys. */
struct job_schedule {
	char **exprs;			/* schedule= as written */
	struct cal_spec **specs;	/* parsed, same order */
	size_t n;
	char *timezone;			/* NULL: the system zone */
	struct tz *tz;			/* loaded timezone=, or NULL */
	usec_t every;			/* 0: none */
	usec_t on_boot;			/* 0: none */
	bool has_on_boot;
	struct cal_policy dst;
	enum catch_up_mode catch_up;
	unsigned catch_up_max;
	usec_t starting_deadline;	/* 0: none */
	usec_t jitter;
	enum overlap_mode overlap;
	unsigned queue_max;
};

enum restart_mode {
	RESTART_NO,
	RESTART_ON_FAILURE,
	RESTART_ON_ABNORMAL,
	RESTART_ALWAYS,
	RESTART_NMODES,
};

enum ready_mode {
	READY_SPAWN,
	READY_NOTIFY,
	READY_FD,
	READY_NMODES,
};

enum start_limit_action {
	START_LIMIT_FAIL,
	START_LIMIT_KEEP_TRYING,
};

extern const char *const restart_mode_name[RESTART_NMODES];
extern const char *const ready_mode_name[READY_NMODES];

#define CONFIG_MAX_DEPS 64
#define CONFIG_MAX_EXIT_STATUS 64

/* What keeps a [service NAME] up. */
struct job_service {
	bool autostart;			/* default yes */
	enum restart_mode restart;	/* default on-failure */
	int *success_exit_status;	/* besides 0; signals as 128+N */
	size_t nsuccess;
	usec_t restart_sec;		/* first delay, doubled each time */
	usec_t restart_max_sec;
	usec_t stable_after;		/* up this long: backoff resets */
	unsigned start_limit_burst;
	usec_t start_limit_interval;
	enum start_limit_action start_limit_action;
	enum ready_mode ready;
	int ready_fd;			/* ready=fd:N */
	usec_t start_timeout;		/* 0: none */
	usec_t ready_after;		/* ready=spawn: up this long first */
	usec_t watchdog_sec;		/* 0: none */
	int reload_signal;
};

#define CONFIG_MAX_SEMAPHORES 1024
#define CONFIG_MAX_HOOKS 16

enum notify_on {
	NOTIFY_ON_ALWAYS,
	NOTIFY_ON_CHANGE,
};

/* alert_on=: a bit per kind of alert_event.h (1 << ALERT_FAILED, ...),
 * "always" being ALERT_FINISHED's. */
#define CONFIG_ALERT_ON_DEFAULT 0xf	/* failed recovered overdue missed */
#define CONFIG_MAX_ALERTS 256

/* Admission, triggers, conditions and failure handling of a unit. */
struct job_policy {
	char **locks;			/* lock=, held together */
	bool locks_cluster;		/* lock_scope=cluster */
	char **semaphores;		/* semaphore= names */
	unsigned max_running;		/* 0: no limit */
	char *wait_event;		/* runs wait until it is set */
	char **on_event;		/* run on clear -> set */
	usec_t pending_timeout;		/* 0: wait forever */
	char **on_path_changed, **on_path_exists, **on_directory_not_empty;
	usec_t path_interval;		/* path_trigger_interval= */
	char **condition_path_exists, **condition_directory_not_empty;
	char *condition_command;
	unsigned retry;			/* extra attempts */
	usec_t retry_sec, retry_max_sec;
	bool retry_on_failed, retry_on_timeout;
	char **on_failure, **on_success;	/* job names */
	enum notify_on notify_on;
	char **alerts;			/* alert=: [alert NAME] names */
	unsigned alert_on;		/* alert_on=, CONFIG_ALERT_ON_DEFAULT */
	bool alert_repeat;		/* every failure, not the first */
	usec_t expect_success_within;	/* 0: no dead man's switch */
};

/* What the exec helper applies in the child (jobd-exec). */
struct job_exec {
	char **supplementary_groups;
	int umask;			/* -1: inherit */
	bool has_nice;
	int nice;
	char **rlimits;			/* "nofile=1024:4096" */
	bool no_new_privileges;
	char *stdin_file, *stdin_data;	/* stdin=file:P / data:T */
	char **environment_files;	/* read when a run starts */
	bool clear_environment;
	char **pass_environment;	/* jobd's variables passed on */
};

/* Limits on each run's cgroup (cgroup v2; see cgroup-limits.c).  A field
 * is set when its bit of set is (JOB_LIMIT_MEMORY_MAX, ...): 0 is a valid
 * memory_swap_max=.  CONFIG_LIMIT_INFINITY: "max". */
enum job_limit {
	JOB_LIMIT_MEMORY_MAX,
	JOB_LIMIT_MEMORY_HIGH,
	JOB_LIMIT_MEMORY_SWAP_MAX,
	JOB_LIMIT_CPU_QUOTA,
	JOB_LIMIT_CPU_WEIGHT,
	JOB_LIMIT_TASKS_MAX,
	JOB_LIMIT_IO_WEIGHT,
	JOB_NLIMITS,
};

#define CONFIG_LIMIT_INFINITY UINT64_MAX

/* The keys, by enum job_limit ("memory_max", ...), NULL-ended. */
extern const char *const job_limit_name[JOB_NLIMITS + 1];

struct job_limits {
	uint64_t v[JOB_NLIMITS];	/* bytes; cpu_quota in percent;
					 * weights and tasks as counts */
	unsigned set;			/* 1 << enum job_limit */
	unsigned line;			/* the first limit key's line */
};

/* One [semaphore NAME] section. */
struct config_semaphore {
	char *name;
	unsigned limit;
	bool cluster;			/* scope=cluster: held in the database */
	char *file;
	unsigned line;
};

enum webhook_format {
	WEBHOOK_JSON,
	WEBHOOK_SLACK,			/* {"text": ...} */
	WEBHOOK_NFORMATS,
};

extern const char *const webhook_format_name[WEBHOOK_NFORMATS];

#define CONFIG_DEFAULT_WEBHOOK_TIMEOUT (10 * USEC_PER_SEC)
#define CONFIG_DEFAULT_ALERT_COMMAND_TIMEOUT (60 * USEC_PER_SEC)
#define CONFIG_DEFAULT_SENDMAIL "/usr/sbin/sendmail"
#define CONFIG_MAX_URL 2048		/* webhook= */
#define CONFIG_MAX_WEBHOOK_HEADERS 32
#define CONFIG_MAX_HEADER 1024		/* a webhook_header='s value */
#define CONFIG_MAX_MAIL 32		/* mail= addresses */

/* One [alert NAME] section: where an alert goes, one sink or more. */
struct config_alert {
	char *name;
	char *webhook;			/* http(s) URL, or NULL */
	enum webhook_format webhook_format;
	char **webhook_headers;		/* "Name: value" */
	usec_t webhook_timeout;
	char **mail;			/* addresses, or NULL */
	char *command_job;		/* command=: the job that runs it
					 * ("alert:NAME"), or NULL */
	char *file;
	unsigned line;
};

/* [cluster]: nodes sharing a PostgreSQL database.  Off without
 * database=. */
struct config_cluster {
	char *database;			/* libpq conninfo or URI; NULL: off */
	bool database_password;		/* it holds one */
	char *node;			/* node=; NULL: the host name */
	char *name;			/* cluster=; NULL: "default" */
	usec_t lease;			/* lease=, default 10s */
};

#define CONFIG_DEFAULT_LEASE (10 * USEC_PER_SEC)

#define CONFIG_MAX_GROUPS 1024

/* One [group NAME] section: units that jobctl's verbs take by the group's
 * name (supervisord's [group:x] programs=).  At most VARLINK_MAX_NAMES
 * units (64), so that one call can take them all. */
struct config_group {
	char *name;
	char **units;			/* in the order given */
	unsigned *unit_lines;		/* the units= line of each */
	char *file;
	unsigned line;
};

/* One [job NAME] or [service NAME] section. */
struct job_config {
	char *name;
	char *description;		/* "" when not given */
	char **command;			/* argv; with shell=yes: sh -c LINE */
	char *command_line;		/* command= as written */
	bool shell;
	char **environment;		/* KEY=VALUE, in order, later wins */
	char *working_directory;	/* NULL: jobd's own */
	char *user;			/* NULL: the daemon's */
	char *group;			/* NULL: the user's primary group */
	usec_t timeout;			/* 0: none */
	usec_t stop_timeout;
	int stop_signal;		/* default SIGTERM */
	enum output_mode output;	/* default OUTPUT_JOURNAL */
	char *output_file;		/* output=file: the path (see below) */
	uint64_t output_file_max;	/* rotate past this; 0: never */
	unsigned output_file_keep;	/* rotated files kept, default 5 */
	usec_t output_file_max_age;	/* older rotated files go; 0: none */
	bool output_file_compress;	/* gzip rotated files */
	int64_t history_max_runs;	/* -1: [jobd]'s */
	int64_t history_max_age;	/* usec; -1: [jobd]'s; 0: no limit */
	struct job_schedule sched;
	bool service;			/* [service NAME] */
	struct job_service svc;
	char **after, **wants, **requires;	/* unit names */
	char **groups;			/* the [group]s naming it, in the
					 * order defined */
	struct job_policy policy;
	struct job_exec exec;
	char **run_on;			/* run_on=: "any", "all" or nodes;
					 * NULL: the default */
	struct job_limits limits;
	char **allow_start;		/* users, @groups: may Start it */
	uid_t *allow_uids;		/* resolved by access_resolve() */
	gid_t *allow_gids;
	size_t nallow_uids, nallow_gids;
	char *file;			/* where the section was defined */
	unsigned line;
	TAILQ_ENTRY(job_config) entry;
};

TAILQ_HEAD(job_config_list, job_config);

struct config {
	char *path;			/* the main file */
	char *include_dir;		/* absolute; NULL: none */
	char *socket_path;		/* socket= in [jobd]; NULL: default */
	char *state_dir;		/* state_dir= in [jobd]; NULL: default */
	size_t tail_size;		/* output_tail= in [jobd], bytes */
	usec_t drain_timeout;		/* drain_timeout= in [jobd] */
	int64_t history_max_runs;	/* per job; 0: no limit */
	int64_t history_max_age;	/* usec; 0: no limit */
	bool ledger_sync_full;		/* ledger_sync=full */
	struct tz *local_tz;		/* the system zone, loaded */
	unsigned max_running;		/* all runs; 0: no limit */
	char *socket_group;		/* default "jobd" */
	int cgroups;			/* enum cgroup_mode: auto, no, yes */
	char *admin_group;		/* NULL: root only */
	char **pass_environment;	/* for every run */
	usec_t control_idle_timeout;	/* 0: connections never idle out */
	gid_t socket_gid, admin_gid;	/* resolved by access_resolve() */
	bool socket_gid_ok, admin_gid_ok;
	struct config_semaphore *semaphores;
	size_t nsemaphores;
	struct config_alert *alerts;	/* in definition order */
	size_t nalerts;
	char *sendmail;			/* sendmail= in [jobd]; NULL: default */
	struct config_cluster cluster;
	/* FNV-1a of every unit's, semaphore's, alert's and default's keys
	 * as read: equal on nodes with the same definitions. */
	uint64_t units_hash;
	struct config_group *groups;	/* in definition order */
	size_t ngroups;
	struct job_config_list jobs;	/* in name order */
	size_t njobs;
};

/* Reads path and every *.conf in its include directory in name order.
 * Returns 0 and a config, or -EINVAL and every error as "file:line: msg"
 * in *ret_errors (a NULL-terminated vector, freed with strv_free), or
 * another -errno when path itself cannot be read (also in *ret_errors).
 * Relative include_dir= is taken relative to the directory of path.  The
 * default output_file for output=file is STATE_DIR/logs/NAME.log, filled in
 * by the caller who knows the state directory; config leaves it NULL. */
int config_load(const char *path, struct config **ret,
    char ***ret_errors);

/* Parses one file's text (for unit tests and fuzzing): the same as
 * config_load, but include_dir= is recorded and not followed. */
int config_load_string(const char *text, const char *filename,
    struct config **ret, char ***ret_errors);

struct job_config *config_find_job(const struct config *, const char *name);
const struct config_semaphore *config_find_semaphore(const struct config *,
    const char *name);
const struct config_alert *config_find_alert(const struct config *,
    const char *name);
const struct config_group *config_find_group(const struct config *,
    const char *name);

/* Whether run_on= lets this node run the unit on its own (no cluster, no
 * run_on=, any, all, or a list naming this node). */
bool config_runs_here(const struct config *, const struct job_config *);

/* True when the job runs by itself (schedule=, every= or on_boot=). */
bool job_config_is_periodic(const struct job_config *);

/* True when both would run the same process (command, environment,
 * user, directory, output): what a service restarts for. */
bool job_config_exec_equal(const struct job_config *,
    const struct job_config *);

/* True when both define the same job, key by key. */
bool job_config_equal(const struct job_config *, const struct job_config *);

struct config *config_free(struct config *);
/* Whether jobd takes VALUE for KEY in a [SECTION] ("job", "service" or
 * "alert"), read by the key's own parser: 0, or -1 with *cause. */
int config_value_check(const char *section, const char *key,
    const char *value, char **cause);

#endif
