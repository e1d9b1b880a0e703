/* The requests of service.h (jobctl start, stop, restart, reload,
 * reset-failed; a dependent's pull; a dependency's change), each an
 * event of the state machine (service.c), which alone acts on them. */
#include "job.h"
#include "service-internal.h"

void
service_start(struct service *s, int trigger)
{
	service_event(s, SVC_EV_START, &(struct service_ev){
	    .trigger = trigger });
}

void
service_pull(struct service *s)
{
	service_event(s, SVC_EV_PULL, NULL);
}

void
service_stop(struct service *s, const char *reason)
{
	service_event(s, SVC_EV_STOP, &(struct service_ev){
	    .reason = reason });
}

void
service_restart(struct service *s)
{
	service_event(s, SVC_EV_RESTART, NULL);
}

int
service_reload(struct service *s)
{
	return service_event(s, SVC_EV_RELOAD, NULL);
}

void
service_reset_failed(struct service *s)
{
	service_event(s, SVC_EV_RESET_FAILED, NULL);
}

void
service_recheck(struct service *s)
{
	service_event(s, SVC_EV_RECHECK, NULL);
}
