/* Transient jobs' definitions (jobctl run): every value goes through the
 * parser a file's key would, so a name, a user, a lock or a schedule that
 * a file may not have is refused here too.  The command comes as argv
 * and is never given to a shell.  Environment keys JOBD_* and those of the
 * service manager are refused: they are jobd's to set. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "config-transient.h"
#include "params.h"
#include "strv.h"
#include "xmalloc.h"

static int
transient_env_check(char **env, char **cause)
{
	size_t i, k, n;

	if (strv_length(env) > CONFIG_MAX_ENV)
		return config_fail(cause, xstrfmt("too many environment "
		    "variables (max %d)", CONFIG_MAX_ENV));
	for (i = 0; env && env[i]; i++) {
		if (!strv_env_assignment_is_valid(env[i]) ||
		    strlen(env[i]) > PARAM_MAX_VALUE)
			return config_fail(cause, xstrfmt("invalid assignment "
			    "'%.64s': expected KEY=VALUE, at most %d bytes",
			    env[i], PARAM_MAX_VALUE));
		n = strcspn(env[i], "=");
		if (!strncmp(env[i], "JOBD_", 5))
			return config_fail(cause, xstrfmt("environment "
			    "'%.*s': JOBD_* variables are jobd's to set",
			    (int)n, env[i]));
		for (k = 0; config_manager_env[k]; k++)
			if (strlen(config_manager_env[k]) == n &&
			    !strncmp(env[i], config_manager_env[k], n))
				return config_fail(cause, xstrfmt(
				    "environment '%.*s': the service "
				    "manager's, not a run's", (int)n, env[i]));
	}
	return 0;
}

static int
transient_command(struct job_config *jc, char **argv, char **cause)
{
	if (!argv || !argv[0] || !argv[0][0])
		return config_fail(cause, xstrdup("empty command"));
	if (args_check(argv, cause) < 0)
		return -EINVAL;
	jc->command = strv_copy(argv);
	jc->command_line = strv_join_quoted(argv);
	return 0;
}

/* The values a file would give as keys, through the keys' parsers. */
static int
transient_keys(struct job_config *jc, const struct transient_spec *s,
    char **cause)
{
	size_t i;

	if (s->user && config_parse_user(s->user, &jc->user, NULL, cause) < 0)
		return -EINVAL;
	if (s->timeout && config_parse_timeout(s->timeout, &jc->timeout, NULL,
	    cause) < 0)
		return -EINVAL;
	for (i = 0; s->locks && s->locks[i]; i++)
		if (config_parse_names(s->locks[i], &jc->policy.locks, NULL,
		    cause) < 0)
			return -EINVAL;
	if (s->on_calendar && config_parse_schedule(s->on_calendar,
	    &jc->sched, NULL, cause) < 0)
		return -EINVAL;
	return 0;
}

struct job_config *
config_transient_free(struct job_config *jc)
{
	return job_config_free(jc);
}

int
config_transient_new(const struct transient_spec *s, struct job_config **ret,
    char **cause)
{
	struct job_config *jc;

	if (config_job_name_check(s->name, cause) < 0)
		return -EINVAL;
	jc = job_config_new(s->name, TRANSIENT_FILE, 0, false);
	jc->transient = true;
	free(jc->description);
	jc->description = xstrdup(s->on_calendar ? "transient, jobctl run "
	    "--on-calendar" : "transient, jobctl run");
	if (transient_command(jc, s->command, cause) < 0 ||
	    transient_keys(jc, s, cause) < 0 ||
	    transient_env_check(s->env, cause) < 0) {
		job_config_free(jc);
		return -EINVAL;
	}
	jc->environment = strv_copy(s->env);
	*ret = jc;
	return 0;
}
