/* Between probe.c (one service's probe: the schedule, the deadline) and
 * the files of each kind of check (probe-exec.c, probe-http.c,
 * probe-tcp.c).  Not for other modules. */
#ifndef JOBD_PROBE_INTERNAL_H
#define JOBD_PROBE_INTERNAL_H

#include "config.h"
#include "probe.h"

struct probe {
	struct probe_ctx *ctx;
	struct job_probe spec;		/* a copy */
	/* Exec probes: as whom and where the command runs. */
	char *name, *user, *group, *cwd;
	char **env;
	uv_timer_t timer;		/* the next check */
	uv_timer_t deadline;		/* the check's probe_timeout= */
	void *check;			/* in flight, or NULL */
	usec_t started;			/* monotonic: the probe */
	usec_t check_started;		/* monotonic: the check */
	bool passed;			/* a check passed once */
	bool stopped;
	bool in_start;			/* inside ops->start */
	bool early_ok;			/* an end said inside start */
	char *early_detail;
	unsigned open;			/* handles not closed yet */
	probe_result_fn result;
	void *owner;
};

/* One kind of check.  start begins one (its end comes later, through
 * probe_check_done, which waits when called from inside start) and
 * returns it, or NULL with *why (it failed at once: a failed check).
 * cancel stops one in flight: done is never called for it, and it frees
 * itself once its handles are closed (a command once it is reaped). */
struct probe_ops {
	void *(*start)(struct probe *, char **why);
	void (*cancel)(void *check);
};

extern const struct probe_ops probe_exec_ops, probe_http_ops,
    probe_tcp_ops;

/* A check ended; takes detail (malloc'd, cut to PROBE_DETAIL_MAX). */
void probe_check_done(struct probe *, bool ok, char *detail);

#endif
