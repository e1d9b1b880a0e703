/* The scheduler under a fake clock: a year of slots in well under a
 * second, DST policies, overlap, catch-up, jitter, pause/skip and clock
 * jumps.  The trigger hook records decisions instead of spawning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "config.h"
#include "executor.h"
#include "job.h"
#include "record.h"
#include "run-ctx.h"
#include "runner.h"
#include "scheduler.h"
#include "units.h"
#include "xmalloc.h"

#define MAX_FIRED 2048

static usec_t fake_now;
static struct {
	usec_t slot;
	int trigger;
	char job[32];
} fired[MAX_FIRED];
static size_t nfired;
/* What the skipped callback heard: "id:by_user " per slot. */
static char heard[256];

static void
fake_skipped(void *owner, struct job *j, uint64_t id, int trigger,
    usec_t slot, const char *reason, bool by_user)
{
	size_t n = strlen(heard);

	(void)owner;
	(void)trigger;
	ASSERT_NOT_NULL(j);
	ASSERT(slot > 0);
	ASSERT_NOT_NULL(reason);
	snprintf(heard + n, sizeof(heard) - n, "%llu:%s ",
	    (unsigned long long)id, by_user ? "user" : "missed");
}

static usec_t
fake_clock(void)
{
	return fake_now;
}

static struct run *
fake_trigger(struct job *j, int trigger, usec_t slot)
{
	ASSERT(nfired < MAX_FIRED);
	fired[nfired].slot = slot;
	fired[nfired].trigger = trigger;
	snprintf(fired[nfired].job, sizeof(fired[nfired].job), "%s", j->name);
	nfired++;
	return NULL;
}

/* The scheduler, and what it is given: no daemon. */
struct fixture {
	uv_loop_t loop;
	struct executor executor;
	struct run_ctx runs;
	struct units units;
	struct record record;		/* never opened: rows stay queued */
	struct config *config;
	struct sched sched;
	uint64_t last_id;
};

static uint64_t
fixture_next_id(void *owner)
{
	return ++((struct fixture *)owner)->last_id;
}

/* 2026-01-01 00:00:00 UTC */
#define JAN1 ((usec_t)1767225600 * USEC_PER_SEC)
#define HOUR USEC_PER_HOUR
#define MINUTE USEC_PER_MINUTE

static void
fixture_sched(struct fixture *f)
{
	sched_init(&f->sched, &f->runs, &f->units, &f->record, JAN1);
	f->sched.now = fake_clock;
	f->sched.trigger = fake_trigger;
	f->sched.skipped = fake_skipped;
	heard[0] = '\0';
}

static void
fixture_init(struct fixture *f, const char *jobs)
{
	char **errors = NULL;
	struct job_config *jc;
	struct config *c;

	if (config_load_string(jobs, "test.conf", &c, &errors) < 0)
		test_fail(__FILE__, __LINE__, "config: %s",
		    errors && errors[0] ? errors[0] : "?");
	*f = (struct fixture){ .config = c };
	ASSERT_OK(uv_loop_init(&f->loop));
	executor_init(&f->executor, &f->loop);
	units_init(&f->units);
	run_ctx_init(&f->runs);
	f->runs.loop = &f->loop;
	f->runs.executor = &f->executor;
	f->runs.config = c;
	f->runs.units = &f->units;
	f->runs.next_id = fixture_next_id;
	f->runs.owner = f;
	TAILQ_FOREACH(jc, &c->jobs, entry)
		units_add(&f->units, job_new(&f->runs, jc));
	fixture_sched(f);
	nfired = 0;
}

static struct job *
job_named(struct fixture *f, const char *name)
{
	struct job *j = units_find(&f->units, name);

	ASSERT_NOT_NULL(j);
	return j;
}

/* Runs the scheduler from fake_now until `until`, tick by tick. */
static void
run_until(struct fixture *f, usec_t until)
{
	usec_t next;

	for (;;) {
		next = sched_tick(&f->sched, fake_now);
		if (!next || next > until)
			break;
		fake_now = next;
	}
	fake_now = until;
}

static void
fixture_done(struct fixture *f)
{
	sched_stop(&f->sched);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	units_free(&f->units);
	record_free(&f->record);
	config_free(f->config);
	ASSERT_OK(uv_loop_close(&f->loop));
}

/* The reason of the i-th skipped row queued for the ledger, or NULL. */
static const char *
skipped_reason(struct fixture *f, size_t i)
{
	size_t k, n = 0;

	for (k = 0; k < f->record.nqueue; k++) {
		struct ledger_op *op = &f->record.queue[k];

		if (op->type != LEDGER_OP_COMPLETE || !op->run.result ||
		    strcmp(op->run.result, "skipped"))
			continue;
		if (n++ == i)
			return op->run.reason;
	}
	return NULL;
}

