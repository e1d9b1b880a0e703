/* A run and its unit's cgroup limits: written into the run's cgroup when
 * the run is made (before its process can exist), and at its end the
 * cgroup's OOM kills turn a failure into the result oom, with the peak
 * memory in the reason, as systemd's "oom-kill" result does. */
#include <stdio.h>
#include <stdlib.h>

#include "cgroup-limits.h"
#include "run-ctx.h"
#include "run.h"
#include "xmalloc.h"

void
run_limits_setup(struct run *r, const struct job_limits *l)
{
	const struct cgroup *cg = r->ctx->cgroup;
	char *cause = NULL, *keys;

	if (l->set & (1u << JOB_LIMIT_MEMORY_MAX) &&
	    l->v[JOB_LIMIT_MEMORY_MAX] != CONFIG_LIMIT_INFINITY)
		r->memory_max = l->v[JOB_LIMIT_MEMORY_MAX];
	if (!r->cgroup) {
		/* The configuration was checked against jobd's cgroup: the
		 * run's own could not be made (logged), or cgroups went. */
		keys = cgroup_limits_keys(l);
		xasprintf(&r->reason, "%s: the run has no cgroup of its own "
		    "(%s); %s", keys, cg && !cg->enabled && cg->why ? cg->why :
		    "it could not be created", CGROUP_LIMITS_ADVICE);
		free(keys);
		r->result = RESULT_FAILED;
		return;
	}
	if (cgroup_limits_apply(r->cgroup, l, &cause) < 0) {
		r->result = RESULT_FAILED;
		r->reason = cause;
	}
}

/* 1.5G, 300.2M, 12K: what a person reads in a reason. */
static void
run_format_kb(char *buf, size_t size, uint64_t kb)
{
	if (kb >= 1024 * 1024)
		snprintf(buf, size, "%.1fG", kb / (1024.0 * 1024.0));
	else if (kb >= 1024)
		snprintf(buf, size, "%.1fM", kb / 1024.0);
	else
		snprintf(buf, size, "%lluK", (unsigned long long)kb);
}

void
run_limits_verdict(struct run *r)
{
	char peak[32], max[32];

	/* A timeout, a cancel, a run_fail() say more than the kill did; a
	 * run that succeeded despite a killed child stays a success. */
	if (r->result != RESULT_FAILED || r->forced_failure ||
	    !r->usage.oom_kills || !r->exited)
		return;
	r->result = RESULT_OOM;
	run_format_kb(peak, sizeof(peak), r->usage.peak_kb);
	free(r->reason);
	if (r->memory_max) {
		run_format_kb(max, sizeof(max), r->memory_max / 1024);
		xasprintf(&r->reason, "killed by the OOM killer at "
		    "memory_max=%s; peak memory %s", max, peak);
	} else {
		xasprintf(&r->reason, "the OOM killer ended %llu process%s "
		    "of the run; peak memory %s",
		    (unsigned long long)r->usage.oom_kills,
		    r->usage.oom_kills == 1 ? "" : "es", peak);
	}
}
