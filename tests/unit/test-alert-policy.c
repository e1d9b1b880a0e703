/* The alert policy without a daemon: synthetic runs published through a
 * run hub of the test's own, services and missed slots told by hand, and
 * a fake clock for the dead man's switch (one test lets the real timer
 * fire).  What the policy sends and saves is caught by the test, which
 * plays its owner; a "restart" is a new policy loaded with what the old
 * one saved.  Each test ends with uv_loop_close() == 0 (run_fixture_done),
 * so the switch's timer must be closed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "alert-event.h"
#include "alert-policy.h"
#include "config-internal.h"
#include "config.h"
#include "job.h"
#include "ledger.h"
#include "run-ctx.h"
#include "run-fixture.h"
#include "run.h"
#include "runner.h"
#include "service.h"
#include "strv.h"
#include "units.h"
#include "xmalloc.h"

#define SEC USEC_PER_SEC
#define T0 ((usec_t)1767225600 * SEC)	/* 2026-01-01 00:00:00 UTC */
#define MAX_SENT 64
#define MAX_SAVED 16

/* One event the policy sent, copied out of the callback. */
struct sent {
	struct alert_event *e;
	char names[64];
};

struct fixture {
	struct run_fixture rf;
	struct run_hub hub;
	struct alert_policy p;
	struct sent sent[MAX_SENT];
	size_t nsent;
	struct ledger_alert_state saved[MAX_SAVED];	/* the last per job */
	size_t nsaved;
	unsigned saves;
	uint64_t ids;
};

static usec_t fake_now;

static usec_t
fake_clock(void)
{
	return fake_now;
}

static void
fixture_send(void *owner, const struct alert_event *e, char *const *names)
{
	struct fixture *f = owner;
	char *to = strv_join_quoted(names);

	ASSERT(f->nsent < MAX_SENT);
	ASSERT(names && names[0]);
	f->sent[f->nsent].e = alert_event_dup(e);
	snprintf(f->sent[f->nsent].names, sizeof(f->sent[0].names), "%s", to);
	f->nsent++;
	free(to);
}

static void
fixture_save(void *owner, const struct ledger_alert_state *st)
{
	struct fixture *f = owner;
	size_t i;

	f->saves++;
	for (i = 0; i < f->nsaved; i++)
		if (!strcmp(f->saved[i].job, st->job))
			break;
	if (i == MAX_SAVED)
		return;			/* counted only (many jobs) */
	if (i == f->nsaved)
		f->nsaved++;
	else
		free(f->saved[i].job);
	f->saved[i] = *st;
	f->saved[i].job = xstrdup(st->job);
}

/* The policy, as daemon.c makes it, with the test as its owner. */
static void
policy_init(struct fixture *f)
{
	const struct alert_policy_ops ops = {
		.send = fixture_send, .save = fixture_save, .owner = f,
	};

	alert_policy_init(&f->p, &f->rf.runs, &f->rf.units, &ops);
	f->p.now = fake_clock;
	run_hub_init(&f->hub);
	alert_policy_subscribe(&f->p, &f->hub);
}

/* conf's jobs in the registry; every unit whose name does not start
 * with "quiet" gets alert=ops (no [alert NAME] section can be parsed on
 * this branch: set by hand). */
static void
fixture_init(struct fixture *f, const char *conf)
{
	struct job_config *jc;

	*f = (struct fixture){ 0 };
	fake_now = T0;
	run_fixture_init(&f->rf, conf, NULL, NULL);
	TAILQ_FOREACH(jc, &f->rf.config->jobs, entry) {
		if (strncmp(jc->name, "quiet", 5))
			jc->policy.alerts = strv_append(NULL, "ops");
		units_add(&f->rf.units, job_new(&f->rf.runs, jc));
	}
	policy_init(f);
}

static void
sent_clear(struct fixture *f)
{
	size_t i;

	for (i = 0; i < f->nsent; i++)
		alert_event_free(f->sent[i].e);
	f->nsent = 0;
}

static void
fixture_done(struct fixture *f)
{
	size_t i;

	alert_policy_stop(&f->p);
	uv_run(&f->rf.loop, UV_RUN_DEFAULT);
	alert_policy_free(&f->p);
	sent_clear(f);
	for (i = 0; i < f->nsaved; i++)
		free(f->saved[i].job);
	run_fixture_done(&f->rf);
}

static struct job *
job_named(struct fixture *f, const char *name)
{
	struct job *j = units_find(&f->rf.units, name);

	ASSERT_NOT_NULL(j);
	return j;
}

