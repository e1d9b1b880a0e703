/* The environment of a run, as systemd gives its services one: a fixed
 * base (PATH, the locale, the run's user's HOME USER LOGNAME SHELL), the
 * variables of jobd's own that pass_environment= names, the run's identity
 * (JOBD_*), the service manager's (NOTIFY_SOCKET) and the job's
 * environment=.  Nothing else of jobd's: root's PATH, PWD, TERM or a
 * token from jobd's parent stay out. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "executor.h"
#include "exec-context.h"
#include "strv.h"
#include "xmalloc.h"

extern char **environ;

/* jobd's own user, for runs without user=: looked up once, on the
 * executor (NSS may block; the loop thread must not).  A run made before
 * the answer came looks it up itself in spawn_resolve(). */
static char **self_vars;

char **
spawn_identity_lookup(void)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *home = getenv("HOME"), *shell = getenv("SHELL");
	char **v = NULL;

	v = strv_push(v, xstrfmt("HOME=%s", pw && pw->pw_dir[0] ?
	    pw->pw_dir : home ? home : "/"));
	v = strv_push(v, xstrfmt("USER=%s", pw ? pw->pw_name : "root"));
	v = strv_push(v, xstrfmt("LOGNAME=%s", pw ? pw->pw_name : "root"));
	v = strv_push(v, xstrfmt("SHELL=%s", pw && pw->pw_shell[0] ?
	    pw->pw_shell : shell ? shell : "/bin/sh"));
	return v;
}

static void
identity_work(void *data)
{
	*(char ***)data = spawn_identity_lookup();
}

static void
identity_done(void *data, int status)
{
	(void)status;
	strv_free(self_vars);
	self_vars = *(char ***)data;
	free(data);
}

void
spawn_identity_init(struct executor *e)
{
	executor_submit(e, identity_work, identity_done,
	    xcalloc(1, sizeof(char **)));
}

void
spawn_identity_free(void)
{
	self_vars = strv_free(self_vars);
}

const char *
spawn_identity_home(void)
{
	return self_vars ? strv_env_get(self_vars, "HOME") : NULL;
}

bool
spawn_identity_known(void)
{
	return self_vars != NULL;
}

static bool
is_locale_var(const char *kv)
{
	return !strncmp(kv, "LANG=", 5) || !strncmp(kv, "LANGUAGE=", 9) ||
	    !strncmp(kv, "LC_", 3);
}

static char **
env_set(char **env, const char *name, const char *value)
{
	char *kv = xstrfmt("%s=%s", name, value);

	env = strv_env_set(env, kv);
	free(kv);
	return env;
}

/* PATH, the locale and what pass_environment= names, from jobd's own. */
static char **
env_base(char **env, char *const *pass_jobd, char *const *pass_job)
{
	const char *v;
	size_t i;

	env = strv_env_set(env, "PATH=" SPAWN_DEFAULT_PATH);
	for (i = 0; environ && environ[i]; i++)
		if (is_locale_var(environ[i]) &&
		    strv_env_assignment_is_valid(environ[i]))
			env = strv_env_set(env, environ[i]);
	for (i = 0; self_vars && self_vars[i]; i++)
		env = strv_env_set(env, self_vars[i]);
	for (; pass_jobd || pass_job; pass_jobd = pass_job, pass_job = NULL)
		for (i = 0; pass_jobd && pass_jobd[i]; i++)
			if ((v = getenv(pass_jobd[i])))
				env = env_set(env, pass_jobd[i], v);
	return env;
}

/* JOBD_JOB, JOBD_RUN, JOBD_TRIGGER and, for a slot, JOBD_SCHEDULED_AT. */
static char **
env_identity(char **env, const struct spawn_ids *ids)
{
	char ts[TIMESTAMP_MAX], num[32];

	env = env_set(env, "JOBD_JOB", ids->job);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)ids->run);
	env = env_set(env, "JOBD_RUN", num);
	env = env_set(env, "JOBD_TRIGGER", ids->trigger);
	if (ids->scheduled) {
		env = env_set(env, "JOBD_SCHEDULED_AT", timestamp_format(ts,
		    sizeof(ts), ids->scheduled));
		snprintf(num, sizeof(num), "%llu",
		    (unsigned long long)ids->scheduled);
		env = env_set(env, "JOBD_SCHEDULED_AT_USEC", num);
	}
	return env;
}

char **
spawn_env_build(const struct job_config *jc, char *const *pass_jobd,
    const struct spawn_ids *ids)
{
	char **env = xcalloc(1, sizeof(char *)), num[32];
	size_t i;

	/* clear_environment=: not even the base. */
	if (!jc->exec.clear_environment)
		env = env_base(env, pass_jobd, jc->exec.pass_environment);
	env = env_identity(env, ids);
	if (jc->service && ids->notify_socket &&
	    (jc->svc.ready == READY_NOTIFY || jc->svc.watchdog_sec))
		env = env_set(env, "NOTIFY_SOCKET", ids->notify_socket);
	if (jc->service && jc->svc.watchdog_sec) {
		snprintf(num, sizeof(num), "%llu",
		    (unsigned long long)jc->svc.watchdog_sec);
		env = env_set(env, "WATCHDOG_USEC", num);
	}
	for (i = 0; ids->extra_env && ids->extra_env[i]; i++)
		env = strv_env_set(env, ids->extra_env[i]);
	for (i = 0; jc->environment && jc->environment[i]; i++)
		env = strv_env_set(env, jc->environment[i]);
	/* What the caller chose wins over what the file sets. */
	for (i = 0; ids->params_env && ids->params_env[i]; i++)
		env = strv_env_set(env, ids->params_env[i]);
	return env;
}
