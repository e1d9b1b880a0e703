/* From a job's definition to a process: the run's own copy of its exec
 * context (argv, environment, user, directory, signals and deadlines) and
 * the uv_process_options_t built from it. */
#ifndef JOBD_SPAWN_H
#define JOBD_SPAWN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "config.h"
#include "timeutil.h"

struct daemon;

struct run_exec {
	char **argv;
	char **env;
	char *cwd;
	char *user, *group;
	uid_t uid;
	gid_t gid;
	bool set_uid, set_gid;
	usec_t timeout, stop_timeout, drain_timeout;
	int stop_signal;
	enum output_mode output;
	char *output_file;
	int ready_fd;			/* services with ready=fd:N; 0 none */
	bool helper;			/* argv[0] is jobd-exec */
	char **env_files;		/* environment_file=, read at start */
	char **cond_exists, **cond_not_empty;
	char *cond_command;
};

struct spawn_ids {
	const char *job;
	uint64_t run;
	const char *trigger;
	usec_t scheduled;		/* 0: not a scheduled run */
	const char *notify_socket;	/* services: NOTIFY_SOCKET, or NULL */
	const char *exec_helper;	/* path of jobd-exec */
	const char *cgroup;		/* the run's cgroup, or NULL */
	const char *stdin_data;		/* hooks: the failed run's tail */
	char **extra_env;		/* hooks: JOBD_TRIGGER_* */
};

struct run_exec *spawn_exec_new(const struct job_config *,
    const struct daemon *, const struct spawn_ids *);
/* Whether spawn_resolve must run (on the executor) before the spawn. */
bool spawn_needs_resolve(const struct run_exec *);
/* Blocking: looks up user and group (NSS) and checks the working
 * directory.  Returns 0, or -errno with *cause for the run's reason. */
int spawn_resolve(struct run_exec *, char **cause);
struct run_exec *spawn_exec_free(struct run_exec *);

/* spawn-context.c */
bool spawn_needs_helper(const struct job_config *, bool has_stdin);
char **spawn_helper_argv(const struct job_config *, const char *helper,
    const char *stdin_data, const char *cgroup);
/* Blocking: environment files and conditions.  -ECANCELED with *cause
 * when a condition is false (the run is skipped). */
int spawn_context_resolve(struct run_exec *, char **cause);

#endif