/* The kinds sent so far, as "failed recovered ...". */
static const char *
kinds(struct fixture *f)
{
	static char buf[512];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < f->nsent; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		    i ? " " : "", alert_kind_name[f->sent[i].e->kind]);
	return buf;
}

/* A run of job that ended now with result, as the hub would have it
 * (made in place: its tail's list head must not move). */
static void
run_make(struct fixture *f, struct run *r, const char *job,
    enum run_result result)
{
	struct job *j = job_named(f, job);

	*r = (struct run){
		.id = ++f->ids, .job = j, .name = j->name,
		.state = RUN_FINISHED, .trigger = TRIGGER_SCHEDULE,
		.result = result, .scheduled = fake_now - 2 * SEC,
		.queued = fake_now - 2 * SEC, .started = fake_now - SEC,
		.ended = fake_now, .exited = result != RESULT_CANCELLED,
		.exit_code = result == RESULT_SUCCESS ? 0 : 3,
	};
	tail_init(&r->tail, 64 * 1024);
}

static void
run_end(struct fixture *f, struct run *r)
{
	run_hub_publish(&f->hub, RUN_NEWS_FINISHED, r);
	tail_done(&r->tail);
}

/* One run of job from start to its end with result. */
static void
run_whole(struct fixture *f, const char *job, enum run_result result)
{
	struct run r;

	run_make(f, &r, job, result);
	run_end(f, &r);
}

static const struct ledger_alert_state *
saved_of(struct fixture *f, const char *job)
{
	size_t i;

	for (i = 0; i < f->nsaved; i++)
		if (!strcmp(f->saved[i].job, job))
			return &f->saved[i];
	return NULL;
}

/* failed on the first failure only, recovered on the next success, and
 * what the events say of the run. */
TEST(failed_once_then_recovered)
{
	struct fixture f;
	struct alert_event *e;
	struct run r;
	char line[64];
	int i;

	fixture_init(&f, "[job a]\ncommand=true\n");
	run_make(&f, &r, "a", RESULT_FAILED);
	r.reason = (char *)"exit status 3";
	for (i = 0; i < 30; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		tail_append(&r.tail, TAIL_STDOUT, fake_now, line,
		    strlen(line));
	}
	run_end(&f, &r);
	ASSERT_STREQ(kinds(&f), "failed");
	e = f.sent[0].e;
	ASSERT_STREQ(f.sent[0].names, "ops");
	ASSERT_STREQ(e->job, "a");
	ASSERT(!e->service);
	ASSERT_EQ(e->run, 1);
	ASSERT_STREQ(e->result, "failed");
	ASSERT(e->has_exit);
	ASSERT_EQ(e->exit_status, 3);
	ASSERT_EQ(e->signal, 0);
	ASSERT_STREQ(e->reason, "exit status 3");
	ASSERT_STREQ(e->trigger, "schedule");
	ASSERT_EQ(e->scheduled_at, T0 - 2 * SEC);
	ASSERT_EQ(e->started_at, T0 - SEC);
	ASSERT_EQ(e->ended_at, T0);
	ASSERT_EQ(e->duration, SEC);
	ASSERT_EQ(e->at, T0);
	/* The last ALERT_TAIL_LINES lines, oldest first. */
	ASSERT_EQ(strv_length(e->tail), ALERT_TAIL_LINES);
	ASSERT_STREQ(e->tail[0], "line 10");
	ASSERT_STREQ(e->tail[ALERT_TAIL_LINES - 1], "line 29");
	ASSERT(saved_of(&f, "a")->failing);
	ASSERT_EQ(f.saves, 1);

	run_whole(&f, "a", RESULT_FAILED);
	run_whole(&f, "a", RESULT_TIMEOUT);
	ASSERT_STREQ(kinds(&f), "failed");
	ASSERT_EQ(f.saves, 1);		/* nothing changed */
	run_whole(&f, "a", RESULT_SUCCESS);
	ASSERT_STREQ(kinds(&f), "failed recovered");
	ASSERT_EQ(f.sent[1].e->run, 4);
	ASSERT_STREQ(f.sent[1].e->result, "success");
	ASSERT(!saved_of(&f, "a")->failing);
	run_whole(&f, "a", RESULT_SUCCESS);
	run_whole(&f, "a", RESULT_TIMEOUT);
	ASSERT_STREQ(kinds(&f), "failed recovered failed");
	ASSERT_STREQ(f.sent[2].e->result, "timeout");
	ASSERT_EQ(f.p.sent, 3);
	fixture_done(&f);
}

/* The tail is whole lines within ALERT_TAIL_BYTES: long lines leave
 * fewer of them. */
