/* A service's health probe (probe=): started when its process is, stopped
 * when that is gone, and what each result means for the service.  Before
 * ready a failure counts for nothing (start_timeout= bounds the wait; with
 * ready=probe the first pass is ready, in service.c's switch); once ready,
 * probe_failures= failures in a row, not counting those within
 * probe_start_period=, stop the process as a watchdog timeout does: an
 * abnormal end, the last check's detail as the reason, and restart=
 * decides what follows. */
#include <stdlib.h>

#include "config.h"
#include "job.h"
#include "probe.h"
#include "run.h"
#include "service-internal.h"
#include "xmalloc.h"

static void
service_probe_cb(void *owner, const struct probe_result *r)
{
	service_event(owner, SVC_EV_PROBE, &(struct service_ev){ .probe = r });
}

void
service_probe_begin(struct service *s)
{
	if (s->probe || !s->job->config || !s->ctx->probes)
		return;
	s->probe_failures = 0;
	s->probe = probe_start(s->ctx->probes, s->job->config,
	    service_probe_cb, s);
}

void
service_probe_end(struct service *s)
{
	probe_stop(s->probe);
	s->probe = NULL;
	s->probe_failures = 0;
}

/* probe_failures= in a row: the process is stopped (stop_signal=, then
 * SIGKILL after stop_timeout=) and the exit judged as abnormal. */
static void
service_probe_unhealthy(struct service *s, const struct probe_result *r)
{
	free(s->reason);
	s->reason = xstrfmt("health probe failed %u time%s in a row: %s",
	    s->probe_failures, s->probe_failures == 1 ? "" : "s", r->detail);
	log_svc(s, LOG_WARNING, "service '%s': %s; stopping it",
	    s->job->name, s->reason);
	s->reason_abnormal = true;
	service_probe_end(s);
	run_fail(s->run, s->reason, 0);
}

void
service_on_probe(struct service *s, const struct probe_result *r)
{
	const struct job_service *c = svc_cfg(s);

	free(s->probe_last.detail);
	s->probe_last = (struct service_probe_last){ .ok = r->ok,
	    .at = r->at, .detail = xstrdup(r->detail) };
	if (r->ok) {
		if (s->probe_failures)
			log_svc(s, LOG_NOTICE, "service '%s': health probe "
			    "passes again (%s)", s->job->name, r->detail);
		s->probe_failures = 0;
		return;
	}
	if (!service_is_up(s) || r->in_start_period || !s->run)
		return;
	s->probe_failures++;
	log_svc(s, LOG_WARNING, "service '%s': health probe failed (%u/%u): "
	    "%s", s->job->name, s->probe_failures, c->probe.failures,
	    r->detail);
	if (s->probe_failures >= c->probe.failures)
		service_probe_unhealthy(s, r);
}
