/* Tests for admission (jobd/sync.c): locks, semaphores, running limits
 * and events, with real runs of the test child on a private loop.  Only
 * what admission is given is built: the run context (its admit is
 * sync_admit), the registry, and the run hub with the jobs' own
 * subscriber and sync's, in the daemon's order; sync's owner is the test,
 * which answers for dependencies and counts acquired and released.  Each
 * test ends with uv_loop_close() == 0, so a leaked handle fails it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "cgroup.h"
#include "config.h"
#include "escape.h"
#include "executor.h"
#include "heap.h"
#include "job.h"
#include "method.h"
#include "run-ctx.h"
#include "run.h"
#include "run-fixture.h"
#include "runner.h"
#include "exec-context.h"
#include "strv.h"
#include "sync.h"
#include "units.h"
#include "xmalloc.h"

#define DEADLINE_MS 10000

struct fixture {
	struct run_fixture rf;
	struct sync sync;
	uv_timer_t deadline;		/* of run_until */
	/* Sync's owner: the dependencies it answers, what it heard. */
	const char *unit_waited_for;
	const char *unit_down;
	unsigned pulls;
	char log[1024];			/* "+ID:locks:sems -ID:sems " */
	unsigned acquired, released;
	char events[256];		/* event_changed: "+go -go " */
};

static void
fixture_admit(void *owner, struct run *r)
{
	sync_admit(&container_of(owner, struct fixture, rf)->sync, r);
}

static const char *
fixture_waiting_for(void *owner, const struct job_config *jc)
{
	(void)jc;
	return ((struct fixture *)owner)->unit_waited_for;
}

static const char *
fixture_required_down(void *owner, const struct job_config *jc)
{
	(void)jc;
	return ((struct fixture *)owner)->unit_down;
}

static void
fixture_pull(void *owner, const struct job_config *jc)
{
	(void)jc;
	((struct fixture *)owner)->pulls++;
}

/* "a,b" (or "") appended to the log. */
static void
log_names(struct fixture *f, char **names, const char *end)
{
	size_t i;

	for (i = 0; names && names[i]; i++) {
		if (i)
			strcat(f->log, ",");
		strcat(f->log, names[i]);
	}
	strcat(f->log, end);
}

static void
fixture_acquired(void *owner, const struct run *r, char **locks,
    char **sems)
{
	struct fixture *f = owner;
	size_t n = strlen(f->log);

	ASSERT(n < sizeof(f->log) - 256);
	f->acquired++;
	snprintf(f->log + n, sizeof(f->log) - n, "+%llu:",
	    (unsigned long long)r->id);
	log_names(f, locks, ":");
	log_names(f, sems, " ");
}

static void
fixture_released(void *owner, const struct run *r, char **sems)
{
	struct fixture *f = owner;
	size_t n = strlen(f->log);

	ASSERT(n < sizeof(f->log) - 256);
	f->released++;
	snprintf(f->log + n, sizeof(f->log) - n, "-%llu:",
	    (unsigned long long)r->id);
	log_names(f, sems, " ");
}

static void
fixture_event_changed(void *owner, const char *name, bool set)
{
	struct fixture *f = owner;
	size_t n = strlen(f->events);

	snprintf(f->events + n, sizeof(f->events) - n, "%c%s ",
	    set ? '+' : '-', name);
}

/* The config text, then every job of it in the registry. */
static void
fixture_init(struct fixture *f, const char *conf)
{
	const struct sync_ops ops = {
		.waiting_for = fixture_waiting_for,
		.required_down = fixture_required_down,
		.pull = fixture_pull,
		.acquired = fixture_acquired,
		.released = fixture_released,
		.event_changed = fixture_event_changed,
		.owner = f,
	};
	const struct job_config *jc;

	*f = (struct fixture){ 0 };
	run_fixture_init(&f->rf, conf, fixture_admit, NULL);
	sync_init(&f->sync, &f->rf.runs, &ops);
	uv_timer_init(&f->rf.loop, &f->deadline);
	/* The daemon's order: the job's history first, then admission. */
	sync_subscribe(&f->sync, &f->rf.runs.hub);
	TAILQ_FOREACH(jc, &f->rf.config->jobs, entry)
		units_add(&f->rf.units, job_new(&f->rf.runs, jc));
}