TEST(tail_is_bounded_in_bytes)
{
	struct fixture f;
	char line[1500];
	struct run r;
	size_t i, total = 0;

	fixture_init(&f, "[job a]\ncommand=true\n");
	run_make(&f, &r, "a", RESULT_FAILED);
	memset(line, 'x', sizeof(line));
	for (i = 0; i < 5; i++)
		tail_append(&r.tail, TAIL_STDERR, fake_now, line,
		    sizeof(line));
	run_end(&f, &r);
	ASSERT_EQ(f.nsent, 1);
	ASSERT_EQ(strv_length(f.sent[0].e->tail), 2);
	for (i = 0; f.sent[0].e->tail[i]; i++)
		total += strlen(f.sent[0].e->tail[i]);
	ASSERT(total <= ALERT_TAIL_BYTES);
	fixture_done(&f);
}

/* alert_repeat=yes: every failure is sent. */
TEST(alert_repeat_sends_every_failure)
{
	struct fixture f;

	fixture_init(&f, "[job a]\ncommand=true\nalert_repeat=yes\n");
	run_whole(&f, "a", RESULT_FAILED);
	run_whole(&f, "a", RESULT_FAILED);
	run_whole(&f, "a", RESULT_TIMEOUT);
	run_whole(&f, "a", RESULT_SUCCESS);
	run_whole(&f, "a", RESULT_SUCCESS);
	ASSERT_STREQ(kinds(&f), "failed failed failed recovered");
	ASSERT_EQ(f.saves, 2);		/* into failing, out of it */
	fixture_done(&f);
}

/* alert_on= filters what is sent, never the state; always adds finished
 * for every run's end, verdict or not. */
TEST(alert_on_filters_and_always)
{
	struct fixture f;

	fixture_init(&f, "[job r]\ncommand=true\nalert_on=recovered\n"
	    "[job w]\ncommand=true\nalert_on=always\n"
	    "[job n]\ncommand=true\nalert_on=\n"
	    "[job quiet]\ncommand=true\n");
	run_whole(&f, "r", RESULT_FAILED);
	ASSERT_STREQ(kinds(&f), "");
	ASSERT(saved_of(&f, "r")->failing);	/* tracked regardless */
	run_whole(&f, "r", RESULT_SUCCESS);
	ASSERT_STREQ(kinds(&f), "recovered");
	sent_clear(&f);

	run_whole(&f, "w", RESULT_FAILED);
	run_whole(&f, "w", RESULT_CANCELLED);
	run_whole(&f, "w", RESULT_SKIPPED);
	run_whole(&f, "w", RESULT_SUCCESS);
	ASSERT_STREQ(kinds(&f), "finished finished finished finished");
	ASSERT_STREQ(f.sent[1].e->result, "cancelled");
	ASSERT(!f.sent[1].e->has_exit);
	sent_clear(&f);

	/* Nothing asked for, or nowhere to send: nothing sent, state kept. */
	run_whole(&f, "n", RESULT_FAILED);
	run_whole(&f, "quiet", RESULT_FAILED);
	ASSERT_STREQ(kinds(&f), "");
	ASSERT(saved_of(&f, "n")->failing);
	ASSERT(saved_of(&f, "quiet")->failing);
	fixture_done(&f);
}

/* With retry=, only the last attempt is a verdict. */
TEST(retries_only_the_last_attempt)
{
	struct fixture f;
	struct run r;
	unsigned i;

	fixture_init(&f, "[job a]\ncommand=true\nretry=2\n"
	    "[job t]\ncommand=true\nretry=1\nretry_on=failed\n");
	for (i = 0; i < 3; i++) {
		run_make(&f, &r, "a", RESULT_FAILED);
		r.attempt = i;
		r.retry_of = i ? 1 : 0;
		r.trigger = i ? TRIGGER_RETRY : TRIGGER_SCHEDULE;
		run_end(&f, &r);
		ASSERT_STREQ(kinds(&f), i < 2 ? "" : "failed");
	}
	ASSERT_EQ(f.sent[0].e->run, 3);
	ASSERT_STREQ(f.sent[0].e->trigger, "retry");
	/* Failed, then its retry succeeds: no failure was told, nothing to
	 * recover from. */
	run_whole(&f, "a", RESULT_SUCCESS);
	sent_clear(&f);
	run_make(&f, &r, "a", RESULT_FAILED);
	run_end(&f, &r);
	run_make(&f, &r, "a", RESULT_SUCCESS);
	r.attempt = 1;
	run_end(&f, &r);
	ASSERT_STREQ(kinds(&f), "");
	/* retry_on= leaves timeouts out: a timeout is the verdict. */
	run_whole(&f, "t", RESULT_TIMEOUT);
	ASSERT_STREQ(kinds(&f), "failed");
	/* Shutting down, no retry comes: the attempt is the verdict. */
	f.rf.runs.stopping = true;
	run_whole(&f, "a", RESULT_FAILED);
	ASSERT_STREQ(kinds(&f), "failed failed");
	f.rf.runs.stopping = false;
	fixture_done(&f);
}

