/* Every service at once: start those that autostart when jobd is up,
 * stop them all at shutdown (deps.c orders the stops), tell whether any
 * still has a process, and apply a new configuration to them. */
#include <uv.h>

#include "config.h"
#include "job.h"
#include "service-internal.h"
#include "strv.h"
#include "units.h"

/* autostart=, on the nodes run_on= names (in a cluster). */
static bool
services_autostart(const struct job *j)
{
	return j->config->svc.autostart &&
	    config_runs_here(j->ctx->config, j->config);
}

void
services_start_all(struct units *u)
{
	struct job *j;

	TAILQ_FOREACH(j, &u->jobs, entry)
		if (j->service && j->config && services_autostart(j))
			service_start(j->service, TRIGGER_BOOT);
}

/* Nobody wants them up any more, and no backoff or stable timer runs;
 * the owner's dependency pass then stops them in order. */
void
services_stop_all(struct units *u)
{
	struct job *j;

	TAILQ_FOREACH(j, &u->jobs, entry)
		if (j->service)
			service_event(j->service, SVC_EV_SHUTDOWN, NULL);
}

bool
services_any_running(const struct units *u)
{
	const struct job *j;

	TAILQ_FOREACH(j, &u->jobs, entry)
		if (j->service && j->service->run)
			return true;
	return false;
}

void
services_apply_config(struct units *u, const struct service_ctx *ctx,
    bool started, char **restart)
{
	struct job *j;
	bool is_svc;

	TAILQ_FOREACH(j, &u->jobs, entry) {
		is_svc = j->config && j->config->service;
		if (is_svc && !j->service) {
			j->service = service_new(j, ctx);
			if (started && services_autostart(j))
				service_start(j->service, TRIGGER_MANUAL);
		} else if (!is_svc && j->service) {
			service_stop(j->service, j->config ? NULL :
			    "removed from the configuration");
			if (j->config) {
				/* Now a job: its process ends as a job run. */
				service_free(j->service);
				j->service = NULL;
			}
		} else if (is_svc && strv_contains(restart, j->name) &&
		    service_is_active(j->service)) {
			log_svc(j->service, LOG_INFO, "service '%s': exec "
			    "context changed; restarting", j->name);
			service_restart(j->service);
		}
	}
}
