/* Admission.  Every run whose job names a lock, a semaphore, a running
 * limit or wait_event= asks here before it starts.  All of a run's needs
 * are taken together or not at all, so two runs can never each hold what
 * the other waits for: deadlock is impossible by construction.  Waiters
 * are served in FIFO order per resource (sync_pump). */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "job.h"
#include "log.h"
#include "run-ctx.h"
#include "run.h"
#include "strv.h"
#include "sync.h"
#include "xmalloc.h"

static void sync_finished_cb(struct run_subscriber *, struct run *);

void
sync_init(struct sync *s, const struct run_ctx *runs,
    const struct sync_ops *ops)
{
	*s = (struct sync){ .runs = runs, .ops = *ops };
	TAILQ_INIT(&s->waiting);
	uv_idle_init(runs->loop, &s->idle);
	s->idle.data = s;
	s->idle_open = true;
}

void
sync_subscribe(struct sync *s, struct run_hub *hub)
{
	s->sub = (struct run_subscriber){ .finished = sync_finished_cb };
	run_hub_subscribe(hub, &s->sub);
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

unsigned
sync_semaphore_limit(const struct sync *s, const char *name)
{
	const struct config_semaphore *c;

	c = config_find_semaphore(s->runs->config, name);
	return c ? c->limit : 1;
}

struct sync_sem *
sync_semaphore(struct sync *s, const char *name)
{
	return sync_sem(s, name);
}

/* A job removed by a reload keeps its queued runs: they need nothing. */
static const struct job_policy *
sync_policy(const struct run *r)
{
	static const struct job_policy none;

	return r->job->config ? &r->job->config->policy : &none;
}

/* Whether the run's job needs admission at all. */
static bool
sync_needed(const struct sync *s, const struct run *r)
{
	const struct job_config *jc = r->job->config;
	const struct job_policy *p = &jc->policy;

	return p->locks || p->semaphores || p->max_running ||
	    p->wait_event || s->runs->config->max_running ||
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
	unsigned max = s->runs->config->max_running;
	const char *unit;
	struct sync_lock *l;
	struct sync_sem *m;
	size_t i;

	if (p->wait_event && !sync_event(s, p->wait_event)->set)
		return xstrfmt("event '%s'", p->wait_event);
	/* A job waits for its after= and requires= units (a service's run
	 * starts only once they are up, which service.c sees to). */
	if (r->job->config && !r->job->config->service &&
	    (unit = s->ops.waiting_for(s->ops.owner, r->job->config)))
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
		if (m->held >= sync_semaphore_limit(s, m->name) ||
		    strv_contains(b->sems, m->name))
			return xstrfmt("semaphore '%s'", m->name);
	}
	return NULL;
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
	if ((p->locks || p->semaphores) && s->ops.acquired)
		s->ops.acquired(s->ops.owner, r, p->locks, p->semaphores);
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
	    !(down = s->ops.required_down(s->ops.owner, r->job->config)))
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

/* Admits now (true) or queues the run (false; run->waiting_for says
 * why). */
static bool
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

/* A queued run was cancelled or timed out. */
static void
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

/* A finished run gives back what it held, and waiters move up. */
static void
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
	if (s->ops.released)
		s->ops.released(s->ops.owner, r, r->held_sems);
	r->held_sems = strv_free(r->held_sems);
	r->job->nadmitted--;
	s->running--;
	if (!TAILQ_EMPTY(&s->waiting))
		sync_pump_later(s);
}

/* Sets the event; its waiters move up.  True when it was clear. */
static bool
sync_event_raise(struct sync *s, const char *name)
{
	struct sync_event *e = sync_event(s, name);
	bool was = e->set;

	e->set = true;
	if (!was)
		sync_pump(s);
	return !was;
}

bool
sync_event_set(struct sync *s, const char *name)
{
	bool rose = sync_event_raise(s, name);

	if (rose && s->ops.event_changed)
		s->ops.event_changed(s->ops.owner, name, true);
	return rose;
}

void
sync_event_restore(struct sync *s, const char *name)
{
	sync_event_raise(s, name);
}

void
sync_event_clear(struct sync *s, const char *name)
{
	struct sync_event *e = sync_event(s, name);
	bool was = e->set;

	e->set = false;
	if (was && s->ops.event_changed)
		s->ops.event_changed(s->ops.owner, name, false);
}

bool
sync_event_is_set(struct sync *s, const char *name)
{
	return sync_event(s, name)->set;
}

bool
sync_waits_for(const struct run *r, const char *kind, const char *name)
{
	const struct job_policy *p = sync_policy(r);
	char *want;
	bool yes;

	if (!strcmp(kind, "lock") && strv_contains(p->locks, name))
		return true;
	if (!strcmp(kind, "semaphore") && strv_contains(p->semaphores, name))
		return true;
	want = xstrfmt("%s '%s'", kind, name);
	yes = r->waiting_for && !strcmp(r->waiting_for, want);
	free(want);
	return yes;
}

static void
sync_finished_cb(struct run_subscriber *sub, struct run *r)
{
	struct sync *s = container_of(sub, struct sync, sub);

	sync_withdraw(s, r);
	sync_release(s, r);
}

void
sync_admit(struct sync *s, struct run *r)
{
	const struct job_config *jc = r->job->config;
	const char *down;
	char *why;

	/* A job's wants= and requires= units are pulled up first (a job
	 * whose last run failed runs again); one that cannot come up, a
	 * failed or stopped service, means this run does not start. */
	if (!jc->service)
		s->ops.pull(s->ops.owner, jc);
	if (!jc->service && jc->requires &&
	    (down = s->ops.required_down(s->ops.owner, jc))) {
		why = xstrfmt("required unit '%s' is not running", down);
		run_skip(r, why);
		free(why);
		return;
	}
	if (!sync_needed(s, r) || sync_request(s, r))
		run_admitted(r);
	else
		run_wait_admission(r, jc->policy.pending_timeout);
}