/* Cancelled and skipped runs are no verdict: they neither fail nor
 * recover a job. */
TEST(cancelled_and_skipped_are_no_verdict)
{
	struct fixture f;

	fixture_init(&f, "[job a]\ncommand=true\n");
	run_whole(&f, "a", RESULT_CANCELLED);
	run_whole(&f, "a", RESULT_SKIPPED);
	ASSERT_STREQ(kinds(&f), "");
	ASSERT_EQ(f.saves, 0);
	run_whole(&f, "a", RESULT_FAILED);
	run_whole(&f, "a", RESULT_CANCELLED);
	run_whole(&f, "a", RESULT_SKIPPED);
	ASSERT_STREQ(kinds(&f), "failed");
	ASSERT(job_named(&f, "a")->alert.failing);
	run_whole(&f, "a", RESULT_SUCCESS);
	ASSERT_STREQ(kinds(&f), "failed recovered");
	fixture_done(&f);
}

/* Hooks' runs and the runs of an alert's command never alert (no loop),
 * nor do a service's process runs as verdicts (its state does). */
TEST(hooks_and_alert_commands_never_alert)
{
	struct job_config *jc = job_config_new("alert:ops", "x.conf", 1, false);
	struct fixture f;
	struct job *cmd;
	struct run r;

	fixture_init(&f, "[job a]\ncommand=true\nalert_on=failed always\n"
	    "[service s]\ncommand=true\n");
	run_make(&f, &r, "a", RESULT_FAILED);
	r.is_hook = true;
	run_end(&f, &r);
	ASSERT_STREQ(kinds(&f), "");
	ASSERT(!job_named(&f, "a")->alert.failing);
	jc->policy.alerts = strv_append(NULL, "ops");
	jc->policy.alert_on = ~0u;
	cmd = job_new(&f.rf.runs, jc);
	units_add(&f.rf.units, cmd);
	run_make(&f, &r, "alert:ops", RESULT_FAILED);
	run_end(&f, &r);
	ASSERT_STREQ(kinds(&f), "");
	ASSERT(!cmd->alert.failing);
	run_make(&f, &r, "s", RESULT_FAILED);
	r.is_service = true;
	run_end(&f, &r);
	ASSERT_STREQ(kinds(&f), "");
	ASSERT(!job_named(&f, "s")->alert.failing);
	units_remove(&f.rf.units, cmd);
	job_free(cmd);
	job_config_free(jc);
	fixture_done(&f);
}

/* The dead man's switch on a fake clock: overdue once SPAN after it was
 * first seen, kept, told once; recovered by the next success, which
 * arms the next deadline; a failure does not clear it. */
TEST(overdue_after_span_then_recovered)
{
	struct fixture f;
	struct job *j;

	fixture_init(&f, "[job d]\ncommand=true\n"
	    "expect_success_within=10s\n[job plain]\ncommand=true\n");
	j = job_named(&f, "d");
	alert_policy_start(&f.p);
	ASSERT_EQ(j->alert.since, T0);
	ASSERT_EQ(saved_of(&f, "d")->since, T0);
	ASSERT_NULL(saved_of(&f, "plain"));
	ASSERT_EQ(j->alert.deadline, T0 + 10 * SEC);
	ASSERT_EQ(alert_policy_tick(&f.p, T0 + 9 * SEC), T0 + 10 * SEC);
	ASSERT_STREQ(kinds(&f), "");
	fake_now = T0 + 10 * SEC;
	ASSERT_EQ(alert_policy_tick(&f.p, fake_now), 0);
	ASSERT_STREQ(kinds(&f), "overdue");
	ASSERT_STREQ(f.sent[0].e->job, "d");
	ASSERT_EQ(f.sent[0].e->run, 0);
	ASSERT_STREQ(f.sent[0].e->reason, "no successful run within 10s");
	ASSERT(j->alert.overdue);
	ASSERT_EQ(j->alert.overdue_since, T0 + 10 * SEC);
	ASSERT(saved_of(&f, "d")->overdue);
	ASSERT_EQ(saved_of(&f, "d")->overdue_since, T0 + 10 * SEC);
	/* Once. */
	fake_now = T0 + 60 * SEC;
	ASSERT_EQ(alert_policy_tick(&f.p, fake_now), 0);
	run_whole(&f, "d", RESULT_FAILED);
	ASSERT_STREQ(kinds(&f), "overdue failed");
	ASSERT(j->alert.overdue);
	fake_now = T0 + 70 * SEC;
	run_whole(&f, "d", RESULT_SUCCESS);
	ASSERT_STREQ(kinds(&f), "overdue failed recovered");
	ASSERT(!j->alert.overdue && !j->alert.failing);
	ASSERT(!saved_of(&f, "d")->overdue);
	ASSERT_EQ(j->alert.last_success, T0 + 70 * SEC);
	ASSERT_EQ(j->alert.deadline, T0 + 80 * SEC);
	/* Each success moves the deadline. */
	fake_now = T0 + 75 * SEC;
	run_whole(&f, "d", RESULT_SUCCESS);
	ASSERT_EQ(alert_policy_tick(&f.p, T0 + 80 * SEC), T0 + 85 * SEC);
	ASSERT_STREQ(kinds(&f), "overdue failed recovered");
	fixture_done(&f);
}

