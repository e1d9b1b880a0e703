/* Events, asyncio style: EventSet, EventClear and EventList for named
 * events (a job with on_event= runs when its event goes from clear to
 * set; a run of a job with wait_event= waits until it is set), and the
 * Events stream of every state change. */
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "config-internal.h"
#include "control.h"
#include "config.h"
#include "job.h"
#include "run-ctx.h"
#include "units.h"
#include "job.h"
#include "macro.h"
#include "method.h"
#include "run.h"
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
	struct method_ctx *m = ctl_ctx(c);
	const char *name;
	struct job *j;
	json_t *runs;
	bool rose;

	if (event_name(c, params, &name) < 0)
		return;
	rose = sync_event_set(m->sync, name);
	runs = json_array();
	if (rose) {
		bus_event(m->bus, "event-set", name);
		/* Clear -> set: each job waiting on it runs once. */
		TAILQ_FOREACH(j, &m->units->jobs, entry)
			if (j->config && strv_contains(
			    j->config->policy.on_event, name) && !m->runs->stopping)
				json_array_append_new(runs, json_integer(
				    job_trigger(j, TRIGGER_EVENT)->id));
	}
	ctl_reply(c, json_pack("{s:s, s:b, s:b, s:o}", "name", name, "set",
	    true, "changed", rose, "runs", runs), false);
}

void
method_event_clear(struct conn *c, json_t *params)
{
	struct method_ctx *m = ctl_ctx(c);
	const char *name;
	bool was;

	if (event_name(c, params, &name) < 0)
		return;
	was = sync_event_is_set(m->sync, name);
	sync_event_clear(m->sync, name);
	if (was)
		bus_event(m->bus, "event-clear", name);
	ctl_reply(c, json_pack("{s:s, s:b, s:b, s:o}", "name", name, "set",
	    false, "changed", was, "runs", json_array()), false);
}

void
method_event_list(struct conn *c, json_t *params)
{
	struct method_ctx *m = ctl_ctx(c);
	struct job *j;
	json_t *all;
	size_t i;

	if (ctl_params(c, params, NULL, 0, NULL) < 0)
		return;
	/* Events named in the config exist even before anyone set them. */
	TAILQ_FOREACH(j, &m->units->jobs, entry) {
		if (!j->config)
			continue;
		for (i = 0; j->config->policy.on_event &&
		    j->config->policy.on_event[i]; i++)
			sync_event_is_set(m->sync,
			    j->config->policy.on_event[i]);
		if (j->config->policy.wait_event)
			sync_event_is_set(m->sync,
			    j->config->policy.wait_event);
	}
	all = method_sync_json(m);
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
	bus_subscribe(ctl_ctx(c)->bus, c);
}

/* The runs waiting for a lock or semaphore, as ids, in queue order. */
static json_t *
sync_waiters_json(struct sync *s, const char *kind, const char *name)
{
	json_t *a = json_array();
	struct run *r;

	TAILQ_FOREACH(r, &s->waiting, sync_entry)
		if (sync_waits_for(r, kind, name))
			json_array_append_new(a, json_integer(r->id));
	return a;
}

static json_t *
sync_holders_json(const struct units *u, const char *sem)
{
	json_t *h = json_array();
	const struct job *j;
	const struct run *r;

	TAILQ_FOREACH(j, &u->jobs, entry)
		TAILQ_FOREACH(r, &j->runs, entry)
			if (r->admitted && strv_contains(r->held_sems, sem))
				json_array_append_new(h, json_integer(r->id));
	return h;
}

json_t *
method_sync_json(struct method_ctx *m)
{
	json_t *locks = json_array(), *sems = json_array(), *events =
	    json_array();
	const struct config *c = m->runs->config;
	struct sync *s = m->sync;
	size_t i;

	/* Semaphores named in the config exist before anyone took one. */
	for (i = 0; i < c->nsemaphores; i++)
		sync_semaphore(s, c->semaphores[i].name);
	for (i = 0; i < s->nlocks; i++) {
		json_t *o = json_pack("{s:s, s:o}", "name", s->locks[i].name,
		    "waiters", sync_waiters_json(s, "lock", s->locks[i].name));

		if (s->locks[i].holder)
			json_object_set_new(o, "holder",
			    json_integer(s->locks[i].holder->id));
		json_array_append_new(locks, o);
	}
	for (i = 0; i < s->nsems; i++)
		json_array_append_new(sems, json_pack("{s:s, s:I, s:o, s:o}",
		    "name", s->sems[i].name, "limit",
		    (json_int_t)sync_semaphore_limit(s, s->sems[i].name),
		    "holders", sync_holders_json(m->units, s->sems[i].name),
		    "waiters", sync_waiters_json(s, "semaphore",
		    s->sems[i].name)));
	for (i = 0; i < s->nevents; i++)
		json_array_append_new(events, json_pack("{s:s, s:b}", "name",
		    s->events[i].name, "set", s->events[i].set));
	return json_pack("{s:o, s:o, s:o, s:I}", "locks", locks,
	    "semaphores", sems, "events", events, "running",
	    (json_int_t)s->running);
}
