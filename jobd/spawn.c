/* Exec context of a run.  The environment is jobd's own minus what belongs
 * to jobd's service manager (NOTIFY_SOCKET, LISTEN_FDS, ...), plus the run's
 * identity and the job's environment=.  Name lookups may block on NSS, so
 * spawn_resolve() is only ever called on the executor. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon.h"
#include "spawn-run.h"
#include "strv.h"
#include "xmalloc.h"

extern char **environ;

/* Variables that describe jobd's relation to its own service manager; a
 * job inheriting them would talk to systemd in jobd's name. */
static const char *const spawn_env_drop[] = {
	"NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
	"WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "INVOCATION_ID",
	"MAINPID", "MANAGERPID",
};

static char **
spawn_env_build(const struct job_config *jc, const struct spawn_ids *ids)
{
	/* clear_environment=: nothing of jobd's own environment. */
	char **env = jc->exec.clear_environment ? xcalloc(1, sizeof(char *)) :
	    strv_copy(environ);
	char *s;
	size_t i;

	for (i = 0; i < ELEMENTSOF(spawn_env_drop); i++)
		env = strv_env_unset(env, spawn_env_drop[i]);
	if (!strv_env_get(env, "PATH"))
		env = strv_env_set(env,
		    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
		    "/sbin:/bin");
	s = xstrfmt("JOBD_JOB=%s", ids->job);
	env = strv_env_set(env, s);
	free(s);
	s = xstrfmt("JOBD_RUN=%llu", (unsigned long long)ids->run);
	env = strv_env_set(env, s);
	free(s);
	s = xstrfmt("JOBD_TRIGGER=%s", ids->trigger);
	env = strv_env_set(env, s);
	free(s);
	if (ids->scheduled) {
		char ts[TIMESTAMP_MAX];

		s = xstrfmt("JOBD_SCHEDULED_AT=%s", timestamp_format(ts,
		    sizeof(ts), ids->scheduled));
		env = strv_env_set(env, s);
		free(s);
		s = xstrfmt("JOBD_SCHEDULED_AT_USEC=%llu",
		    (unsigned long long)ids->scheduled);
		env = strv_env_set(env, s);
		free(s);
	}
	if (jc->service && ids->notify_socket &&
	    (jc->svc.ready == READY_NOTIFY || jc->svc.watchdog_sec)) {
		s = xstrfmt("NOTIFY_SOCKET=%s", ids->notify_socket);
		env = strv_env_set(env, s);
		free(s);
	}
	if (jc->service && jc->svc.watchdog_sec) {
		s = xstrfmt("WATCHDOG_USEC=%llu",
		    (unsigned long long)jc->svc.watchdog_sec);
		env = strv_env_set(env, s);
		free(s);
	}
	for (i = 0; ids->extra_env && ids->extra_env[i]; i++)
		env = strv_env_set(env, ids->extra_env[i]);
	for (i = 0; jc->environment && jc->environment[i]; i++)
		env = strv_env_set(env, jc->environment[i]);
	return env;
}