/* The deadline counts from the last success on record, else from when
 * the job was first seen (on record too): a restart neither restarts the
 * clock nor tells overdue twice. */
TEST(overdue_across_a_restart)
{
	struct ledger_job_stats stats[] = {
		{ .job = (char *)"s", .last_success = T0 - 5 * SEC },
	};
	struct ledger_alert_state states[] = {
		{ .job = (char *)"o", .overdue = true, .since = T0 - 99 * SEC,
		    .overdue_since = T0 - 9 * SEC },
		{ .job = (char *)"t", .since = T0 - 30 * SEC },
		{ .job = (char *)"gone", .failing = true },
	};
	struct fixture f;

	fixture_init(&f, "[job s]\ncommand=true\nexpect_success_within=1min\n"
	    "[job o]\ncommand=true\nexpect_success_within=1min\n"
	    "[job t]\ncommand=true\nexpect_success_within=1min\n");
	alert_policy_load_stats(&f.p, stats, 1);
	alert_policy_load_states(&f.p, states, 3);
	alert_policy_start(&f.p);
	/* o and t were known before; s only by its last success. */
	ASSERT_EQ(f.saves, 1);
	ASSERT_EQ(saved_of(&f, "s")->since, T0);
	ASSERT_EQ(job_named(&f, "s")->alert.deadline, T0 + 55 * SEC);
	ASSERT_EQ(job_named(&f, "t")->alert.deadline, T0 + 30 * SEC);
	ASSERT_EQ(job_named(&f, "o")->alert.deadline, 0);
	ASSERT(job_named(&f, "o")->alert.overdue);
	ASSERT_EQ(job_named(&f, "o")->alert.overdue_since, T0 - 9 * SEC);
	fake_now = T0 + 30 * SEC;
	alert_policy_tick(&f.p, fake_now);
	ASSERT_STREQ(kinds(&f), "overdue");
	ASSERT_STREQ(f.sent[0].e->job, "t");
	fake_now = T0 + 55 * SEC;
	ASSERT_EQ(alert_policy_tick(&f.p, fake_now), 0);
	ASSERT_STREQ(kinds(&f), "overdue overdue");
	ASSERT_STREQ(f.sent[1].e->job, "s");
	run_whole(&f, "o", RESULT_SUCCESS);
	ASSERT_STREQ(kinds(&f), "overdue overdue recovered");
	fixture_done(&f);
}

/* What the policy saved, given to a new one at a "restart": a job that
 * was failing fails again without a second failed, then recovers. */
TEST(failing_state_survives_a_restart)
{
	struct ledger_alert_state kept[MAX_SAVED];
	struct fixture f;
	size_t i, n;

	fixture_init(&f, "[job a]\ncommand=true\n[job b]\ncommand=true\n");
	run_whole(&f, "a", RESULT_FAILED);
	run_whole(&f, "b", RESULT_FAILED);
	run_whole(&f, "b", RESULT_SUCCESS);
	ASSERT_STREQ(kinds(&f), "failed failed recovered");
	n = f.nsaved;
	for (i = 0; i < n; i++) {
		kept[i] = f.saved[i];
		kept[i].job = xstrdup(f.saved[i].job);
	}
	fixture_done(&f);

	fixture_init(&f, "[job a]\ncommand=true\n[job b]\ncommand=true\n");
	alert_policy_load_states(&f.p, kept, n);
	alert_policy_start(&f.p);
	ASSERT(job_named(&f, "a")->alert.failing);
	ASSERT(!job_named(&f, "b")->alert.failing);
	run_whole(&f, "a", RESULT_FAILED);
	run_whole(&f, "b", RESULT_FAILED);
	ASSERT_STREQ(kinds(&f), "failed");
	ASSERT_STREQ(f.sent[0].e->job, "b");
	run_whole(&f, "a", RESULT_SUCCESS);
	ASSERT_STREQ(kinds(&f), "failed recovered");
	for (i = 0; i < n; i++)
		free(kept[i].job);
	fixture_done(&f);
}

