/* From a job's definition to a process: the run's own copy of its exec
 * context (argv, environment, user, directory, signals and deadlines), and
 * the descriptors that carry what must not be on a command line (the
 * environment handed to jobd-exec, stdin data).  The functions are
 * spawn_*: what a spawn needs; proc.c spawns. */
#ifndef JOBD_EXEC_CONTEXT_H
#define JOBD_EXEC_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "config.h"
#include "timeutil.h"


struct run_exec {
	char **argv;
	char **env;			/* the command's (see spawn_exec_fds) */
	char *cwd;			/* posix_spawn's chdir (without helper) */
	char *check_cwd;		/* checked to exist before the spawn */
	bool identity_pending;		/* jobd's HOME, USER, ... not known yet */
	bool clear_environment;		/* not even the base environment */
	char *user, *group;
	uid_t uid;
	gid_t gid;
	bool set_uid, set_gid;
	usec_t timeout, stop_timeout, drain_timeout;
	int stop_signal;
	enum output_mode output;
	char *output_file;
	uint64_t output_file_max;	/* rotate past this; 0: never */
	unsigned output_file_keep;
	usec_t output_file_max_age;	/* 0: rotated files kept by count */
	bool output_file_compress;
	int ready_fd;			/* services with ready=fd:N; 0 none */
	bool helper;			/* argv[0] is jobd-exec */
	int env_fd;			/* helper: the child fd of its --env-fd */
	char *stdin_data;		/* stdin=data: or a hook's input */
	char **check_argv;		/* jobd-exec --check, or NULL */
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

#define SPAWN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:" \
	"/usr/bin:/sbin:/bin"

/* What every run's exec context takes from jobd's own settings. */
struct spawn_settings {
	char *const *pass_environment;	/* [jobd] pass_environment= */
	usec_t drain_timeout;
	const char *state_dir;		/* STATE_DIR/logs/NAME.log */
	const char *instance_env;	/* JOBD_INSTANCE=... */
};

struct run_exec *spawn_exec_new(const struct job_config *,
    const struct spawn_settings *, const struct spawn_ids *);

/* exec-environment.c.  jobd's own user's HOME USER LOGNAME SHELL, for runs
 * without user=: looked up once on the executor at start; until the
 * answer came, known is false and a run looks it up itself (blocking:
 * spawn_identity_lookup, on the executor).  home is NULL until known. */
struct executor;
void spawn_identity_init(struct executor *);
void spawn_identity_free(void);
bool spawn_identity_known(void);
const char *spawn_identity_home(void);
char **spawn_identity_lookup(void);
/* The run's environment; pass_jobd: [jobd] pass_environment=. */
char **spawn_env_build(const struct job_config *, char *const *pass_jobd,
    const struct spawn_ids *);
/* Whether spawn_resolve must run (on the executor) before the spawn. */
bool spawn_needs_resolve(const struct run_exec *);
/* Blocking: looks up user and group (NSS) and checks the working
 * directory.  Returns 0, or -errno with *cause for the run's reason. */
int spawn_resolve(struct run_exec *, char **cause);
struct run_exec *spawn_exec_free(struct run_exec *);

/* Adds the descriptors the child gets besides its output: stdin data (fd
 * 0) and, for jobd-exec, the environment (fd e->env_fd), whose place in
 * e->env a fixed minimal environment takes; fds has room for
 * PROC_MAX_FDS.  Returns how many child fds there are now, or -errno. */
int spawn_exec_fds(struct run_exec *, int *fds, int n);

/* exec-helper.c */
bool spawn_needs_helper(const struct job_config *);
char **spawn_helper_argv(const struct job_config *, const char *helper,
    const char *cgroup, int env_fd);
char **spawn_check_argv(const struct job_config *, const char *helper);
/* The environment jobd-exec itself starts with: PATH only (the run's
 * JOBD_INSTANCE, JOBD_RUN and JOBD_JOB are added by spawn_exec_fds). */
char **spawn_helper_env(void);
/* A sealed memfd holding len bytes of data, rewound; -errno on failure. */
int spawn_memfd(const char *name, const char *data, size_t len);
/* Blocking: the conditions, checked by jobd-exec --check as the run's
 * user.  -ECANCELED with *cause when one is false (the run is skipped),
 * another -errno with *cause when they could not be checked. */
int spawn_check_conditions(struct run_exec *, char **cause);

#endif
