/* One [job NAME] or [service NAME] definition: its defaults, its teardown
 * and what makes two definitions the same job (for the reload plan). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "strv.h"
#include "xmalloc.h"

struct job_config *
job_config_new(const char *name, const char *file, unsigned line,
    bool service)
{
	struct job_config *job = xcalloc(1, sizeof(*job));

	job->name = xstrdup(name);
	job->description = xstrdup("");
	job->stop_timeout = CONFIG_DEFAULT_STOP_TIMEOUT;
	job->stop_signal = SIGTERM;
	job->history_max_runs = -1;
	job->history_max_age = -1;
	job->output = OUTPUT_JOURNAL;
	job->output_file_keep = 5;
	job->sched.catch_up_max = CONFIG_DEFAULT_CATCH_UP_MAX;
	job->sched.queue_max = CONFIG_DEFAULT_QUEUE_MAX;
	job->service = service;
	job->exec.umask = -1;
	job->policy.retry_sec = USEC_PER_SEC;
	job->policy.path_interval = CONFIG_DEFAULT_PATH_INTERVAL;
	job->policy.retry_max_sec = 5 * USEC_PER_MINUTE;
	job->policy.retry_on_failed = job->policy.retry_on_timeout = true;
	job->policy.alert_on = CONFIG_ALERT_ON_DEFAULT;
	job->svc = (struct job_service){
		.autostart = true,
		.restart = RESTART_ON_FAILURE,
		.restart_sec = 100 * USEC_PER_MSEC,
		.restart_max_sec = 30 * USEC_PER_SEC,
		.stable_after = 10 * USEC_PER_SEC,
		.start_limit_burst = 5,
		.start_limit_interval = 10 * USEC_PER_SEC,
		.start_timeout = 90 * USEC_PER_SEC,
		.ready_after = USEC_PER_SEC,
		.reload_signal = SIGHUP,
	};
	job->file = xstrdup(file);
	job->line = line;
	return job;
}

struct job_config *
job_config_free(struct job_config *job)
{
	if (!job)
		return NULL;
	free(job->name);
	free(job->description);
	strv_free(job->command);
	free(job->command_line);
	strv_free(job->environment);
	free(job->working_directory);
	free(job->user);
	free(job->group);
	free(job->output_file);
	job_schedule_free(&job->sched);
	job_service_free(&job->svc);
	strv_free(job->after);
	strv_free(job->wants);
	strv_free(job->requires);
	strv_free(job->groups);
	job_policy_free(&job->policy);
	strv_free(job->allow_start);
	strv_free(job->run_on);
	free(job->allow_uids);
	free(job->allow_gids);
	job_exec_free(&job->exec);
	free(job->file);
	free(job);
	return NULL;
}

static bool
streq_null(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool
job_config_exec_equal(const struct job_config *a, const struct job_config *b)
{
	return strv_equal(a->command, b->command) &&
	    strv_equal(a->environment, b->environment) &&
	    streq_null(a->working_directory, b->working_directory) &&
	    streq_null(a->user, b->user) &&
	    streq_null(a->group, b->group) &&
	    a->output == b->output &&
	    streq_null(a->output_file, b->output_file) &&
	    a->svc.ready == b->svc.ready &&
	    a->svc.ready_fd == b->svc.ready_fd &&
	    a->svc.watchdog_sec == b->svc.watchdog_sec &&
	    job_exec_equal(&a->exec, &b->exec) &&
	    job_limits_equal(&a->limits, &b->limits);
}

bool
job_config_equal(const struct job_config *a, const struct job_config *b)
{
	/* Where a job is defined (file, line) does not change what it is. */
	return streq_null(a->name, b->name) &&
	    streq_null(a->description, b->description) &&
	    strv_equal(a->command, b->command) &&
	    streq_null(a->command_line, b->command_line) &&
	    a->shell == b->shell &&
	    strv_equal(a->environment, b->environment) &&
	    streq_null(a->working_directory, b->working_directory) &&
	    streq_null(a->user, b->user) &&
	    streq_null(a->group, b->group) &&
	    a->timeout == b->timeout &&
	    a->stop_timeout == b->stop_timeout &&
	    a->stop_signal == b->stop_signal &&
	    a->output == b->output &&
	    streq_null(a->output_file, b->output_file) &&
	    a->output_file_max == b->output_file_max &&
	    a->output_file_keep == b->output_file_keep &&
	    a->output_file_max_age == b->output_file_max_age &&
	    a->output_file_compress == b->output_file_compress &&
	    a->history_max_runs == b->history_max_runs &&
	    a->history_max_age == b->history_max_age &&
	    job_schedule_equal(&a->sched, &b->sched) &&
	    a->service == b->service &&
	    job_service_equal(&a->svc, &b->svc) &&
	    strv_equal(a->after, b->after) &&
	    strv_equal(a->wants, b->wants) &&
	    strv_equal(a->requires, b->requires) &&
	    strv_equal(a->groups, b->groups) &&
	    job_policy_equal(&a->policy, &b->policy) &&
	    strv_equal(a->allow_start, b->allow_start) &&
	    strv_equal(a->run_on, b->run_on) &&
	    job_exec_equal(&a->exec, &b->exec) &&
	    job_limits_equal(&a->limits, &b->limits);
}