/* Slots skipped by a deadline or overlap, and runs found lost, are
 * missed; jobctl skip is not; units not configured are left alone. */
TEST(missed_from_skipped_slots_and_lost_runs)
{
	struct ledger_lost lost[] = {
		{ .id = 40, .job = (char *)"h", .started = T0 - 60 * SEC,
		    .trigger = (char *)"schedule", .scheduled = T0 - 61 * SEC },
		{ .id = 41, .job = (char *)"unknown" },
		{ .id = 42, .job = NULL },
	};
	struct fixture f;
	struct alert_event *e;

	fixture_init(&f, "[job h]\ncommand=true\nschedule=hourly\n"
	    "[job m]\ncommand=true\nschedule=hourly\nalert_on=failed\n");
	alert_policy_slot_skipped(&f.p, job_named(&f, "h"), 7,
	    TRIGGER_SCHEDULE, T0, "run 6 still running (overlap=skip)",
	    false);
	alert_policy_slot_skipped(&f.p, job_named(&f, "h"), 8,
	    TRIGGER_SCHEDULE, T0 + 3600 * SEC, "skipped with jobctl skip",
	    true);
	alert_policy_slot_skipped(&f.p, job_named(&f, "m"), 9,
	    TRIGGER_SCHEDULE, T0, "past starting_deadline=1min", false);
	ASSERT_STREQ(kinds(&f), "missed");
	e = f.sent[0].e;
	ASSERT_STREQ(e->job, "h");
	ASSERT_EQ(e->run, 7);
	ASSERT_STREQ(e->result, "skipped");
	ASSERT_STREQ(e->reason, "run 6 still running (overlap=skip)");
	ASSERT_STREQ(e->trigger, "schedule");
	ASSERT_EQ(e->scheduled_at, T0);
	alert_policy_lost(&f.p, lost, 3);
	ASSERT_STREQ(kinds(&f), "missed missed");
	e = f.sent[1].e;
	ASSERT_EQ(e->run, 40);
	ASSERT_STREQ(e->result, "lost");
	ASSERT_STREQ(e->trigger, "schedule");
	ASSERT_EQ(e->scheduled_at, T0 - 61 * SEC);
	ASSERT_EQ(e->started_at, T0 - 60 * SEC);
	ASSERT_NOT_NULL(e->reason);
	/* Missed is no verdict. */
	ASSERT(!job_named(&f, "h")->alert.failing);
	ASSERT_EQ(f.saves, 0);
	fixture_done(&f);
}

/* A service: failed when it enters failed (once, unless alert_repeat),
 * recovered when it is ready again after that. */
TEST(services_failed_and_recovered)
{
	struct fixture f;
	struct service s = { .last_exit_status = -1 };
	struct service r = { .last_exit_status = 2 };

	fixture_init(&f, "[service s]\ncommand=true\n"
	    "[service r]\ncommand=true\nalert_repeat=yes\n");
	s.job = job_named(&f, "s");
	r.job = job_named(&f, "r");
	s.state = SVC_READY;
	alert_policy_service_changed(&f.p, &s);
	s.state = SVC_STARTING;
	alert_policy_service_changed(&f.p, &s);
	ASSERT_STREQ(kinds(&f), "");
	s.state = SVC_FAILED;
	s.reason = (char *)"start limit hit: 5 starts in 10s";
	alert_policy_service_changed(&f.p, &s);
	ASSERT_STREQ(kinds(&f), "failed");
	ASSERT(f.sent[0].e->service);
	ASSERT_STREQ(f.sent[0].e->job, "s");
	ASSERT_STREQ(f.sent[0].e->result, "failed");
	ASSERT_STREQ(f.sent[0].e->reason, "start limit hit: 5 starts in 10s");
	ASSERT(!f.sent[0].e->has_exit);
	ASSERT(saved_of(&f, "s")->failing);
	/* Stopped, started again, failed again: not told twice. */
	s.state = SVC_STOPPED;
	alert_policy_service_changed(&f.p, &s);
	s.state = SVC_FAILED;
	alert_policy_service_changed(&f.p, &s);
	ASSERT_STREQ(kinds(&f), "failed");
	s.state = SVC_READY;
	s.reason = NULL;
	alert_policy_service_changed(&f.p, &s);
	s.state = SVC_RELOADING;
	alert_policy_service_changed(&f.p, &s);
	s.state = SVC_READY;
	alert_policy_service_changed(&f.p, &s);
	ASSERT_STREQ(kinds(&f), "failed recovered");
	ASSERT(!saved_of(&f, "s")->failing);
	/* alert_repeat=yes: each entry into failed. */
	r.state = SVC_FAILED;
	alert_policy_service_changed(&f.p, &r);
	r.state = SVC_STOPPED;
	alert_policy_service_changed(&f.p, &r);
	r.state = SVC_FAILED;
	alert_policy_service_changed(&f.p, &r);
	ASSERT_STREQ(kinds(&f), "failed recovered failed failed");
	ASSERT(f.sent[3].e->has_exit);
	ASSERT_EQ(f.sent[3].e->exit_status, 2);
	fixture_done(&f);
}

