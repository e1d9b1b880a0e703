/* Admission.  Every run whose job names a lock, a semaphore, a running
 * limit or wait_event= asks here before it starts.  All of a run's needs
 * are taken together or not at all, so two runs can never each hold what
 * the other waits for: deadlock is impossible by construction.  Waiters
 * are served in FIFO order per resource (sync_pump). */
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "daemon.h"
#include "job.h"
#include "log.h"
#include "run.h"
#include "service.h"
#include "strv.h"
#include "sync.h"
#include "xmalloc.h"

void
sync_init(struct sync *s, struct daemon *d)
{
	*s = (struct sync){ .daemon = d };
	TAILQ_INIT(&s->waiting);
	uv_idle_init(d->loop, &s->idle);
	s->idle.data = s;
	s->idle_open = true;
}

void
sync_close(struct sync *s)
{
	if (!s->idle_open)
		return;
	s->idle_open = false;
	uv_close((uv_handle_t *)&s->idle, NULL);
}

void
sync_free(struct sync *s)
{
	size_t i;

	for (i = 0; i < s->nlocks; i++)
		free(s->locks[i].name);
	for (i = 0; i < s->nsems; i++)
		free(s->sems[i].name);
	for (i = 0; i < s->nevents; i++)
		free(s->events[i].name);
	free(s->locks);
	free(s->sems);
	free(s->events);
	s->locks = NULL;
	s->sems = NULL;
	s->events = NULL;
	s->nlocks = s->nsems = s->nevents = 0;
}

static struct sync_lock *
sync_lock(struct sync *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nlocks; i++)
		if (!strcmp(s->locks[i].name, name))
			return &s->locks[i];
	s->locks = xreallocarray(s->locks, s->nlocks + 1, sizeof(*s->locks));
	s->locks[s->nlocks] = (struct sync_lock){ .name = xstrdup(name) };
	return &s->locks[s->nlocks++];
}

static struct sync_sem *
sync_sem(struct sync *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nsems; i++)
		if (!strcmp(s->sems[i].name, name))
			return &s->sems[i];
	s->sems = xreallocarray(s->sems, s->nsems + 1, sizeof(*s->sems));
	s->sems[s->nsems] = (struct sync_sem){ .name = xstrdup(name) };
	return &s->sems[s->nsems++];
}

static struct sync_event *
sync_event(struct sync *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nevents; i++)
		if (!strcmp(s->events[i].name, name))
			return &s->events[i];
	s->events = xreallocarray(s->events, s->nevents + 1,
	    sizeof(*s->events));
	s->events[s->nevents] = (struct sync_event){ .name = xstrdup(name) };
	return &s->events[s->nevents++];
}

static unsigned
sync_sem_limit(struct sync *s, const char *name)
{
	const struct config_semaphore *c;

	c = config_find_semaphore(s->daemon->config, name);
	return c ? c->limit : 1;
}

/* A job removed by a reload keeps its queued runs: they need nothing. */
static const struct job_policy *
sync_policy(const struct run *r)
{
	static const struct job_policy none;

	return r->job->config ? &r->job->config->policy : &none;
}

bool
sync_needed(const struct run *r)
{
	const struct job_config *jc = r->job->config;
	const struct job_policy *p = &jc->policy;

	return p->locks || p->semaphores || p->max_running ||
	    p->wait_event || r->job->daemon->config->max_running ||
	    (!jc->service && (jc->after || jc->requires));
}

/* Names held back by earlier waiters, so later ones keep their place. */
struct sync_blocked {
	char **locks, **sems;
	bool global;
	char **jobs;
};

/* Why r cannot start now, or NULL (allocated). */
static char *
sync_why_not(struct sync *s, struct run *r, const struct sync_blocked *b)
{
	const struct job_policy *p = sync_policy(r);
	unsigned max = s->daemon->config->max_running;
	const char *unit;
	struct sync_lock *l;
	struct sync_sem *m;
	size_t i;

	if (p->wait_event && !sync_event(s, p->wait_event)->set)
		return xstrfmt("event '%s'", p->wait_event);
	/* A job waits for its after= and requires= units (a service's run
	 * starts only once they are up, which service.c sees to). */
	if (r->job->config && !r->job->config->service &&
	    (unit = unit_waiting_for(s->daemon, r->job->config)))
		return xstrfmt("unit '%s'", unit);
	if (max && (s->running >= max || b->global))
		return xstrfmt("max_running=%u of jobd", max);
	if (p->max_running && (r->job->nadmitted >= p->max_running ||
	    strv_contains(b->jobs, r->job->name)))
		return xstrfmt("max_running=%u of job '%s'", p->max_running,
		    r->job->name);
	for (i = 0; p->locks && p->locks[i]; i++) {
		l = sync_lock(s, p->locks[i]);
		if (l->holder || strv_contains(b->locks, l->name))
			return xstrfmt("lock '%s'", l->name);
	}
	for (i = 0; p->semaphores && p->semaphores[i]; i++) {
		m = sync_sem(s, p->semaphores[i]);
		if (m->held >= sync_sem_limit(s, m->name) ||
		    strv_contains(b->sems, m->name))
			return xstrfmt("semaphore '%s'", m->name);
	}
	return NULL;
}