static size_t
skipped_count(struct fixture *f)
{
	size_t n = 0;

	while (skipped_reason(f, n))
		n++;
	return n;
}

TEST(every_15_minutes_for_a_day)
{
	struct fixture f;
	size_t i;

	fixture_init(&f, "[job q]\ncommand=true\nschedule=*:0/15 UTC\n");
	fake_now = JAN1;
	sched_start(&f.sched);
	run_until(&f, JAN1 + 24 * HOUR);
	ASSERT_EQ(nfired, 96);
	for (i = 0; i < nfired; i++) {
		ASSERT_EQ(fired[i].slot, JAN1 + (i + 1) * 15 * MINUTE);
		ASSERT_EQ(fired[i].trigger, TRIGGER_SCHEDULE);
	}
	fixture_done(&f);
}

TEST(a_year_of_daily_runs_in_berlin)
{
	struct fixture f;
	usec_t t0 = now_monotonic();

	fixture_init(&f, "[job d]\ncommand=true\nschedule=30 2 * * *\n"
	    "timezone=Europe/Berlin\n");
	fake_now = JAN1;
	sched_start(&f.sched);
	run_until(&f, JAN1 + 365 * 24 * HOUR);
	/* 02:30 does not exist on 2026-03-29: a cron line with a fixed time
	 * runs at 03:00 instead, as cronie does. */
	ASSERT_EQ(nfired, 365);
	ASSERT(now_monotonic() - t0 < 2 * USEC_PER_SEC);
	fixture_done(&f);

	/* The systemd syntax skips it, as systemd does. */
	fixture_init(&f, "[job d]\ncommand=true\nschedule=*-*-* 02:30\n"
	    "timezone=Europe/Berlin\n");
	fake_now = JAN1;
	sched_start(&f.sched);
	run_until(&f, JAN1 + 365 * 24 * HOUR);
	ASSERT_EQ(nfired, 364);
	fixture_done(&f);
}

TEST(dst_gap_run_and_repeat_twice)
{
	struct fixture f;
	/* 2026-03-29 01:00 UTC: the end of Berlin's gap (03:00 CEST). */
	usec_t gap_end = (usec_t)1774746000 * USEC_PER_SEC;
	size_t i;
	bool seen = false;

	fixture_init(&f, "[job d]\ncommand=true\nschedule=30 2 * * *\n"
	    "timezone=Europe/Berlin\ndst_gap=run\ndst_repeat=twice\n");
	fake_now = JAN1;
	sched_start(&f.sched);
	run_until(&f, JAN1 + 365 * 24 * HOUR);
	/* 365 days, plus the second 02:30 on 2026-10-25. */
	ASSERT_EQ(nfired, 366);
	for (i = 0; i < nfired; i++)
		seen |= fired[i].slot == gap_end;
	ASSERT(seen);
	fixture_done(&f);
}

TEST(overlap_skip_records_the_slot)
{
	struct fixture f;
	struct job *j;
	struct run r = { .id = 7 };

	fixture_init(&f, "[job h]\ncommand=true\nschedule=hourly UTC\n");
	fake_now = JAN1;
	sched_start(&f.sched);
	j = job_named(&f, "h");
	j->nactive = 1;			/* a run still going */
	/* A named run: TAILQ macros evaluate their element more than once. */
	TAILQ_INSERT_TAIL(&j->runs, &r, entry);
	run_until(&f, JAN1 + HOUR);
	ASSERT_EQ(nfired, 0);
	ASSERT_EQ(skipped_count(&f), 1);
	ASSERT_STREQ(skipped_reason(&f, 0), "run 7 still running "
	    "(overlap=skip)");
	/* The owner heard of it as a missed slot (alerts). */
	ASSERT_STREQ(heard, "1:missed ");
	TAILQ_INIT(&j->runs);
	j->nactive = 0;
	fixture_done(&f);
}

TEST(overlap_queue_is_bounded)
{
	struct fixture f;
	struct job *j;
	struct run r = { .id = 1 };

	fixture_init(&f, "[job h]\ncommand=true\nschedule=hourly UTC\n"
	    "overlap=queue\nqueue_max=2\n");
	fake_now = JAN1;
	sched_start(&f.sched);
	j = job_named(&f, "h");
	j->nactive = 1;
	TAILQ_INSERT_TAIL(&j->runs, &r, entry);
	run_until(&f, JAN1 + 3 * HOUR);
	ASSERT_EQ(nfired, 0);
	ASSERT_EQ(j->sched.nqueue, 2);
	ASSERT_EQ(skipped_count(&f), 1);
	ASSERT(strstr(skipped_reason(&f, 0), "queue full (queue_max=2)"));
	ASSERT_STREQ(heard, "1:missed ");
	TAILQ_INIT(&j->runs);
	j->nactive = 0;
	sched_run_finished(&f.sched, j);
	ASSERT_EQ(nfired, 1);
	ASSERT_EQ(fired[0].slot, JAN1 + HOUR);
	sched_run_finished(&f.sched, j);
	ASSERT_EQ(nfired, 2);
	ASSERT_EQ(fired[1].slot, JAN1 + 2 * HOUR);
	fixture_done(&f);
}