/* A "[job NAME]" section for each name and keys of jobs (pairs, then
 * NULL), whose run sleeps until cancelled. */
static char *
jobs_conf(const char *head, const char *const *jobs)
{
	char *text = xstrdup(head), *t;
	size_t i;

	for (i = 0; jobs[i]; i += 2) {
		t = xstrfmt("%s\n[job %s]\ncommand=%s sleep 30\noutput=null\n"
		    "%s\n", text, jobs[i], test_child(), jobs[i + 1]);
		free(text);
		text = t;
	}
	return text;
}

static void
fixture_init_jobs(struct fixture *f, const char *head,
    const char *const *jobs)
{
	char *text = jobs_conf(head, jobs);

	fixture_init(f, text);
	free(text);
}

static struct run *
trigger(struct fixture *f, const char *name)
{
	struct job *j = units_find(&f->rf.units, name);

	ASSERT_NOT_NULL(j);
	return job_trigger(j, TRIGGER_MANUAL);
}

static void
deadline_cb(uv_timer_t *t)
{
	*(bool *)t->data = true;
}

/* Runs the loop until cond(arg) holds, and not one turn more (a pump
 * due at the next turn has not run yet); fails after DEADLINE_MS. */
static void
run_until(struct fixture *f, bool (*cond)(const void *), const void *arg,
    const char *what)
{
	bool expired = false;

	f->deadline.data = &expired;
	uv_timer_start(&f->deadline, deadline_cb, DEADLINE_MS, 0);
	while (!cond(arg) && !expired)
		uv_run(&f->rf.loop, UV_RUN_ONCE);
	uv_timer_stop(&f->deadline);
	if (!cond(arg))
		test_fail(__FILE__, __LINE__, "not %s within %d ms", what,
		    DEADLINE_MS);
}

static bool
is_running(const void *r)
{
	return ((const struct run *)r)->state == RUN_RUNNING;
}

static bool
is_admitted(const void *r)
{
	return ((const struct run *)r)->admitted;
}

static bool
is_finished(const void *r)
{
	return ((const struct run *)r)->state == RUN_FINISHED;
}

/* Lets the loop turn once without blocking: the pump that follows a
 * release or a withdrawal runs at the next turn. */
static void
turn(struct fixture *f)
{
	uv_run(&f->rf.loop, UV_RUN_NOWAIT);
}

/* Cancels a run and waits until it has finished. */
static void
cancel(struct fixture *f, struct run *r)
{
	run_event(r, RUN_EV_CANCEL);
	run_until(f, is_finished, r, "finished");
	ASSERT_EQ(r->result, RESULT_CANCELLED);
	ASSERT(!r->admitted);
	ASSERT(!r->sync_queued);
}

static bool
all_closed(const void *units)
{
	return ((const struct units *)units)->nruns_open == 0;
}

/* Cancels what is left, then checks that admission gave everything back
 * and closes the loop. */
static void
fixture_done(struct fixture *f)
{
	struct job *j;
	struct run *r, *tmp;
	size_t i;

	TAILQ_FOREACH(j, &f->rf.units.jobs, entry)
		TAILQ_FOREACH_SAFE(r, &j->runs, entry, tmp)
			run_event(r, RUN_EV_CANCEL);
	run_until(f, all_closed, &f->rf.units, "all closed");
	uv_run(&f->rf.loop, UV_RUN_DEFAULT);
	ASSERT(TAILQ_EMPTY(&f->sync.waiting));
	ASSERT_EQ(f->sync.running, 0);
	/* Every admitted run is told released; acquired only with locks
	 * or semaphores (as the event stream has always had it). */
	ASSERT(f->released >= f->acquired);
	for (i = 0; i < f->sync.nlocks; i++)
		ASSERT_NULL(f->sync.locks[i].holder);
	for (i = 0; i < f->sync.nsems; i++)
		ASSERT_EQ(f->sync.sems[i].held, 0);
	TAILQ_FOREACH(j, &f->rf.units.jobs, entry)
		ASSERT_EQ(j->nadmitted, 0);
	sync_close(&f->sync);
	uv_close((uv_handle_t *)&f->deadline, NULL);
	uv_run(&f->rf.loop, UV_RUN_DEFAULT);
	sync_free(&f->sync);
	run_fixture_done(&f->rf);
}

