/* Tests for jobd/figures.c: counts per result, the last verdict by the
 * ledger triggers' rules (success, failed, timeout, lost; the highest run
 * id wins; cancelled and skipped are no verdict), and the seed from the
 * ledger merged with what was counted while it was read. */
#include <stdio.h>
#include <string.h>

#include "figures.h"
#include "ledger.h"
#include "runner.h"

static int
res(const char *name)
{
	return ledger_result_index(name);
}

static void
add(struct figures *f, const char *job, uint64_t id, const char *result,
    usec_t started, usec_t ended)
{
	figures_add(f, &(struct figures_row){ .job = job, .id = id,
	    .result = res(result), .started = started, .ended = ended });
}

TEST(counts_and_verdicts)
{
	struct figures f;
	const struct figure *x;

	figures_init(&f);
	ASSERT_NULL(figures_find(&f, "a"));
	add(&f, "a", 1, "success", 100, 150);
	add(&f, "a", 2, "failed", 200, 260);
	add(&f, "a", 3, "cancelled", 300, 310);
	figures_skipped(&f, "a", 4);
	x = figures_find(&f, "a");
	ASSERT_NOT_NULL(x);
	ASSERT_EQ(x->counts[res("success")], 1);
	ASSERT_EQ(x->counts[res("failed")], 1);
	ASSERT_EQ(x->counts[res("cancelled")], 1);
	ASSERT_EQ(x->counts[res("skipped")], 1);
	/* Cancelled and skipped are no verdict: the failure stays last. */
	ASSERT_EQ(x->last_run, 2);
	ASSERT_EQ(x->last_result, res("failed"));
	ASSERT_EQ(x->last_started, 200);
	ASSERT_EQ(x->last_ended, 260);
	ASSERT_EQ(x->last_duration, 60);
	ASSERT_EQ(x->last_success, 150);
	figures_free(&f);
}

TEST(highest_id_wins)
{
	struct figures f;
	const struct figure *x;

	figures_init(&f);
	add(&f, "a", 5, "failed", 500, 510);
	/* An older run that ends later is counted, but is not the last. */
	add(&f, "a", 4, "success", 400, 600);
	x = figures_find(&f, "a");
	ASSERT_EQ(x->counts[res("success")], 1);
	ASSERT_EQ(x->last_run, 5);
	ASSERT_EQ(x->last_result, res("failed"));
	ASSERT_EQ(x->last_success, 0);
	/* A lost run that never ended: no duration. */
	add(&f, "a", 6, "lost", 700, 0);
	ASSERT_EQ(x->last_result, res("lost"));
	ASSERT_EQ(x->last_duration, 0);
	/* A success that never started (ended only) still counts its end. */
	add(&f, "a", 7, "success", 0, 900);
	ASSERT_EQ(x->last_success, 900);
	ASSERT_EQ(x->last_duration, 0);
	figures_free(&f);
}

TEST(seed_merged_with_runs_meanwhile)
{
	struct ledger_job_stats s = {
		.job = (char *)"a", .last_run = 10,
		.last_result = (char *)"success", .last_started = 1000,
		.last_ended = 1100, .last_duration = 100,
		.last_success = 1100,
	};
	struct ledger_job_stats t = {
		.job = (char *)"b", .last_run = 3,
		.last_result = (char *)"failed", .last_started = 30,
		.last_ended = 40, .last_duration = 10, .last_success = 20,
	};
	struct figures f;
	const struct figure *x;

	s.counts[res("success")] = 7;
	s.counts[res("failed")] = 2;
	t.counts[res("failed")] = 1;
	figures_init(&f);
	/* A run that finished while the ledger was being read: newer. */
	add(&f, "a", 11, "failed", 2000, 2100);
	figures_merge(&f, &s);
	x = figures_find(&f, "a");
	ASSERT_EQ(x->counts[res("success")], 7);
	ASSERT_EQ(x->counts[res("failed")], 3);
	ASSERT_EQ(x->last_run, 11);
	ASSERT_EQ(x->last_result, res("failed"));
	ASSERT_EQ(x->last_started, 2000);
	/* Its last success is the ledger's. */
	ASSERT_EQ(x->last_success, 1100);
	/* A job nothing happened to since: the ledger's figures as they
	 * are. */
	figures_merge(&f, &t);
	x = figures_find(&f, "b");
	ASSERT_EQ(x->counts[res("failed")], 1);
	ASSERT_EQ(x->last_run, 3);
	ASSERT_EQ(x->last_result, res("failed"));
	ASSERT_EQ(x->last_duration, 10);
	ASSERT_EQ(x->last_success, 20);
	figures_free(&f);
}

TEST(seed_without_verdict)
{
	/* Only counts on record (runs of results that are no verdict). */
	struct ledger_job_stats s = { .job = (char *)"c" };
	struct figures f;
	const struct figure *x;

	s.counts[res("cancelled")] = 4;
	figures_init(&f);
	figures_merge(&f, &s);
	x = figures_find(&f, "c");
	ASSERT_EQ(x->counts[res("cancelled")], 4);
	ASSERT_EQ(x->last_run, 0);
	ASSERT_EQ(x->last_result, -1);
	figures_free(&f);
}

TEST(many_jobs)
{
	struct figures f;
	char name[16];
	int i;

	figures_init(&f);
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "j%05d", i);
		add(&f, name, (uint64_t)i + 1, i % 2 ? "failed" : "success",
		    1, 2);
	}
	for (i = 0; i < 10000; i += 997) {
		snprintf(name, sizeof(name), "j%05d", i);
		ASSERT_EQ(figures_find(&f, name)->last_run, (uint64_t)i + 1);
	}
	figures_free(&f);
}

static const struct test tests[] = {
	TEST_ENTRY(counts_and_verdicts),
	TEST_ENTRY(highest_id_wins),
	TEST_ENTRY(seed_merged_with_runs_meanwhile),
	TEST_ENTRY(seed_without_verdict),
	TEST_ENTRY(many_jobs),
};

TEST_MAIN(tests)