TEST(catch_up_latest_after_downtime)
{
	struct fixture f;
	struct job *j;

	fixture_init(&f, "[job h]\ncommand=true\nschedule=hourly UTC\n"
	    "catch_up=latest\n");
	j = job_named(&f, "h");
	j->sched.last_slot = JAN1;
	fake_now = JAN1 + 10 * HOUR + 30 * MINUTE;
	sched_start(&f.sched);
	ASSERT_EQ(nfired, 1);
	ASSERT_EQ(fired[0].slot, JAN1 + 10 * HOUR);
	ASSERT_EQ(fired[0].trigger, TRIGGER_CATCH_UP);
	run_until(&f, JAN1 + 11 * HOUR);
	ASSERT_EQ(nfired, 2);
	ASSERT_EQ(fired[1].slot, JAN1 + 11 * HOUR);
	ASSERT_EQ(fired[1].trigger, TRIGGER_SCHEDULE);
	fixture_done(&f);
}

TEST(catch_up_all_bounded_and_in_order)
{
	struct fixture f;
	struct job *j;

	fixture_init(&f, "[job h]\ncommand=true\nschedule=hourly UTC\n"
	    "catch_up=all\ncatch_up_max=3\n");
	j = job_named(&f, "h");
	j->sched.last_slot = JAN1;
	fake_now = JAN1 + 10 * HOUR + 30 * MINUTE;
	sched_start(&f.sched);
	/* One at a time: the next starts when the previous finished. */
	ASSERT_EQ(nfired, 1);
	sched_run_finished(&f.sched, j);
	sched_run_finished(&f.sched, j);
	sched_run_finished(&f.sched, j);
	ASSERT_EQ(nfired, 3);
	ASSERT_EQ(fired[0].slot, JAN1 + 8 * HOUR);
	ASSERT_EQ(fired[1].slot, JAN1 + 9 * HOUR);
	ASSERT_EQ(fired[2].slot, JAN1 + 10 * HOUR);
	fixture_done(&f);
}

TEST(catch_up_none_runs_nothing)
{
	struct fixture f;
	struct job *j;

	fixture_init(&f, "[job h]\ncommand=true\nschedule=hourly UTC\n");
	j = job_named(&f, "h");
	j->sched.last_slot = JAN1;
	fake_now = JAN1 + 10 * HOUR + 30 * MINUTE;
	sched_start(&f.sched);
	ASSERT_EQ(nfired, 0);
	ASSERT_EQ(j->sched.next_slot, JAN1 + 11 * HOUR);
	fixture_done(&f);
}

TEST(starting_deadline_skips_late_catch_up)
{
	struct fixture f;
	struct job *j;

	fixture_init(&f, "[job h]\ncommand=true\nschedule=hourly UTC\n"
	    "catch_up=latest\nstarting_deadline=10min\n");
	j = job_named(&f, "h");
	j->sched.last_slot = JAN1;
	fake_now = JAN1 + 10 * HOUR + 30 * MINUTE;
	sched_start(&f.sched);
	ASSERT_EQ(nfired, 0);
	ASSERT_EQ(skipped_count(&f), 1);
	ASSERT(strstr(skipped_reason(&f, 0), "past starting_deadline=10min"));
	ASSERT_STREQ(heard, "1:missed ");
	fixture_done(&f);
}

TEST(jitter_is_stable_and_bounded)
{
	struct fixture f;
	struct job *j;
	usec_t a, b;

	fixture_init(&f, "[job h]\ncommand=true\nschedule=hourly UTC\n"
	    "jitter=10min\n");
	j = job_named(&f, "h");
	a = sched_jitter(&f.sched, j);
	fixture_sched(&f);
	b = sched_jitter(&f.sched, j);
	ASSERT_EQ(a, b);
	ASSERT(a < 10 * MINUTE);
	fake_now = JAN1;
	sched_start(&f.sched);
	ASSERT_EQ(j->sched.fire_at, JAN1 + HOUR + a);
	run_until(&f, JAN1 + HOUR + a);
	ASSERT_EQ(nfired, 1);
	ASSERT_EQ(fired[0].slot, JAN1 + HOUR);
	fixture_done(&f);
}

