/* A unit's cgroup limits, written into each run's cgroup v2 directory
 * while it is still empty: the run's process joins it only in jobd-exec,
 * just before exec, so nothing of the run ever runs without them.  The
 * files are cgroupfs (memory, no disk).  A limit that cannot be written
 * fails the run rather than running it unbounded; a configuration that
 * sets limits where jobd has no per-run cgroups is refused (at --check,
 * start and reload) with how to get them. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-limits.h"
#include "strv.h"
#include "xmalloc.h"

/* Where each limit goes, and the controller that provides the file. */
static const struct {
	const char *file, *controller;
} limit_file[JOB_NLIMITS] = {
	[JOB_LIMIT_MEMORY_MAX] = { "memory.max", "memory" },
	[JOB_LIMIT_MEMORY_HIGH] = { "memory.high", "memory" },
	[JOB_LIMIT_MEMORY_SWAP_MAX] = { "memory.swap.max", "memory" },
	[JOB_LIMIT_CPU_QUOTA] = { "cpu.max", "cpu" },
	[JOB_LIMIT_CPU_WEIGHT] = { "cpu.weight", "cpu" },
	[JOB_LIMIT_TASKS_MAX] = { "pids.max", "pids" },
	[JOB_LIMIT_IO_WEIGHT] = { "io.weight", "io" },
};

/* The text the kernel takes for limit k. */
static void
limit_text(enum job_limit k, uint64_t v, char *buf, size_t size)
{
	if (v == CONFIG_LIMIT_INFINITY)
		snprintf(buf, size, "max");
	else if (k == JOB_LIMIT_CPU_QUOTA)
		/* v% of one CPU per 100 ms period, as systemd writes it. */
		snprintf(buf, size, "%" PRIu64 " 100000", v * 1000);
	else if (k == JOB_LIMIT_IO_WEIGHT)
		snprintf(buf, size, "default %" PRIu64, v);
	else
		snprintf(buf, size, "%" PRIu64, v);
}

static int
limit_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		r = -errno;
	close(fd);
	return r;
}

int
cgroup_limits_apply(const char *dir, const struct job_limits *l,
    char **cause)
{
	char text[64], *path;
	int k, r;

	for (k = 0; k < JOB_NLIMITS; k++) {
		if (!(l->set & (1u << k)))
			continue;
		limit_text(k, l->v[k], text, sizeof(text));
		path = xstrfmt("%s/%s", dir, limit_file[k].file);
		r = limit_write(path, text);
		if (r == -ENOENT)
			*cause = xstrfmt("%s=: no %s in the run's cgroup: the "
			    "%s controller is not available to jobd's cgroup "
			    "(its parent must enable it%s)", job_limit_name[k],
			    limit_file[k].file, limit_file[k].controller,
			    k == JOB_LIMIT_MEMORY_SWAP_MAX ? ", and the kernel "
			    "account swap" : "");
		else if (r < 0)
			*cause = xstrfmt("%s=: cannot write '%s' to %s: %s",
			    job_limit_name[k], text, path, strerror(-r));
		free(path);
		if (r < 0)
			return r;
	}
	return 0;
}

char *
cgroup_limits_keys(const struct job_limits *l)
{
	char *s = xstrdup(""), *t;
	int k;

	for (k = 0; k < JOB_NLIMITS; k++) {
		if (!(l->set & (1u << k)))
			continue;
		t = xstrfmt("%s%s%s=", s, *s ? ", " : "", job_limit_name[k]);
		free(s);
		s = t;
	}
	return s;
}

size_t
cgroup_limits_refuse(const struct config *c, const struct cgroup *cg,
    char ***errors)
{
	const struct job_config *jc;
	char *keys;
	size_t n = 0;

	if (cg->enabled)
		return 0;
	TAILQ_FOREACH(jc, &c->jobs, entry) {
		if (!jc->limits.set)
			continue;
		keys = cgroup_limits_keys(&jc->limits);
		*errors = strv_push(*errors, xstrfmt("%s:%u: %s '%s': %s: "
		    "jobd has no per-run cgroups (%s); %s", jc->file,
		    jc->limits.line ? jc->limits.line : jc->line,
		    jc->service ? "service" : "job", jc->name, keys,
		    cg->why ? cg->why : "not enabled", CGROUP_LIMITS_ADVICE));
		free(keys);
		n++;
	}
	return n;
}