struct run_exec *
spawn_exec_new(const struct job_config *jc, const struct daemon *d,
    const struct spawn_ids *ids)
{
	struct run_exec *e = xcalloc(1, sizeof(*e));

	e->env = spawn_env_build(jc, ids);
	e->env = strv_env_set(e->env, record_instance_env(&d->record));
	e->cwd = jc->working_directory ? xstrdup(jc->working_directory) :
	    NULL;
	if (ids->exec_helper && (ids->cgroup ||
	    spawn_needs_helper(jc, ids->stdin_data))) {
		/* The helper switches user and groups itself (initgroups);
		 * jobd only checks the names exist. */
		e->argv = spawn_helper_argv(jc, ids->exec_helper,
		    ids->stdin_data, ids->cgroup);
		e->helper = true;
	} else {
		e->argv = strv_copy(jc->command);
	}
	e->user = jc->user ? xstrdup(jc->user) : NULL;
	e->group = jc->group ? xstrdup(jc->group) : NULL;
	e->env_files = strv_copy(jc->exec.environment_files);
	e->cond_exists = strv_copy(jc->policy.condition_path_exists);
	e->cond_not_empty = strv_copy(jc->policy.condition_directory_not_empty);
	if (jc->policy.condition_command)
		e->cond_command = xstrdup(jc->policy.condition_command);
	e->timeout = jc->timeout;
	e->stop_timeout = jc->stop_timeout;
	e->stop_signal = jc->stop_signal ? jc->stop_signal : SIGTERM;
	e->drain_timeout = d->config->drain_timeout;
	e->output = jc->output;
	if (jc->service && jc->svc.ready == READY_FD)
		e->ready_fd = jc->svc.ready_fd;
	if (jc->output_file)
		e->output_file = xstrdup(jc->output_file);
	else if (jc->output == OUTPUT_FILE)
		e->output_file = xstrfmt("%s/logs/%s.log", d->state_dir,
		    jc->name);
	return e;
}

bool
spawn_needs_resolve(const struct run_exec *e)
{
	return e->user || e->group || e->cwd || e->env_files ||
	    e->cond_exists || e->cond_not_empty || e->cond_command;
}

static int
spawn_resolve_user(struct run_exec *e, char **cause)
{
	struct passwd *pw;
	char *s;

	errno = 0;
	pw = getpwnam(e->user);
	if (!pw && strspn(e->user, "0123456789") == strlen(e->user))
		pw = getpwuid((uid_t)strtoul(e->user, NULL, 10));
	if (!pw) {
		xasprintf(cause, "exec: no such user '%s'", e->user);
		return -ESRCH;
	}
	e->uid = pw->pw_uid;
	e->set_uid = true;
	if (!e->group) {
		e->gid = pw->pw_gid;
		e->set_gid = true;
	}
	/* Like su -: the job sees the identity it runs as. */
	s = xstrfmt("HOME=%s", pw->pw_dir);
	e->env = strv_env_set(e->env, s);
	free(s);
	s = xstrfmt("USER=%s", pw->pw_name);
	e->env = strv_env_set(e->env, s);
	free(s);
	s = xstrfmt("LOGNAME=%s", pw->pw_name);
	e->env = strv_env_set(e->env, s);
	free(s);
	return 0;
}

static int
spawn_resolve_group(struct run_exec *e, char **cause)
{
	struct group *gr;

	gr = getgrnam(e->group);
	if (!gr && strspn(e->group, "0123456789") == strlen(e->group))
		gr = getgrgid((gid_t)strtoul(e->group, NULL, 10));
	if (!gr) {
		xasprintf(cause, "exec: no such group '%s'", e->group);
		return -ESRCH;
	}
	e->gid = gr->gr_gid;
	e->set_gid = true;
	return 0;
}

int
spawn_resolve(struct run_exec *e, char **cause)
{
	struct stat st;
	int r;

	if (e->user && (r = spawn_resolve_user(e, cause)) < 0)
		return r;
	if (e->group && (r = spawn_resolve_group(e, cause)) < 0)
		return r;
	if (e->cwd) {
		if (stat(e->cwd, &st) < 0) {
			r = -errno;
			xasprintf(cause, "exec: working directory '%s': %s",
			    e->cwd, strerror(-r));
			return r;
		}
		if (!S_ISDIR(st.st_mode)) {
			xasprintf(cause, "exec: working directory '%s' is not "
			    "a directory", e->cwd);
			return -ENOTDIR;
		}
	}
	return spawn_context_resolve(e, cause);
}

struct run_exec *
spawn_exec_free(struct run_exec *e)
{
	if (!e)
		return NULL;
	strv_free(e->argv);
	strv_free(e->env);
	strv_free(e->env_files);
	strv_free(e->cond_exists);
	strv_free(e->cond_not_empty);
	free(e->cond_command);
	free(e->cwd);
	free(e->user);
	free(e->group);
	free(e->output_file);
	free(e);
	return NULL;
}
