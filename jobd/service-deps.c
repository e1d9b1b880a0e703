/* Dependencies between units (jobs and services alike): whether a unit
 * is up, which required unit is down, which after= unit a start waits
 * for, and pulling up wants= and requires=.  The service state machine
 * and job runs both ask here. */
#include <string.h>

#include "daemon.h"
#include "job.h"
#include "service.h"

bool
service_unit_up(struct daemon *d, const char *name)
{
	struct job *j = daemon_find_job(d, name);
	struct run *r;

	if (!j)
		return false;
	if (j->service)
		return j->service->state == SVC_READY ||
		    j->service->state == SVC_RELOADING;
	r = job_last_finished(j);
	return j->nactive == 0 && r && r->result == RESULT_SUCCESS;
}

/* A requires= target of unit jc that failed or was stopped, or NULL. */
const char *
unit_required_down(struct daemon *d, const struct job_config *jc)
{
	char **req = jc->requires;
	struct job *j;
	size_t i;

	for (i = 0; req && req[i]; i++) {
		j = daemon_find_job(d, req[i]);
		if (!j)
			return req[i];
		if (j->service && (j->service->state == SVC_FAILED ||
		    (!j->service->want_up && !j->service->run)))
			return req[i];
		if (!j->service && j->nactive == 0 && job_last_finished(j) &&
		    job_last_finished(j)->result != RESULT_SUCCESS)
			return req[i];
	}
	return NULL;
}

/* The first after= or requires= unit of jc that is not up, or NULL. */
const char *
unit_waiting_for(struct daemon *d, const struct job_config *jc)
{
	char **lists[2] = { jc->after, jc->requires };
	size_t k, i;

	for (k = 0; k < 2; k++)
		for (i = 0; lists[k] && lists[k][i]; i++)
			if (!service_unit_up(d, lists[k][i]))
				return lists[k][i];
	return NULL;
}

/* wants= and requires= pull their units up: services start, jobs run
 * once (unless their last run succeeded or one is running). */
void
unit_pull(struct daemon *d, const struct job_config *jc)
{
	char **lists[2] = { jc->wants, jc->requires };
	struct job *j;
	size_t k, i;

	for (k = 0; k < 2; k++) {
		for (i = 0; lists[k] && lists[k][i]; i++) {
			j = daemon_find_job(d, lists[k][i]);
			if (!j)
				continue;
			if (j->service && !j->service->want_up &&
			    j->service->state != SVC_FAILED)
				service_start(j->service, TRIGGER_DEPENDENCY);
			else if (!j->service && !j->nactive &&
			    !service_unit_up(d, j->name))
				job_trigger(j, TRIGGER_DEPENDENCY);
		}
	}
}