static struct sync_lock *
lock_named(struct fixture *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->sync.nlocks; i++)
		if (!strcmp(f->sync.locks[i].name, name))
			return &f->sync.locks[i];
	test_fail(__FILE__, __LINE__, "no lock '%s'", name);
}

/* The waiting queue as ids, "2 3 4". */
static char *
queue(struct fixture *f)
{
	char buf[256] = "";
	struct run *r;
	size_t n = 0;

	TAILQ_FOREACH(r, &f->sync.waiting, sync_entry)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%llu", n ? " " : "",
		    (unsigned long long)r->id);
	return xstrdup(buf);
}

static void
assert_queue(struct fixture *f, const char *want)
{
	char *q = queue(f);

	ASSERT_STREQ(q, want);
	free(q);
}

/* lock=: one run holds it, the next waits (pending, saying for what),
 * and is admitted once the first has finished. */
TEST(lock_admits_one_and_queues_the_next)
{
	static const char *const jobs[] = { "a", "lock=db", "b", "lock=db",
	    NULL };
	struct fixture f;
	struct run *ra, *rb;

	fixture_init_jobs(&f, "", jobs);
	ra = trigger(&f, "a");
	ASSERT(ra->admitted);
	ASSERT(lock_named(&f, "db")->holder == ra);
	ASSERT_EQ(f.sync.running, 1);
	ASSERT_EQ(units_find(&f.rf.units, "a")->nadmitted, 1);
	rb = trigger(&f, "b");
	ASSERT(!rb->admitted);
	ASSERT(rb->sync_queued);
	ASSERT_EQ(rb->state, RUN_PENDING);
	ASSERT_STREQ(rb->waiting_for, "lock 'db'");
	assert_queue(&f, "2");
	run_until(&f, is_running, ra, "running");
	/* However long the loop turns, b stays behind the lock. */
	turn(&f);
	ASSERT(!rb->admitted);
	ASSERT_EQ(rb->state, RUN_PENDING);
	ASSERT_STREQ(f.log, "+1:db: ");

	run_event(ra, RUN_EV_CANCEL);
	run_until(&f, is_admitted, rb, "admitted");
	ASSERT_EQ(ra->state, RUN_FINISHED);
	ASSERT(lock_named(&f, "db")->holder == rb);
	ASSERT_NULL(rb->waiting_for);
	ASSERT(!rb->sync_queued);
	assert_queue(&f, "");
	ASSERT_EQ(f.sync.running, 1);
	ASSERT_STREQ(f.log, "+1:db: -1: +2:db: ");
	run_until(&f, is_running, rb, "running");
	fixture_done(&f);
	ASSERT_STREQ(f.log, "+1:db: -1: +2:db: -2: ");
}

/* [semaphore NAME] limit=3: three runs hold it, the fourth and fifth
 * wait, and each release lets one more in. */
TEST(semaphore_admits_n)
{
	static const char *const jobs[] = { "w", "semaphore=pool", NULL };
	struct fixture f;
	struct sync_sem *m;
	struct run *r[5];
	int i;

	fixture_init_jobs(&f, "[semaphore pool]\nlimit=3\n", jobs);
	ASSERT_EQ(sync_semaphore_limit(&f.sync, "pool"), 3);
	for (i = 0; i < 5; i++)
		r[i] = trigger(&f, "w");
	m = sync_semaphore(&f.sync, "pool");
	ASSERT_EQ(m->held, 3);
	for (i = 0; i < 3; i++) {
		ASSERT(r[i]->admitted);
		ASSERT(strv_contains(r[i]->held_sems, "pool"));
	}
	for (i = 3; i < 5; i++) {
		ASSERT(!r[i]->admitted);
		ASSERT_NULL(r[i]->held_sems);
		ASSERT_STREQ(r[i]->waiting_for, "semaphore 'pool'");
	}
	assert_queue(&f, "4 5");
	ASSERT_EQ(f.sync.running, 3);

	cancel(&f, r[1]);
	run_until(&f, is_admitted, r[3], "admitted");
	turn(&f);
	ASSERT(!r[4]->admitted);
	ASSERT_EQ(m->held, 3);
	assert_queue(&f, "5");
	cancel(&f, r[0]);
	run_until(&f, is_admitted, r[4], "admitted");
	ASSERT_EQ(m->held, 3);
	assert_queue(&f, "");
	cancel(&f, r[2]);
	ASSERT_EQ(m->held, 2);
	ASSERT_EQ(f.sync.running, 2);
	/* A semaphore with no section has a limit of 1. */
	ASSERT_EQ(sync_semaphore_limit(&f.sync, "other"), 1);
	fixture_done(&f);
	ASSERT_EQ(f.acquired, 5);
	ASSERT_EQ(f.released, 5);
}

