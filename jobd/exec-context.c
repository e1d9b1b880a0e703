/* Exec context of a run: its command (or jobd-exec's), environment
 * (exec-environment.c), user, directory, output and deadlines, copied from the
 * job's definition so that a reload never changes a run in flight.  Name
 * lookups may block on NSS, and conditions run a program, so
 * spawn_resolve() is only ever called on the executor. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "exec-context.h"
#include "strv.h"
#include "xmalloc.h"

struct run_exec *
spawn_exec_new(const struct job_config *jc, const struct spawn_settings *set,
    const struct spawn_ids *ids)
{
	struct run_exec *e = xcalloc(1, sizeof(*e));

	e->env = spawn_env_build(jc, set->pass_environment, ids);
	e->env = strv_env_set(e->env, set->instance_env);
	e->identity_pending = !jc->user && !spawn_identity_known();
	e->clear_environment = jc->exec.clear_environment;
	/* Like systemd: / unless working_directory= says otherwise; "~"
	 * is the run's user's home (jobd-exec looks it up). */
	if (jc->working_directory && strcmp(jc->working_directory, "~"))
		e->check_cwd = xstrdup(jc->working_directory);
	if (jc->service && jc->svc.ready == READY_FD)
		e->ready_fd = jc->svc.ready_fd;
	if (ids->exec_helper && (ids->cgroup || spawn_needs_helper(jc))) {
		/* The helper switches user and groups itself (initgroups),
		 * then reads what the user may read; its environment comes
		 * on a descriptor above every other the child gets. */
		e->env_fd = MAX(3, e->ready_fd + 1);
		e->argv = spawn_helper_argv(jc, ids->exec_helper, ids->cgroup,
		    e->env_fd);
		e->helper = true;
	} else {
		e->argv = strv_copy(jc->command);
		/* "~" stays until jobd's home is known (spawn_resolve). */
		e->cwd = xstrdup(!jc->working_directory ? "/" :
		    strcmp(jc->working_directory, "~") ?
		    jc->working_directory : spawn_identity_home() ?
		    spawn_identity_home() : "~");
	}
	if (ids->exec_helper)
		e->check_argv = spawn_check_argv(jc, ids->exec_helper);
	if (ids->stdin_data || jc->exec.stdin_data)
		e->stdin_data = xstrdup(ids->stdin_data ? ids->stdin_data :
		    jc->exec.stdin_data);
	e->user = jc->user ? xstrdup(jc->user) : NULL;
	e->group = jc->group ? xstrdup(jc->group) : NULL;
	e->timeout = jc->timeout;
	e->stop_timeout = jc->stop_timeout;
	e->stop_signal = jc->stop_signal ? jc->stop_signal : SIGTERM;
	e->drain_timeout = set->drain_timeout;
	e->output = jc->output;
	e->output_file_max = jc->output_file_max;
	e->output_file_keep = jc->output_file_keep;
	e->output_file_max_age = jc->output_file_max_age;
	e->output_file_compress = jc->output_file_compress;
	if (jc->output_file)
		e->output_file = xstrdup(jc->output_file);
	else if (jc->output == OUTPUT_FILE)
		e->output_file = xstrfmt("%s/logs/%s.log", set->state_dir,
		    jc->name);
	return e;
}

bool
spawn_needs_resolve(const struct run_exec *e)
{
	return e->user || e->group || e->check_cwd || e->check_argv ||
	    e->identity_pending;
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

/* A run made before jobd's own identity was known (at start). */
static void
spawn_resolve_self(struct run_exec *e)
{
	char **vars = spawn_identity_lookup();
	size_t i;

	if (e->cwd && !strcmp(e->cwd, "~")) {
		free(e->cwd);
		e->cwd = xstrdup(strv_env_get(vars, "HOME"));
	}
	for (i = 0; !e->clear_environment && vars[i]; i++)
		e->env = strv_env_set(e->env, vars[i]);
	strv_free(vars);
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
	if (e->identity_pending)
		spawn_resolve_self(e);
	if (e->group && (r = spawn_resolve_group(e, cause)) < 0)
		return r;
	if (e->check_cwd) {
		if (stat(e->check_cwd, &st) < 0) {
			r = -errno;
			xasprintf(cause, "exec: working directory '%s': %s",
			    e->check_cwd, strerror(-r));
			return r;
		}
		if (!S_ISDIR(st.st_mode)) {
			xasprintf(cause, "exec: working directory '%s' is not "
			    "a directory", e->check_cwd);
			return -ENOTDIR;
		}
	}
	return spawn_check_conditions(e, cause);
}

struct run_exec *
spawn_exec_free(struct run_exec *e)
{
	if (!e)
		return NULL;
	strv_free(e->argv);
	strv_free(e->env);
	strv_free(e->check_argv);
	free(e->stdin_data);
	free(e->cwd);
	free(e->check_cwd);
	free(e->user);
	free(e->group);
	free(e->output_file);
	free(e);
	return NULL;
}
