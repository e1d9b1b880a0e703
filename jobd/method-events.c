/* Events, asyncio style: EventSet, EventClear and EventList for named
 * events (a job with on_event= runs when its event goes from clear to
 * set; a run of a job with wait_event= waits until it is set), and the
 * Events stream of every state change. */
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "config-internal.h"
#include "control.h"
#include "daemon.h"
#include "job.h"
#include "macro.h"
#include "method.h"
#include "strv.h"
#include "sync.h"

static int
event_name(struct conn *c, json_t *params, const char **ret)
{
	static const struct ctl_param spec[] = {
		{ "name", CTL_STRING, true, 0 },
	};
	char *why = NULL;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), ret) < 0)
		return -1;
	if (config_job_name_check(*ret, &why) < 0) {
		free(why);
		ctl_error_invalid_parameter(c, "name");
		return -1;
	}
	return 0;
}

void
method_event_set(struct conn *c, json_t *params)
{
	struct daemon *d = ctl_daemon(c);
	const char *name;
	struct job *j;
	json_t *runs;
	bool rose;

	if (event_name(c, params, &name) < 0)
		return;
	rose = sync_event_set(&d->sync, name);
	runs = json_array();
	if (rose) {
		bus_emit(d, "event-set", json_pack("{s:s}", "name", name));
		/* Clear -> set: each job waiting on it runs once. */
		TAILQ_FOREACH(j, &d->jobs, entry)
			if (j->config && strv_contains(
			    j->config->policy.on_event, name) && !d->stopping)
				json_array_append_new(runs, json_integer(
				    job_trigger(j, TRIGGER_EVENT)->id));
	}
	ctl_reply(c, json_pack("{s:s, s:b, s:b, s:o}", "name", name, "set",
	    true, "changed", rose, "runs", runs), false);
}

void
method_event_clear(struct conn *c, json_t *params)
{
	struct daemon *d = ctl_daemon(c);
	const char *name;
	bool was;

	if (event_name(c, params, &name) < 0)
		return;
	was = sync_event_is_set(&d->sync, name);
	sync_event_clear(&d->sync, name);
	if (was)
		bus_emit(d, "event-clear", json_pack("{s:s}", "name", name));
	ctl_reply(c, json_pack("{s:s, s:b, s:b, s:o}", "name", name, "set",
	    false, "changed", was, "runs", json_array()), false);
}

void
method_event_list(struct conn *c, json_t *params)
{
	struct daemon *d = ctl_daemon(c);
	struct job *j;
	json_t *all;
	size_t i;

	if (ctl_params(c, params, NULL, 0, NULL) < 0)
		return;
	/* Events named in the config exist even before anyone set them. */
	TAILQ_FOREACH(j, &d->jobs, entry) {
		if (!j->config)
			continue;
		for (i = 0; j->config->policy.on_event &&
		    j->config->policy.on_event[i]; i++)
			sync_event_is_set(&d->sync,
			    j->config->policy.on_event[i]);
		if (j->config->policy.wait_event)
			sync_event_is_set(&d->sync,
			    j->config->policy.wait_event);
	}
	all = sync_json(&d->sync);
	ctl_reply(c, json_pack("{s:O}", "events", json_object_get(all,
	    "events")), false);
	json_decref(all);
}

void
method_events(struct conn *c, json_t *params)
{
	if (ctl_params(c, params, NULL, 0, NULL) < 0)
		return;
	if (!ctl_more(c)) {
		ctl_error(c, "org.varlink.service.ExpectedMore", NULL);
		return;
	}
	bus_subscribe(ctl_daemon(c), c);
}