/* Waiters are served first come, first served: with four runs behind one
 * lock, each release admits the oldest waiter only. */
TEST(waiters_served_in_fifo_order)
{
	static const char *const jobs[] = { "a", "lock=x", "b", "lock=x",
	    "c", "lock=x", "d", "lock=x", NULL };
	struct fixture f;
	struct run *r[4];

	fixture_init_jobs(&f, "", jobs);
	/* Queued in the order d, b, c behind a. */
	r[0] = trigger(&f, "a");
	r[3] = trigger(&f, "d");
	r[1] = trigger(&f, "b");
	r[2] = trigger(&f, "c");
	assert_queue(&f, "2 3 4");
	cancel(&f, r[0]);
	run_until(&f, is_admitted, r[3], "admitted");
	turn(&f);
	ASSERT(!r[1]->admitted && !r[2]->admitted);
	assert_queue(&f, "3 4");
	cancel(&f, r[3]);
	run_until(&f, is_admitted, r[1], "admitted");
	turn(&f);
	ASSERT(!r[2]->admitted);
	cancel(&f, r[1]);
	run_until(&f, is_admitted, r[2], "admitted");
	fixture_done(&f);
	ASSERT_STREQ(f.log, "+1:x: -1: +2:x: -2: +3:x: -3: +4:x: -4: ");
}

/* A waiter keeps later runs from taking what it waits for, even when
 * they could: b waits for the lock a holds and for the semaphore, so c
 * (the semaphore only, 2 free slots) waits behind it; one release admits
 * both, b first. */
TEST(waiter_holds_back_later_runs)
{
	static const char *const jobs[] = { "a", "lock=x",
	    "b", "lock=x\nsemaphore=s", "c", "semaphore=s", NULL };
	struct fixture f;
	struct run *ra, *rb, *rc;

	fixture_init_jobs(&f, "[semaphore s]\nlimit=2\n", jobs);
	ra = trigger(&f, "a");
	rb = trigger(&f, "b");
	rc = trigger(&f, "c");
	ASSERT(ra->admitted);
	ASSERT_STREQ(rb->waiting_for, "lock 'x'");
	ASSERT(!rc->admitted);
	ASSERT_STREQ(rc->waiting_for, "semaphore 's'");
	ASSERT_EQ(sync_semaphore(&f.sync, "s")->held, 0);
	cancel(&f, ra);
	run_until(&f, is_admitted, rc, "admitted");
	ASSERT(rb->admitted);
	ASSERT_EQ(sync_semaphore(&f.sync, "s")->held, 2);
	ASSERT_STREQ(f.log, "+1:x: -1: +2:x:s +3::s ");
	fixture_done(&f);
}

/* The same for a free lock: b waits for the semaphore a holds, and keeps
 * the lock it also names (free) from c, which would otherwise overtake
 * it; b gets both when a finishes, then c. */
TEST(waiter_keeps_a_free_lock_from_later_runs)
{
	static const char *const jobs[] = { "a", "semaphore=s",
	    "b", "lock=x\nsemaphore=s", "c", "lock=x", NULL };
	struct fixture f;
	struct run *ra, *rb, *rc;

	fixture_init_jobs(&f, "[semaphore s]\nlimit=1\n", jobs);
	ra = trigger(&f, "a");
	rb = trigger(&f, "b");
	rc = trigger(&f, "c");
	ASSERT(ra->admitted);
	ASSERT_STREQ(rb->waiting_for, "semaphore 's'");
	ASSERT_NULL(lock_named(&f, "x")->holder);
	ASSERT(!rc->admitted);
	ASSERT_STREQ(rc->waiting_for, "lock 'x'");
	cancel(&f, ra);
	run_until(&f, is_admitted, rb, "admitted");
	turn(&f);
	ASSERT(!rc->admitted);
	ASSERT(lock_named(&f, "x")->holder == rb);
	cancel(&f, rb);
	run_until(&f, is_admitted, rc, "admitted");
	ASSERT_STREQ(f.log, "+1::s -1:s +2:x:s -2:s +3:x: ");
	fixture_done(&f);
}

