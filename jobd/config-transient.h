/* A transient job: what jobctl run asks for (a command no file declares,
 * once or on a calendar), checked as strictly as a file's [job NAME] and
 * made into a job_config of its own (job_config_free frees it). */
#ifndef JOBD_CONFIG_TRANSIENT_H
#define JOBD_CONFIG_TRANSIENT_H

#include "config.h"

#define TRANSIENT_FILE "(jobctl run)"	/* where it "was defined" */

struct transient_spec {
	const char *name;		/* checked like [job NAME] */
	char **command;			/* argv, at most ARGS_MAX */
	const char *user;		/* NULL: jobd's own */
	const char *timeout;		/* a time span, or NULL */
	char **locks;			/* lock names, or NULL */
	char **env;			/* KEY=VALUE, or NULL */
	const char *on_calendar;	/* a schedule, or NULL: run once */
};

/* 0 and *ret, or -EINVAL with *cause naming what is wrong. */
int config_transient_new(const struct transient_spec *,
    struct job_config **ret, char **cause);

/* Frees a transient job's definition; returns NULL. */
struct job_config *config_transient_free(struct job_config *);

#endif