/* A reload that adds, changes or removes expect_success_within= moves
 * the deadline; taking it away clears overdue. */
TEST(reload_moves_the_deadline)
{
	struct fixture f;
	struct job *j;
	struct job_config *jc;

	fixture_init(&f, "[job d]\ncommand=true\n"
	    "expect_success_within=10s\n[job e]\ncommand=true\n");
	alert_policy_start(&f.p);
	j = job_named(&f, "d");
	ASSERT_EQ(j->alert.deadline, T0 + 10 * SEC);
	jc = (struct job_config *)j->config;
	jc->policy.expect_success_within = 20 * SEC;
	alert_policy_job_changed(&f.p, j);
	ASSERT_EQ(j->alert.deadline, T0 + 20 * SEC);
	ASSERT_EQ(f.p.n, 1);
	/* Added to e at T0 + 5s: its clock starts then. */
	fake_now = T0 + 5 * SEC;
	jc = (struct job_config *)job_named(&f, "e")->config;
	jc->policy.expect_success_within = 10 * SEC;
	alert_policy_job_changed(&f.p, job_named(&f, "e"));
	ASSERT_EQ(job_named(&f, "e")->alert.deadline, T0 + 15 * SEC);
	ASSERT_EQ(f.p.n, 2);
	ASSERT_EQ(alert_policy_tick(&f.p, T0 + 15 * SEC), T0 + 20 * SEC);
	ASSERT_STREQ(kinds(&f), "overdue");
	ASSERT(job_named(&f, "e")->alert.overdue);
	/* Taken away: not overdue any more (kept so), no deadline. */
	jc->policy.expect_success_within = 0;
	alert_policy_job_changed(&f.p, job_named(&f, "e"));
	ASSERT(!job_named(&f, "e")->alert.overdue);
	ASSERT(!saved_of(&f, "e")->overdue);
	/* Removed: out of the heap, never overdue. */
	alert_policy_job_removed(&f.p, j);
	ASSERT_EQ(f.p.n, 0);
	ASSERT_EQ(alert_policy_tick(&f.p, T0 + 100 * SEC), 0);
	ASSERT_STREQ(kinds(&f), "overdue");
	fixture_done(&f);
}

static bool
overdue_seen(const struct fixture *f)
{
	return f->nsent > 0;
}

static void
count_timer(uv_handle_t *h, void *arg)
{
	if (h->type == UV_TIMER && uv_is_active(h))
		(*(unsigned *)arg)++;
}

static unsigned
active_timers(struct fixture *f)
{
	unsigned n = 0;

	uv_walk(&f->rf.loop, count_timer, &n);
	return n;
}

/* The real timer on the real clock: a 1s switch fires within 1s and a
 * bit, by polling the loop with a deadline. */
TEST(the_timer_fires_on_the_loop)
{
	struct fixture f;
	usec_t start, end;

	fixture_init(&f, "[job d]\ncommand=true\nexpect_success_within=1s\n");
	f.p.now = now_realtime;
	start = now_monotonic();
	alert_policy_start(&f.p);
	ASSERT_EQ(active_timers(&f), 1);
	end = start + 3 * SEC;
	while (!overdue_seen(&f) && now_monotonic() < end)
		uv_run(&f.rf.loop, UV_RUN_ONCE);
	ASSERT_STREQ(kinds(&f), "overdue");
	ASSERT(now_monotonic() - start >= 990 * USEC_PER_MSEC);
	ASSERT(now_monotonic() - start < 1500 * USEC_PER_MSEC);
	/* Nothing left to wait for: the timer stops. */
	ASSERT_EQ(active_timers(&f), 0);
	fixture_done(&f);
}