/* max_running= of a job, and of jobd (every run that holds admission). */
TEST(running_limits)
{
	static const char *const jobs[] = { "m", "max_running=2",
	    "o", "lock=other", NULL };
	struct fixture f;
	struct run *r[4], *ro;

	fixture_init_jobs(&f, "", jobs);
	r[0] = trigger(&f, "m");
	r[1] = trigger(&f, "m");
	r[2] = trigger(&f, "m");
	ASSERT(r[0]->admitted && r[1]->admitted && !r[2]->admitted);
	ASSERT_STREQ(r[2]->waiting_for, "max_running=2 of job 'm'");
	/* Another job is not held back by m's limit. */
	ro = trigger(&f, "o");
	ASSERT(ro->admitted);
	/* A slot is free until the next loop turn: a new run still queues
	 * behind the waiter. */
	cancel(&f, r[0]);
	ASSERT_EQ(units_find(&f.rf.units, "m")->nadmitted, 1);
	r[3] = trigger(&f, "m");
	ASSERT(!r[3]->admitted);
	run_until(&f, is_admitted, r[2], "admitted");
	turn(&f);
	ASSERT(!r[3]->admitted);
	ASSERT_EQ(units_find(&f.rf.units, "m")->nadmitted, 2);
	fixture_done(&f);

	/* jobd's limit; a run that comes while the slot is free but before
	 * the waiters moved up (at the next loop turn) queues behind them. */
	fixture_init_jobs(&f, "[jobd]\nmax_running=1\n", jobs);
	r[0] = trigger(&f, "m");
	ro = trigger(&f, "o");
	ASSERT(r[0]->admitted && !ro->admitted);
	ASSERT_STREQ(ro->waiting_for, "max_running=1 of jobd");
	run_event(r[0], RUN_EV_CANCEL);
	run_until(&f, is_finished, r[0], "finished");
	ASSERT_EQ(f.sync.running, 0);
	ASSERT(!ro->admitted);
	r[1] = trigger(&f, "m");
	ASSERT(!r[1]->admitted);
	ASSERT_STREQ(r[1]->waiting_for, "max_running=1 of jobd");
	run_until(&f, is_admitted, ro, "admitted");
	turn(&f);
	ASSERT(!r[1]->admitted);
	ASSERT_EQ(f.sync.running, 1);
	fixture_done(&f);
}

/* wait_event=: runs wait until the event is set (set from clear admits
 * every waiter at once, in order), not when it is set already; a waiter
 * for an event holds nothing back. */
TEST(event_set_and_clear)
{
	static const char *const jobs[] = { "e", "wait_event=go",
	    "el", "wait_event=go\nlock=y", "l", "lock=y", NULL };
	struct fixture f;
	struct run *r1, *r2, *rl, *r3, *r4;

	fixture_init_jobs(&f, "", jobs);
	ASSERT(!sync_event_is_set(&f.sync, "go"));
	r1 = trigger(&f, "el");
	r2 = trigger(&f, "e");
	ASSERT_STREQ(r1->waiting_for, "event 'go'");
	ASSERT_STREQ(r2->waiting_for, "event 'go'");
	/* r1 waits for the event only: the lock it names is free to l. */
	rl = trigger(&f, "l");
	ASSERT(rl->admitted);
	ASSERT(lock_named(&f, "y")->holder == rl);
	assert_queue(&f, "1 2");

	/* Setting admits at once (no loop turn), whom it can. */
	ASSERT(sync_event_set(&f.sync, "go"));
	ASSERT(sync_event_is_set(&f.sync, "go"));
	ASSERT(r2->admitted);
	ASSERT(!r1->admitted);
	ASSERT_STREQ(r1->waiting_for, "lock 'y'");
	assert_queue(&f, "1");
	ASSERT(!sync_event_set(&f.sync, "go"));		/* already set */
	/* Set: a new run does not wait. */
	r3 = trigger(&f, "e");
	ASSERT(r3->admitted);

	sync_event_clear(&f.sync, "go");
	ASSERT(!sync_event_is_set(&f.sync, "go"));
	r4 = trigger(&f, "e");
	ASSERT(!r4->admitted);
	ASSERT_STREQ(r4->waiting_for, "event 'go'");
	/* Clearing takes nothing back from runs already admitted. */
	ASSERT(r2->admitted && r3->admitted);
	/* Clear again: still clear, setting it is a rise again. */
	sync_event_clear(&f.sync, "go");
	ASSERT(sync_event_set(&f.sync, "go"));
	ASSERT(r4->admitted);
	assert_queue(&f, "1");
	/* The owner heard of each change, once (to keep it on record). */
	ASSERT_STREQ(f.events, "+go -go +go ");
	cancel(&f, rl);
	run_until(&f, is_admitted, r1, "admitted");
	fixture_done(&f);
}