TEST(clock_set_back_never_reruns_a_slot)
{
	struct fixture f;

	fixture_init(&f, "[job h]\ncommand=true\nschedule=hourly UTC\n");
	fake_now = JAN1;
	sched_start(&f.sched);
	run_until(&f, JAN1 + 10 * HOUR + 30 * MINUTE);
	ASSERT_EQ(nfired, 10);
	fake_now = JAN1 + 8 * HOUR;	/* set back 2.5 hours */
	run_until(&f, JAN1 + 10 * HOUR + 59 * MINUTE);
	ASSERT_EQ(nfired, 10);
	run_until(&f, JAN1 + 11 * HOUR);
	ASSERT_EQ(nfired, 11);
	ASSERT_EQ(fired[10].slot, JAN1 + 11 * HOUR);
	fixture_done(&f);
}

TEST(clock_jump_forward_runs_the_newest_once)
{
	struct fixture f;

	fixture_init(&f, "[job h]\ncommand=true\nschedule=hourly UTC\n");
	fake_now = JAN1 + 30 * MINUTE;
	sched_start(&f.sched);
	fake_now = JAN1 + 5 * HOUR + 30 * MINUTE;	/* jump 5 hours ahead */
	sched_tick(&f.sched, fake_now);
	ASSERT_EQ(nfired, 1);
	ASSERT_EQ(fired[0].slot, JAN1 + 5 * HOUR);
	fixture_done(&f);
}

TEST(pause_then_resume_catches_up)
{
	struct fixture f;
	struct job *j;

	fixture_init(&f, "[job h]\ncommand=true\nschedule=hourly UTC\n"
	    "catch_up=latest\n");
	fake_now = JAN1;
	sched_start(&f.sched);
	j = job_named(&f, "h");
	run_until(&f, JAN1 + HOUR);
	ASSERT_EQ(nfired, 1);
	sched_pause(&f.sched, j, 0);
	run_until(&f, JAN1 + 4 * HOUR + 10 * MINUTE);
	ASSERT_EQ(nfired, 1);
	sched_resume(&f.sched, j);
	ASSERT_EQ(nfired, 2);
	ASSERT_EQ(fired[1].slot, JAN1 + 4 * HOUR);
	ASSERT_EQ(fired[1].trigger, TRIGGER_CATCH_UP);
	fixture_done(&f);
}

TEST(skip_records_the_next_slots)
{
	struct fixture f;
	struct job *j;

	fixture_init(&f, "[job h]\ncommand=true\nschedule=hourly UTC\n");
	fake_now = JAN1;
	sched_start(&f.sched);
	j = job_named(&f, "h");
	sched_skip(&f.sched, j, 2, NULL);
	run_until(&f, JAN1 + 3 * HOUR);
	ASSERT_EQ(nfired, 1);
	ASSERT_EQ(fired[0].slot, JAN1 + 3 * HOUR);
	ASSERT_EQ(skipped_count(&f), 2);
	ASSERT_STREQ(skipped_reason(&f, 1), "skipped with jobctl skip");
	/* Asked for: no missed slot. */
	ASSERT_STREQ(heard, "1:user 2:user ");
	fixture_done(&f);
}

TEST(union_of_schedules)
{
	struct fixture f;

	fixture_init(&f, "[job u]\ncommand=true\nschedule=*-*-* 01:00 UTC\n"
	    "schedule=*-*-* 03:00 UTC\n");
	fake_now = JAN1;
	sched_start(&f.sched);
	run_until(&f, JAN1 + 24 * HOUR);
	ASSERT_EQ(nfired, 2);
	ASSERT_EQ(fired[0].slot, JAN1 + HOUR);
	ASSERT_EQ(fired[1].slot, JAN1 + 3 * HOUR);
	fixture_done(&f);
}

static const struct test tests[] = {
	TEST_ENTRY(every_15_minutes_for_a_day),
	TEST_ENTRY(a_year_of_daily_runs_in_berlin),
	TEST_ENTRY(dst_gap_run_and_repeat_twice),
	TEST_ENTRY(overlap_skip_records_the_slot),
	TEST_ENTRY(overlap_queue_is_bounded),
	TEST_ENTRY(catch_up_latest_after_downtime),
	TEST_ENTRY(catch_up_all_bounded_and_in_order),
	TEST_ENTRY(catch_up_none_runs_nothing),
	TEST_ENTRY(starting_deadline_skips_late_catch_up),
	TEST_ENTRY(jitter_is_stable_and_bounded),
	TEST_ENTRY(clock_set_back_never_reruns_a_slot),
	TEST_ENTRY(clock_jump_forward_runs_the_newest_once),
	TEST_ENTRY(pause_then_resume_catches_up),
	TEST_ENTRY(skip_records_the_next_slots),
	TEST_ENTRY(union_of_schedules),
};

TEST_MAIN(tests)
