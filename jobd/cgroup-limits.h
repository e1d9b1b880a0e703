/* A unit's cgroup limits (memory_max=, cpu_quota=, ...) on each run's
 * cgroup, and the refusal of a configuration that sets them where jobd
 * has no per-run cgroups. */
#ifndef JOBD_CGROUP_LIMITS_H
#define JOBD_CGROUP_LIMITS_H

#include "cgroup.h"
#include "config.h"

/* How to get per-run cgroups: the end of every refusal. */
#define CGROUP_LIMITS_ADVICE "cgroup limits need a cgroup v2 directory " \
	"delegated to jobd: run it as a systemd service with Delegate=yes " \
	"(the shipped jobd.service has it) and cgroups=auto or yes in " \
	"[jobd], or remove the limits"

/* Writes l into the run's cgroup dir, before any process is in it (the
 * process joins through jobd-exec --cgroup just before it execs).
 * Returns 0, or -errno with *cause naming the key and the file. */
int cgroup_limits_apply(const char *dir, const struct job_limits *l,
    char **cause);
/* "memory_max=, cpu_quota=": the keys l sets (allocated). */
char *cgroup_limits_keys(const struct job_limits *l);
/* One "file:line: ..." error per unit of c that sets limits when cg has
 * no per-run cgroups, appended to *errors (a strv); returns how many. */
size_t cgroup_limits_refuse(const struct config *c, const struct cgroup *cg,
    char ***errors);

#endif