/* An event set before a restart is set again silently: waiters go, the
 * owner hears nothing (it is on record already), and a set after it is
 * no rise. */
TEST(event_restored_silently)
{
	static const char *const jobs[] = { "e", "wait_event=go", NULL };
	struct fixture f;
	struct run *r;

	fixture_init_jobs(&f, "", jobs);
	r = trigger(&f, "e");
	ASSERT(!r->admitted);
	sync_event_restore(&f.sync, "go");
	ASSERT(sync_event_is_set(&f.sync, "go"));
	ASSERT(r->admitted);
	ASSERT_STREQ(f.events, "");
	ASSERT(!sync_event_set(&f.sync, "go"));
	ASSERT_STREQ(f.events, "");
	sync_event_clear(&f.sync, "go");
	ASSERT_STREQ(f.events, "-go ");
	cancel(&f, r);
	fixture_done(&f);
}

/* A pending run cancelled, or timed out at pending_timeout=, leaves the
 * queue at once; it never held anything, and those behind it keep their
 * order. */
TEST(withdrawn_waiters_leave_the_queue_clean)
{
	static const char *const jobs[] = { "a", "lock=x",
	    "t", "lock=x\npending_timeout=200ms", NULL };
	struct fixture f;
	struct run *r[5];
	int i;

	fixture_init_jobs(&f, "", jobs);
	r[0] = trigger(&f, "a");
	for (i = 1; i < 4; i++)
		r[i] = trigger(&f, "a");
	r[4] = trigger(&f, "t");
	assert_queue(&f, "2 3 4 5");

	/* The middle one: finished at once, without a loop turn. */
	run_event(r[2], RUN_EV_CANCEL);
	ASSERT_EQ(r[2]->state, RUN_FINISHED);
	ASSERT_EQ(r[2]->result, RESULT_CANCELLED);
	ASSERT(!r[2]->sync_queued && !r[2]->admitted);
	assert_queue(&f, "2 4 5");
	/* The head: the next one still waits for the lock a holds. */
	run_event(r[1], RUN_EV_CANCEL);
	assert_queue(&f, "4 5");
	turn(&f);
	ASSERT(!r[3]->admitted);
	ASSERT_STREQ(r[3]->waiting_for, "lock 'x'");

	/* pending_timeout=: recorded skipped, with what it waited for. */
	run_until(&f, is_finished, r[4], "finished");
	ASSERT_EQ(r[4]->result, RESULT_SKIPPED);
	ASSERT_STREQ(r[4]->reason,
	    "waited longer than pending_timeout=200ms for lock 'x'");
	ASSERT(!r[4]->sync_queued);
	assert_queue(&f, "4");
	/* Only the runs that held the lock were told acquired. */
	ASSERT_STREQ(f.log, "+1:x: ");

	cancel(&f, r[0]);
	run_until(&f, is_admitted, r[3], "admitted");
	assert_queue(&f, "");
	fixture_done(&f);
	ASSERT_STREQ(f.log, "+1:x: -1: +4:x: -4: ");
}

/* Dependencies come through sync's owner: units are pulled up first; a
 * run waits while its owner names a unit it waits for, and goes at the
 * retry once none is named; a required unit down skips the run. */