#define NJOBS 10000

/* 10,000 jobs with the switch: one timer, deadlines in a heap; the time
 * to arm them all, to move them by a success each, and to find them all
 * overdue. */
TEST(ten_thousand_jobs_one_timer)
{
	struct ledger_job_stats *stats = xcalloc(NJOBS, sizeof(*stats));
	struct fixture f;
	char *conf = NULL, *t;
	usec_t t0, arm, succ, tick;
	struct run r;
	size_t i;

	conf = t = xmalloc(NJOBS * 64);
	for (i = 0; i < NJOBS; i++)
		t += sprintf(t, "[job quiet%05zu]\ncommand=true\n"
		    "expect_success_within=1h\n", i);
	fixture_init(&f, conf);
	free(conf);
	/* Last successes spread over the hour before: deadlines differ. */
	for (i = 0; i < NJOBS; i++) {
		stats[i].job = xstrfmt("quiet%05zu", i);
		stats[i].last_success = T0 - (usec_t)((i * 7919) % NJOBS) *
		    (USEC_PER_HOUR / NJOBS);
	}
	alert_policy_load_stats(&f.p, stats, NJOBS);
	t0 = now_monotonic();
	alert_policy_start(&f.p);
	arm = now_monotonic() - t0;
	ASSERT_EQ(f.p.n, NJOBS);
	ASSERT_EQ(active_timers(&f), 1);
	/* The earliest first. */
	ASSERT_EQ(f.p.heap[0]->alert.deadline, T0 - (usec_t)(NJOBS - 1) *
	    (USEC_PER_HOUR / NJOBS) + USEC_PER_HOUR);
	t0 = now_monotonic();
	for (i = 0; i < NJOBS; i++) {
		fake_now = T0 + (usec_t)i;
		run_make(&f, &r, stats[i].job, RESULT_SUCCESS);
		run_end(&f, &r);
	}
	succ = now_monotonic() - t0;
	ASSERT_EQ(f.p.heap[0]->alert.deadline, T0 + USEC_PER_HOUR);
	ASSERT_EQ(active_timers(&f), 1);
	t0 = now_monotonic();
	fake_now = T0 + 2 * USEC_PER_HOUR;
	ASSERT_EQ(alert_policy_tick(&f.p, fake_now), 0);
	tick = now_monotonic() - t0;
	ASSERT_EQ(f.p.n, 0);
	for (i = 0; i < NJOBS; i++)
		ASSERT(job_named(&f, stats[i].job)->alert.overdue);
	printf("# %d jobs: deadlines armed in %.2f ms, %d successes "
	    "re-armed in %.2f ms (%.2f us each), all overdue in %.2f ms\n",
	    NJOBS, arm / 1000.0, NJOBS, succ / 1000.0,
	    (double)succ / NJOBS, tick / 1000.0);
	/* Bounds far above what this takes, below what a scan per run
	 * (10,000 x 10,000) would. */
	ASSERT(arm < 200 * USEC_PER_MSEC);
	ASSERT(succ < 500 * USEC_PER_MSEC);
	for (i = 0; i < NJOBS; i++)
		free(stats[i].job);
	free(stats);
	fixture_done(&f);
}

static const struct test tests[] = {
	TEST_ENTRY(failed_once_then_recovered),
	TEST_ENTRY(tail_is_bounded_in_bytes),
	TEST_ENTRY(alert_repeat_sends_every_failure),
	TEST_ENTRY(alert_on_filters_and_always),
	TEST_ENTRY(retries_only_the_last_attempt),
	TEST_ENTRY(cancelled_and_skipped_are_no_verdict),
	TEST_ENTRY(hooks_and_alert_commands_never_alert),
	TEST_ENTRY(overdue_after_span_then_recovered),
	TEST_ENTRY(overdue_across_a_restart),
	TEST_ENTRY(failing_state_survives_a_restart),
	TEST_ENTRY(missed_from_skipped_slots_and_lost_runs),
	TEST_ENTRY(services_failed_and_recovered),
	TEST_ENTRY(reload_moves_the_deadline),
	TEST_ENTRY(the_timer_fires_on_the_loop),
	TEST_ENTRY_TIMEOUT(ten_thousand_jobs_one_timer, 60),
};

TEST_MAIN(tests)
