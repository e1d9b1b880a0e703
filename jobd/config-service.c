/* The keys of [service NAME] sections: restart policy, backoff, start
 * limit, readiness, watchdog (probe= is config-probe.c's).  Value parsers
 * only; the table that names the keys is in config-keys.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "signame.h"
#include "strv.h"
#include "xmalloc.h"

const char *const restart_mode_name[RESTART_NMODES] = {
	[RESTART_NO] = "no",
	[RESTART_ON_FAILURE] = "on-failure",
	[RESTART_ON_ABNORMAL] = "on-abnormal",
	[RESTART_ALWAYS] = "always",
};

const char *const ready_mode_name[READY_NMODES] = {
	[READY_SPAWN] = "spawn",
	[READY_NOTIFY] = "notify",
	[READY_FD] = "fd",
	[READY_PROBE] = "probe",
};


CONFIG_ENUM_PARSER(config_parse_restart, enum restart_mode,
    restart_mode_name, RESTART_NMODES)

static const char *const start_limit_action_name[] = { "fail",
    "keep-trying" };

CONFIG_ENUM_PARSER(config_parse_start_limit_action, enum start_limit_action,
    start_limit_action_name, 2)

/* Exit codes (0-255) and signal names (as 128+N), space separated. */
int
config_parse_exit_status(const char *value, void *dst, const char *dir,
    char **cause)
{
	_cleanup_(strv_freep) char **words = NULL;
	struct job_service *s = dst;
	char *end;
	long v;
	size_t i;

	(void)dir;
	if (config_split_words(value, &words, cause) < 0)
		return -EINVAL;
	for (i = 0; words[i]; i++) {
		v = strtol(words[i], &end, 10);
		if (*end || end == words[i]) {
			int sig = signal_from_string(words[i]);

			if (sig < 0 || !strchr("Ss", words[i][0]))
				return config_fail(cause, xstrfmt("invalid "
				    "exit status '%s': expected 0-255 or a "
				    "signal name", words[i]));
			v = 128 + sig;
		} else if (v < 0 || v > 255) {
			return config_fail(cause, xstrfmt("invalid exit status "
			    "'%s': expected 0-255 or a signal name",
			    words[i]));
		}
		if (s->nsuccess >= CONFIG_MAX_EXIT_STATUS)
			return config_fail(cause, xstrfmt("too many exit "
			    "statuses (max %d)", CONFIG_MAX_EXIT_STATUS));
		s->success_exit_status = xreallocarray(s->success_exit_status,
		    s->nsuccess + 1, sizeof(int));
		s->success_exit_status[s->nsuccess++] = (int)v;
	}
	return 0;
}

int
config_parse_ready(const char *value, void *dst, const char *dir,
    char **cause)
{
	struct job_service *s = dst;
	char *end;
	long fd;

	(void)dir;
	if (!strcmp(value, "spawn")) {
		s->ready = READY_SPAWN;
	} else if (!strcmp(value, "notify")) {
		s->ready = READY_NOTIFY;
	} else if (!strcmp(value, "probe")) {
		s->ready = READY_PROBE;
	} else if (!strncmp(value, "fd:", 3)) {
		fd = strtol(value + 3, &end, 10);
		if (*end || end == value + 3 || fd < 3 || fd > 64)
			return config_fail(cause, xstrfmt("invalid value '%s': "
			    "fd:N needs N from 3 to 64", value));
		s->ready = READY_FD;
		s->ready_fd = (int)fd;
	} else {
		return config_fail(cause, xstrfmt("invalid value '%s': "
		    "expected spawn, notify, fd:N or probe", value));
	}
	return 0;
}

void
job_service_free(struct job_service *s)
{
	free(s->success_exit_status);
	job_probe_free(&s->probe);
}

bool
job_service_equal(const struct job_service *a, const struct job_service *b)
{
	return a->autostart == b->autostart && a->restart == b->restart &&
	    a->nsuccess == b->nsuccess && (a->nsuccess == 0 ||
	    !memcmp(a->success_exit_status, b->success_exit_status,
	    a->nsuccess * sizeof(int))) &&
	    a->restart_sec == b->restart_sec &&
	    a->restart_max_sec == b->restart_max_sec &&
	    a->stable_after == b->stable_after &&
	    a->start_limit_burst == b->start_limit_burst &&
	    a->start_limit_interval == b->start_limit_interval &&
	    a->start_limit_action == b->start_limit_action &&
	    a->ready == b->ready && a->ready_fd == b->ready_fd &&
	    a->start_timeout == b->start_timeout &&
	    a->ready_after == b->ready_after &&
	    a->watchdog_sec == b->watchdog_sec &&
	    a->reload_signal == b->reload_signal &&
	    job_probe_equal(&a->probe, &b->probe);
}