static json_t *
sync_names_json(char **v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static void
sync_take(struct sync *s, struct run *r)
{
	const struct job_policy *p = sync_policy(r);
	size_t i;

	for (i = 0; p->locks && p->locks[i]; i++)
		sync_lock(s, p->locks[i])->holder = r;
	for (i = 0; p->semaphores && p->semaphores[i]; i++)
		sync_sem(s, p->semaphores[i])->held++;
	/* Released from this copy: a reload may change the job's list. */
	r->held_sems = strv_copy(p->semaphores);
	r->admitted = true;
	r->job->nadmitted++;
	s->running++;
	if (p->locks || p->semaphores)
		bus_emit(s->daemon, "acquired", json_pack("{s:I, s:s, s:o, "
		    "s:o}", "run_id", (json_int_t)r->id, "job", r->job->name,
		    "locks", sync_names_json(p->locks), "semaphores",
		    sync_names_json(p->semaphores)));
	free(r->waiting_for);
	r->waiting_for = NULL;
}

/* Remembers what a waiter that could not start holds back. */
static void
sync_block(struct sync_blocked *b, struct run *r)
{
	const struct job_policy *p = sync_policy(r);
	size_t i;

	const char *why = r->waiting_for ? r->waiting_for : "";

	if (!strncmp(why, "event ", 6))
		return;		/* an event wait reserves nothing */
	if (strstr(why, " of jobd")) {
		b->global = true;
		return;
	}
	/* Each name once: the lists stay as short as the set of names. */
	if (!strncmp(why, "max_running=", 12)) {
		if (!strv_contains(b->jobs, r->job->name))
			b->jobs = strv_append(b->jobs, r->job->name);
		return;
	}
	for (i = 0; p->locks && p->locks[i]; i++)
		if (!strv_contains(b->locks, p->locks[i]))
			b->locks = strv_append(b->locks, p->locks[i]);
	for (i = 0; p->semaphores && p->semaphores[i]; i++)
		if (!strv_contains(b->sems, p->semaphores[i]))
			b->sems = strv_append(b->sems, p->semaphores[i]);
}

/* A waiting job whose requires= unit went down will not start: it is
 * recorded as skipped with that reason. */
static bool
sync_drop_if_required_down(struct sync *s, struct run *r)
{
	const char *down;
	char *why;

	if (!r->job->config || r->job->config->service ||
	    !(down = unit_required_down(s->daemon, r->job->config)))
		return false;
	TAILQ_REMOVE(&s->waiting, r, sync_entry);
	r->sync_queued = false;
	why = xstrfmt("required unit '%s' is not running", down);
	run_skip(r, why);
	free(why);
	return true;
}

/* Starts every waiter that can start, in FIFO order. */
static void
sync_pump(struct sync *s)
{
	struct sync_blocked b = { 0 };
	struct run *r, *tmp;
	char *why;

	TAILQ_FOREACH_SAFE(r, &s->waiting, sync_entry, tmp) {
		if (sync_drop_if_required_down(s, r))
			continue;
		why = sync_why_not(s, r, &b);
		if (why) {
			free(r->waiting_for);
			r->waiting_for = why;
			sync_block(&b, r);
			continue;
		}
		TAILQ_REMOVE(&s->waiting, r, sync_entry);
		r->sync_queued = false;
		sync_take(s, r);
		run_admitted(r);
	}
	strv_free(b.locks);
	strv_free(b.sems);
	strv_free(b.jobs);
}

bool
sync_request(struct sync *s, struct run *r)
{
	struct sync_blocked b = { 0 };
	struct run *w;
	char *why;

	/* Earlier waiters keep their place for what they want. */
	TAILQ_FOREACH(w, &s->waiting, sync_entry)
		sync_block(&b, w);
	why = sync_why_not(s, r, &b);
	strv_free(b.locks);
	strv_free(b.sems);
	strv_free(b.jobs);
	if (!why) {
		sync_take(s, r);
		return true;
	}
	r->waiting_for = why;
	r->sync_queued = true;
	TAILQ_INSERT_TAIL(&s->waiting, r, sync_entry);
	log_full(LOG_DEBUG, r->job->name, r->id, "run %llu waits for %s",
	    (unsigned long long)r->id, why);
	return false;
}

static void
sync_idle_cb(uv_idle_t *h)
{
	struct sync *s = h->data;

	uv_idle_stop(h);
	sync_pump(s);
}

/* Pumps once at the next loop turn, however many runs were withdrawn
 * meanwhile (cancelling a job with 10,000 pending runs is then one pass
 * over the queue, not 10,000). */
static void
sync_pump_later(struct sync *s)
{
	if (!s->idle_open) {
		sync_pump(s);
		return;
	}
	uv_idle_start(&s->idle, sync_idle_cb);
}

/* At the next loop turn too: a unit's change is called for every run that
 * closes, and cancelling 10,000 runs closed them all in one turn, each
 * pumping the whole queue. */
void
sync_retry(struct sync *s)
{
	if (!TAILQ_EMPTY(&s->waiting))
		sync_pump_later(s);
}

void
sync_withdraw(struct sync *s, struct run *r)
{
	if (!r->sync_queued)
		return;
	TAILQ_REMOVE(&s->waiting, r, sync_entry);
	r->sync_queued = false;
	/* Its place held others back: they may go now. */
	if (!TAILQ_EMPTY(&s->waiting))
		sync_pump_later(s);
}

void
sync_release(struct sync *s, struct run *r)
{
	struct sync_lock *l;
	size_t i;

	if (!r->admitted)
		return;
	r->admitted = false;
	for (i = 0; i < s->nlocks; i++) {
		l = &s->locks[i];
		if (l->holder == r)
			l->holder = NULL;
	}
	for (i = 0; r->held_sems && r->held_sems[i]; i++) {
		struct sync_sem *m = sync_sem(s, r->held_sems[i]);

		if (m->held > 0)
			m->held--;
	}
	if (r->job->daemon->bus.subs)
		bus_emit(s->daemon, "released", json_pack("{s:I, s:s, s:o}",
		    "run_id", (json_int_t)r->id, "job", r->job->name,
		    "semaphores", sync_names_json(r->held_sems)));
	r->held_sems = strv_free(r->held_sems);
	r->job->nadmitted--;
	s->running--;
	if (!TAILQ_EMPTY(&s->waiting))
		sync_pump_later(s);
}

bool
sync_event_set(struct sync *s, const char *name)
{
	struct sync_event *e = sync_event(s, name);
	bool was = e->set;

	e->set = true;
	if (!was)
		sync_pump(s);
	return !was;
}

void
sync_event_clear(struct sync *s, const char *name)
{
	sync_event(s, name)->set = false;
}

bool
sync_event_is_set(struct sync *s, const char *name)
{
	return sync_event(s, name)->set;
}

/* The runs waiting for a lock or semaphore, as ids, in queue order. */
static json_t *
sync_waiters_json(struct sync *s, const char *kind, const char *name)
{
	json_t *a = json_array();
	struct run *r;
	char *want = xstrfmt("%s '%s'", kind, name);

	TAILQ_FOREACH(r, &s->waiting, sync_entry) {
		const struct job_policy *p = sync_policy(r);

		if ((!strcmp(kind, "lock") && strv_contains(p->locks, name)) ||
		    (!strcmp(kind, "semaphore") &&
		    strv_contains(p->semaphores, name)) ||
		    (r->waiting_for && !strcmp(r->waiting_for, want)))
			json_array_append_new(a, json_integer(r->id));
	}
	free(want);
	return a;
}

json_t *
sync_json(struct sync *s)
{
	json_t *locks = json_array(), *sems = json_array(), *events =
	    json_array(), *h;
	const struct config *c = s->daemon->config;
	struct job *j;
	struct run *r;
	size_t i;

	for (i = 0; i < c->nsemaphores; i++)
		sync_sem(s, c->semaphores[i].name);
	for (i = 0; i < s->nlocks; i++) {
		json_t *o = json_pack("{s:s, s:o}", "name", s->locks[i].name,
		    "waiters", sync_waiters_json(s, "lock", s->locks[i].name));

		if (s->locks[i].holder)
			json_object_set_new(o, "holder",
			    json_integer(s->locks[i].holder->id));
		json_array_append_new(locks, o);
	}
	for (i = 0; i < s->nsems; i++) {
		h = json_array();
		TAILQ_FOREACH(j, &s->daemon->jobs, entry)
			TAILQ_FOREACH(r, &j->runs, entry)
				if (r->admitted &&
				    strv_contains(r->held_sems, s->sems[i].name))
					json_array_append_new(h,
					    json_integer(r->id));
		json_array_append_new(sems, json_pack("{s:s, s:I, s:o, s:o}",
		    "name", s->sems[i].name, "limit",
		    (json_int_t)sync_sem_limit(s, s->sems[i].name),
		    "holders", h, "waiters", sync_waiters_json(s, "semaphore",
		    s->sems[i].name)));
	}
	for (i = 0; i < s->nevents; i++)
		json_array_append_new(events, json_pack("{s:s, s:b}", "name",
		    s->events[i].name, "set", s->events[i].set));
	return json_pack("{s:o, s:o, s:o, s:I}", "locks", locks,
	    "semaphores", sems, "events", events, "running",
	    (json_int_t)s->running);
}