TEST(dependencies_through_the_owner)
{
	static const char *const jobs[] = { "dep", "", "j",
	    "requires=dep", NULL };
	struct fixture f;
	struct run *r1, *r2;

	fixture_init_jobs(&f, "", jobs);
	f.unit_waited_for = "dep";
	r1 = trigger(&f, "j");
	ASSERT_EQ(f.pulls, 1);
	ASSERT(!r1->admitted);
	ASSERT_STREQ(r1->waiting_for, "unit 'dep'");
	turn(&f);
	ASSERT(!r1->admitted);
	f.unit_waited_for = NULL;
	sync_retry(&f.sync);
	ASSERT(!r1->admitted);		/* at the next loop turn */
	run_until(&f, is_admitted, r1, "admitted");
	assert_queue(&f, "");

	f.unit_down = "dep";
	r2 = trigger(&f, "j");
	ASSERT_EQ(f.pulls, 2);
	ASSERT_EQ(r2->state, RUN_FINISHED);
	ASSERT_EQ(r2->result, RESULT_SKIPPED);
	ASSERT_STREQ(r2->reason, "required unit 'dep' is not running");
	ASSERT(!r2->admitted);
	f.unit_down = NULL;
	fixture_done(&f);
}

/* What the protocol layer makes of sync for Status and EventList, as
 * compact JSON with sorted keys. */
static void
assert_status(struct fixture *f, const char *want)
{
	struct method_ctx m = { .runs = &f->rf.runs, .units = &f->rf.units,
	    .sync = &f->sync };
	json_t *st = method_sync_json(&m);
	char *text = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);

	ASSERT_STREQ(text, want);
	free(text);
	json_decref(st);
}

/* What the protocol layer reads: each lock's holder and waiters (every
 * queued run naming it, in queue order), each semaphore's limit, holders
 * and waiters, the events, the count of admitted runs. */
TEST(holders_and_waiters_for_status)
{
	static const char *const jobs[] = { "a", "lock=db\nsemaphore=s",
	    "b", "lock=db", "c", "semaphore=s", NULL };
	struct fixture f;
	struct run *r[4];

	fixture_init_jobs(&f, "[semaphore s]\nlimit=2\n", jobs);
	r[0] = trigger(&f, "a");	/* db, s */
	r[1] = trigger(&f, "b");	/* waits for db */
	r[2] = trigger(&f, "c");	/* s: 2 of 2 */
	r[3] = trigger(&f, "a");	/* waits for db (and wants s) */
	sync_event_set(&f.sync, "done");
	ASSERT(r[2]->admitted);
	/* Run 4 waits for the lock, and wants the semaphore too. */
	assert_status(&f, "{\"events\":[{\"name\":\"done\",\"set\":true}],"
	    "\"locks\":[{\"holder\":1,\"name\":\"db\",\"waiters\":[2,4]}],"
	    "\"running\":2,\"semaphores\":[{\"holders\":[1,3],\"limit\":2,"
	    "\"name\":\"s\",\"waiters\":[4]}]}");
	ASSERT(sync_waits_for(r[3], "semaphore", "s"));
	ASSERT(sync_waits_for(r[1], "lock", "db"));
	ASSERT(!sync_waits_for(r[1], "semaphore", "s"));

	/* The holder gone, the next waiter holds the lock, and run 4 waits
	 * for it now (a slot of the semaphore is free). */
	cancel(&f, r[0]);
	run_until(&f, is_admitted, r[1], "admitted");
	assert_status(&f, "{\"events\":[{\"name\":\"done\",\"set\":true}],"
	    "\"locks\":[{\"holder\":2,\"name\":\"db\",\"waiters\":[4]}],"
	    "\"running\":2,\"semaphores\":[{\"holders\":[3],\"limit\":2,"
	    "\"name\":\"s\",\"waiters\":[4]}]}");
	fixture_done(&f);
}

static const struct test tests[] = {
	TEST_ENTRY(lock_admits_one_and_queues_the_next),
	TEST_ENTRY(semaphore_admits_n),
	TEST_ENTRY(waiters_served_in_fifo_order),
	TEST_ENTRY(waiter_holds_back_later_runs),
	TEST_ENTRY(waiter_keeps_a_free_lock_from_later_runs),
	TEST_ENTRY(running_limits),
	TEST_ENTRY(event_set_and_clear),
	TEST_ENTRY(event_restored_silently),
	TEST_ENTRY(withdrawn_waiters_leave_the_queue_clean),
	TEST_ENTRY(dependencies_through_the_owner),
	TEST_ENTRY(holders_and_waiters_for_status),
};

TEST_MAIN(tests)
