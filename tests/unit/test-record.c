/* The record without a daemon: a real loop, executor and ledger (in a
 * temporary state directory), and runs published through a run hub.  Rows
 * land with their fields, queries and gets answer them, retention and
 * schedule states go through the ledger thread, run ids stay above every
 * reservation across a reopen, and a ledger that cannot be opened or
 * written keeps the rows queued until it can.  The loop runs until a
 * condition holds, or fails the test at a deadline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "config.h"
#include "executor.h"
#include "ledger.h"
#include "record.h"
#include "run-ctx.h"
#include "run.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

#define SEC USEC_PER_SEC
#define T0 ((usec_t)1767225600 * SEC)	/* 2026-01-01 00:00:00 UTC */
#define DEADLINE_MS 5000
#define NROWS 8

/* A query's or get's answer, copied out of the callback. */
struct answer {
	bool done;
	int r;
	struct ledger_run rows[NROWS];
	size_t n;
};

struct fixture {
	uv_loop_t loop;
	struct executor executor;
	struct run_ctx runs;
	struct config *config;
	struct record rec;
	uv_timer_t deadline;
	char dir[64];			/* the temporary directory */
	char *state_dir;
	bool opened;
	int open_r;
	size_t nlost;			/* runs the lost callback heard of */
	uint64_t lost_id;
	char lost_job[16], lost_trigger[16];
	usec_t lost_slot;
	bool flushed;
	int flush_r;
	unsigned long long calls_at_flush;	/* ledger calls done then */
	const struct answer *watch;	/* answered when the flush was? */
	bool watch_done_at_flush;
};

static void
deadline_cb(uv_timer_t *t)
{
	(void)t;		/* uv_run returns: the condition is checked */
}

/* Runs the loop until cond holds; fails at the deadline. */
#define RUN_UNTIL(f, cond) do {						\
	usec_t _end = now_monotonic() + DEADLINE_MS * USEC_PER_MSEC;	\
									\
	uv_timer_start(&(f)->deadline, deadline_cb, DEADLINE_MS, 0);	\
	while (!(cond) && now_monotonic() < _end)			\
		uv_run(&(f)->loop, UV_RUN_ONCE);			\
	uv_timer_stop(&(f)->deadline);					\
	if (!(cond))							\
		test_fail(__FILE__, __LINE__, "timed out: %s", #cond);	\
} while (0)

static void
fixture_init(struct fixture *f, const char *state_sub)
{
	static const char jobs[] = "[job a]\ncommand=true\n"
	    "[job b]\ncommand=true\n";
	char **errors = NULL;

	*f = (struct fixture){ 0 };
	if (config_load_string(jobs, "test.conf", &f->config, &errors) < 0)
		test_fail(__FILE__, __LINE__, "config: %s",
		    errors && errors[0] ? errors[0] : "?");
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-record-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(f->dir));
	f->state_dir = xstrfmt("%s/%s", f->dir, state_sub);
	ASSERT_OK(uv_loop_init(&f->loop));
	ASSERT_OK(uv_timer_init(&f->loop, &f->deadline));
	executor_init(&f->executor, &f->loop);
	run_ctx_init(&f->runs);
	f->runs.loop = &f->loop;
	f->runs.executor = &f->executor;
	f->runs.config = f->config;
}

static void
opened_cb(void *owner, int r)
{
	struct fixture *f = owner;

	f->opened = true;
	f->open_r = r;
}

static void
idle_cb(void *owner)
{
	(void)owner;
}

static void
lost_cb(void *owner, const struct ledger_lost *lost, size_t n)
{
	struct fixture *f = owner;

	/* Heard before the open's done. */
	ASSERT(!f->opened);
	f->nlost += n;
	f->lost_id = lost[0].id;
	snprintf(f->lost_job, sizeof(f->lost_job), "%s", lost[0].job);
	snprintf(f->lost_trigger, sizeof(f->lost_trigger), "%s",
	    lost[0].trigger ? lost[0].trigger : "-");
	f->lost_slot = lost[0].scheduled;
}

/* Opens the record (not waiting for the ledger) and subscribes it. */
static void
record_begin(struct fixture *f)
{
	f->opened = false;
	record_open(&f->rec, &f->runs, f->state_dir, false, opened_cb,
	    idle_cb, f);
	record_on_lost(&f->rec, lost_cb);
	run_hub_init(&f->runs.hub);
	record_subscribe(&f->rec, &f->runs.hub);
}

static void
record_start(struct fixture *f)
{
	record_begin(f);
	RUN_UNTIL(f, f->opened);
	ASSERT_OK(f->open_r);
	ASSERT_NOT_NULL(f->rec.ledger);
}

static void
record_stop(struct fixture *f)
{
	record_close(&f->rec);
	RUN_UNTIL(f, record_idle(&f->rec));
	record_free(&f->rec);
}

static void
fixture_done(struct fixture *f)
{
	uv_close((uv_handle_t *)&f->deadline, NULL);
	ASSERT_OK(uv_run(&f->loop, UV_RUN_DEFAULT));
	ASSERT_OK(uv_loop_close(&f->loop));
	config_free(f->config);
	free(f->state_dir);
	test_rm_tree(f->dir);
}

static void
flush_cb(void *ctx, int r)
{
	struct fixture *f = ctx;

	f->flushed = true;
	f->flush_r = r;
	f->calls_at_flush = f->rec.lane.completed;
	if (f->watch)
		f->watch_done_at_flush = f->watch->done;
}

/* Waits until every row queued so far is written; returns the result. */
static int
flush(struct fixture *f)
{
	f->flushed = false;
	record_flush(&f->rec, flush_cb, f);
	RUN_UNTIL(f, f->flushed);
	return f->flush_r;
}

static void
row_copy(struct ledger_run *to, const struct ledger_run *from)
{
	*to = *from;
	to->job = from->job ? xstrdup(from->job) : NULL;
	to->trigger = from->trigger ? xstrdup(from->trigger) : NULL;
	to->result = from->result ? xstrdup(from->result) : NULL;
	to->reason = from->reason ? xstrdup(from->reason) : NULL;
	to->hook_of_job = from->hook_of_job ? xstrdup(from->hook_of_job) :
	    NULL;
	to->chain_first_job = from->chain_first_job ?
	    xstrdup(from->chain_first_job) : NULL;
	to->tail = NULL;
	if (from->tail_len) {
		to->tail = xmalloc(from->tail_len);
		memcpy(to->tail, from->tail, from->tail_len);
	}
}

static void
answer_cb(void *ctx, int r, struct ledger_run *runs, size_t n)
{
	struct answer *a = ctx;
	size_t i;

	ASSERT(n <= NROWS);
	a->done = true;
	a->r = r;
	a->n = n;
	for (i = 0; i < n; i++)
		row_copy(&a->rows[i], &runs[i]);
}

static void
answer_free(struct answer *a)
{
	while (a->n > 0)
		ledger_run_free_contents(&a->rows[--a->n]);
	*a = (struct answer){ 0 };
}

static void
query(struct fixture *f, const struct ledger_filter *filter,
    struct answer *a)
{
	answer_free(a);
	record_query(&f->rec, filter, answer_cb, a);
	RUN_UNTIL(f, a->done);
}

static void
get(struct fixture *f, uint64_t id, struct answer *a)
{
	answer_free(a);
	record_get_run(&f->rec, id, answer_cb, a);
	RUN_UNTIL(f, a->done);
}

/* A run as run.c leaves it when it publishes its queued news. */
static char **
names(const char *a, const char *b, const char *c)
{
	char **v = strv_append(NULL, a);

	if (b)
		v = strv_append(v, b);
	if (c)
		v = strv_append(v, c);
	return v;
}

static void
run_make(struct run *r, uint64_t id, const char *job, usec_t at)
{
	*r = (struct run){ .id = id, .name = job, .state = RUN_PENDING,
	    .trigger = TRIGGER_SCHEDULE, .scheduled = at, .queued = at };
	tail_init(&r->tail, 4096);
}

static void
run_publish_start(struct fixture *f, struct run *r, int pid)
{
	r->state = RUN_RUNNING;
	r->pid = pid;
	r->started = r->queued + SEC;
	run_hub_publish(&f->runs.hub, RUN_NEWS_STARTED, r);
}

static void
run_publish_end(struct fixture *f, struct run *r, enum run_result result,
    int exit_code)
{
	r->state = RUN_FINISHED;
	r->result = result;
	r->exited = true;
	r->exit_code = exit_code;
	r->ended = r->started + 2 * SEC;
	run_hub_publish(&f->runs.hub, RUN_NEWS_FINISHED, r);
	run_hub_publish(&f->runs.hub, RUN_NEWS_CLOSED, r);
	tail_done(&r->tail);
}

/* A run from queued to closed, its result and exit code on record. */
static void
run_whole(struct fixture *f, uint64_t id, const char *job, usec_t at,
    enum run_result result)
{
	struct run r;

	run_make(&r, id, job, at);
	run_hub_publish(&f->runs.hub, RUN_NEWS_QUEUED, &r);
	run_publish_start(f, &r, 1000 + (int)id);
	run_publish_end(f, &r, result, result == RESULT_SUCCESS ? 0 : 1);
}

TEST(a_runs_rows_land_as_it_goes)
{
	struct fixture f;
	struct answer a = { 0 };
	struct run r;

	fixture_init(&f, "state");
	record_start(&f);
	run_make(&r, 7, "a", T0);
	r.retry_of = 5;
	r.chain = &(struct run_chain){ .hook_of = 6, .hook_of_job = "h",
	    .first = 4, .first_job = "f", .depth = 3 };
	run_hub_publish(&f.runs.hub, RUN_NEWS_QUEUED, &r);
	ASSERT_OK(flush(&f));
	get(&f, 7, &a);
	ASSERT_OK(a.r);
	ASSERT_EQ(a.n, 1);
	ASSERT_STREQ(a.rows[0].job, "a");
	ASSERT_STREQ(a.rows[0].trigger, "schedule");
	ASSERT_NULL(a.rows[0].result);
	ASSERT_EQ(a.rows[0].queued, T0);
	ASSERT_EQ(a.rows[0].started, 0);
	ASSERT_EQ(a.rows[0].retry_of, 5);
	ASSERT_EQ(a.rows[0].hook_of, 6);
	ASSERT_STREQ(a.rows[0].hook_of_job, "h");
	ASSERT_EQ(a.rows[0].chain_first, 4);
	ASSERT_STREQ(a.rows[0].chain_first_job, "f");
	ASSERT_EQ(a.rows[0].chain_depth, 3);

	run_publish_start(&f, &r, 4242);
	ASSERT_OK(flush(&f));
	get(&f, 7, &a);
	ASSERT_EQ(a.rows[0].pid, 4242);
	ASSERT_EQ(a.rows[0].started, T0 + SEC);
	ASSERT_NULL(a.rows[0].result);

	tail_append(&r.tail, TAIL_STDOUT, T0, "one", 3);
	tail_append(&r.tail, TAIL_STDERR, T0, "two", 3);
	r.usage.peak_kb = 1234;
	r.reason = xstrdup("exit status 3");
	run_publish_end(&f, &r, RESULT_FAILED, 3);
	free(r.reason);
	ASSERT_OK(flush(&f));
	get(&f, 7, &a);
	ASSERT_STREQ(a.rows[0].result, "failed");
	ASSERT_STREQ(a.rows[0].reason, "exit status 3");
	ASSERT(a.rows[0].has_exit);
	ASSERT_EQ(a.rows[0].exit_code, 3);
	ASSERT_EQ(a.rows[0].ended, T0 + 3 * SEC);
	ASSERT_EQ(a.rows[0].duration, 2 * SEC);
	ASSERT_EQ(a.rows[0].peak_rss_kb, 1234);
	ASSERT_EQ(a.rows[0].tail_len, 8);
	ASSERT_OK(memcmp(a.rows[0].tail, "one\ntwo\n", 8));
	ASSERT_EQ(f.rec.written, 3);

	get(&f, 8, &a);
	ASSERT_EQ(a.r, -ENOENT);
	ASSERT_EQ(a.n, 0);
	answer_free(&a);
	record_stop(&f);
	fixture_done(&f);
}

/* The rows on disk, read with a ledger of our own after the record
 * closed: one job's runs, newest first. */
static size_t
on_disk(struct fixture *f, const char *job, uint64_t *ids, size_t max)
{
	struct ledger_filter filter = { .job = job };
	struct ledger_run *runs = NULL;
	struct ledger *l = NULL;
	char *cause = NULL;
	size_t i, n = 0;

	ASSERT_OK(ledger_open(f->state_dir, false, &l, &cause));
	ASSERT_OK(ledger_query(l, &filter, &runs, &n, &cause));
	ASSERT(n <= max);
	for (i = 0; i < n; i++)
		ids[i] = runs[i].id;
	ledger_runs_free(runs, n);
	ledger_close(l);
	return n;
}

TEST(query_answers_newest_first_with_the_rows_queued_before)
{
	struct fixture f;
	struct answer a = { 0 };
	uint64_t ids[NROWS];

	fixture_init(&f, "state");
	record_start(&f);
	run_whole(&f, 1, "a", T0, RESULT_SUCCESS);
	run_whole(&f, 2, "b", T0 + SEC, RESULT_SUCCESS);
	run_whole(&f, 3, "a", T0 + 2 * SEC, RESULT_FAILED);
	run_whole(&f, 4, "a", T0 + 3 * SEC, RESULT_SUCCESS);
	/* No flush: a question comes after the rows queued before it. */
	query(&f, &(struct ledger_filter){ .job = "a" }, &a);
	ASSERT_OK(a.r);
	ASSERT_EQ(a.n, 3);
	ASSERT_EQ(a.rows[0].id, 4);
	ASSERT_EQ(a.rows[1].id, 3);
	ASSERT_EQ(a.rows[2].id, 1);
	ASSERT_NULL(a.rows[0].tail);	/* queries load no tails */
	query(&f, &(struct ledger_filter){ .failed_only = true }, &a);
	ASSERT_EQ(a.n, 1);
	ASSERT_EQ(a.rows[0].id, 3);
	query(&f, &(struct ledger_filter){ .limit = 2 }, &a);
	ASSERT_EQ(a.n, 2);
	ASSERT_EQ(a.rows[0].id, 4);
	ASSERT_EQ(a.rows[1].id, 3);
	answer_free(&a);
	record_stop(&f);

	ASSERT_EQ(on_disk(&f, "b", ids, NROWS), 1);
	ASSERT_EQ(ids[0], 2);
	fixture_done(&f);
}

static struct ledger_prune *
rules_of(const char *job, unsigned max_runs, usec_t max_age)
{
	struct ledger_prune *p = xcalloc(1, sizeof(*p));

	*p = (struct ledger_prune){ .job = job ? xstrdup(job) : NULL,
	    .max_runs = max_runs, .max_age = max_age, .now = T0 + 3600 * SEC };
	return p;
}

TEST(prune_keeps_the_newest_and_never_an_unfinished_row)
{
	struct fixture f;
	struct answer a = { 0 };
	struct run open;
	uint64_t i, ids[NROWS];

	fixture_init(&f, "state");
	record_start(&f);
	for (i = 1; i <= 5; i++)
		run_whole(&f, i, "a", T0 + i * 60 * SEC, RESULT_SUCCESS);
	run_whole(&f, 6, "b", T0, RESULT_SUCCESS);
	run_whole(&f, 7, "b", T0 + 3000 * SEC, RESULT_SUCCESS);
	run_make(&open, 8, "a", T0);
	run_hub_publish(&f.runs.hub, RUN_NEWS_QUEUED, &open);
	tail_done(&open.tail);
	ASSERT_OK(flush(&f));

	/* The newest three of a's rows, the unfinished one among them. */
	record_prune(&f.rec, rules_of("a", 3, 0), 1);
	query(&f, &(struct ledger_filter){ .job = "a" }, &a);
	ASSERT_EQ(a.n, 3);
	ASSERT_EQ(a.rows[0].id, 8);
	ASSERT_EQ(a.rows[1].id, 5);
	ASSERT_EQ(a.rows[2].id, 4);
	query(&f, &(struct ledger_filter){ .job = "b" }, &a);
	ASSERT_EQ(a.n, 2);
	/* Every job, by age: what ended over 30 minutes before now. */
	record_prune(&f.rec, rules_of(NULL, 0, 1800 * SEC), 1);
	answer_free(&a);
	record_stop(&f);

	ASSERT_EQ(on_disk(&f, "b", ids, NROWS), 1);
	ASSERT_EQ(ids[0], 7);
	ASSERT_EQ(on_disk(&f, "a", ids, NROWS), 1);
	ASSERT_EQ(ids[0], 8);
	fixture_done(&f);
}

struct states_answer {
	bool done;
	size_t n;
	struct ledger_job_state s[3];
};

static void
states_cb(void *ctx, struct ledger_job_state *states, size_t n)
{
	struct states_answer *a = ctx;
	size_t i;

	ASSERT(n <= 3);
	a->done = true;
	a->n = n;
	for (i = 0; i < n; i++) {
		a->s[i] = states[i];
		states[i].job = NULL;	/* kept */
	}
}

TEST(states_give_each_jobs_last_state)
{
	struct fixture f;
	struct states_answer a = { 0 };
	size_t i;

	fixture_init(&f, "state");
	record_start(&f);
	record_job_state(&f.rec, "a", T0, 0, 1);
	record_job_state(&f.rec, "b", T0 + SEC, USEC_INFINITY, 0);
	record_job_state(&f.rec, "a", T0 + 2 * SEC, T0 + 9 * SEC, 3);
	ASSERT_OK(flush(&f));
	record_load_states(&f.rec, names("a", "b", "c"), states_cb,
	    &a);
	RUN_UNTIL(&f, a.done);
	ASSERT_EQ(a.n, 3);
	ASSERT_STREQ(a.s[0].job, "a");
	ASSERT_EQ(a.s[0].last_slot, T0 + 2 * SEC);
	ASSERT_EQ(a.s[0].paused_until, T0 + 9 * SEC);
	ASSERT_EQ(a.s[0].skips_pending, 3);
	ASSERT_STREQ(a.s[1].job, "b");
	ASSERT_EQ(a.s[1].paused_until, USEC_INFINITY);
	ASSERT_NULL(a.s[2].job);	/* none on record */
	for (i = 0; i < a.n; i++)
		ledger_job_state_free_contents(&a.s[i]);
	record_stop(&f);
	fixture_done(&f);
}

struct stats_answer {
	bool done;
	int r;
	size_t n;
	char job[8];
	uint64_t success, failed, last_run;
};

static void
stats_cb(void *ctx, int r, const struct ledger_job_stats *v, size_t n)
{
	struct stats_answer *a = ctx;

	a->done = true;
	a->r = r;
	a->n = n;
	if (n == 0)
		return;
	snprintf(a->job, sizeof(a->job), "%s", v[0].job);
	a->success = v[0].counts[ledger_result_index("success")];
	a->failed = v[0].counts[ledger_result_index("failed")];
	a->last_run = v[0].last_run;
}

TEST(stats_count_what_the_hub_published)
{
	struct fixture f;
	struct stats_answer a = { 0 };

	fixture_init(&f, "state");
	record_start(&f);
	run_whole(&f, 1, "a", T0, RESULT_SUCCESS);
	run_whole(&f, 2, "a", T0 + SEC, RESULT_FAILED);
	run_whole(&f, 3, "a", T0 + 2 * SEC, RESULT_SUCCESS);
	record_load_stats(&f.rec, stats_cb, &a);
	RUN_UNTIL(&f, a.done);
	ASSERT_OK(a.r);
	ASSERT_EQ(a.n, 1);
	ASSERT_STREQ(a.job, "a");
	ASSERT_EQ(a.success, 2);
	ASSERT_EQ(a.failed, 1);
	ASSERT_EQ(a.last_run, 3);
	record_stop(&f);
	a = (struct stats_answer){ 0 };
	record_load_stats(&f.rec, stats_cb, &a);
	ASSERT(a.done);
	ASSERT_EQ(a.r, -ENOTCONN);
	fixture_done(&f);
}

static struct ledger_meta
meta_on_disk(struct fixture *f)
{
	struct ledger_meta meta = { 0 };
	struct ledger *l = NULL;
	char *cause = NULL;

	ASSERT_OK(ledger_open(f->state_dir, false, &l, &cause));
	ASSERT_OK(ledger_meta_get(l, &meta, &cause));
	ledger_close(l);
	return meta;
}

TEST(run_ids_are_reserved_and_continue_after_a_reopen)
{
	struct fixture f;
	struct ledger_meta meta;
	uint64_t id, block = RECORD_ID_BLOCK + 2;	/* two jobs */

	fixture_init(&f, "state");
	record_start(&f);
	ASSERT(f.rec.boot_first);	/* no boot id on record yet */
	ASSERT_EQ(record_next_run_id(&f.rec), 1);
	/* Reserved before it was handed out: a daemon killed now would be
	 * followed by one that starts above the block. */
	meta = meta_on_disk(&f);
	ASSERT_EQ(meta.reserved, block);
	ASSERT_STREQ(record_instance_env(&f.rec) + strlen("JOBD_INSTANCE="),
	    meta.instance);
	ledger_meta_free_contents(&meta);
	/* Half the block used: the next block is reserved. */
	while ((id = record_next_run_id(&f.rec)) < block / 2)
		ASSERT_EQ(f.rec.id_reserving, 0);
	ASSERT_EQ(record_next_run_id(&f.rec), ++id);
	ASSERT_EQ(f.rec.id_reserving, 2 * block);
	RUN_UNTIL(&f, f.rec.id_reserved == 2 * block);
	record_stop(&f);
	/* A clean stop frees what was not handed out. */
	meta = meta_on_disk(&f);
	ASSERT_EQ(meta.reserved, id);
	ledger_meta_free_contents(&meta);

	record_start(&f);
	ASSERT(!f.rec.boot_first);
	ASSERT_EQ(record_next_run_id(&f.rec), id + 1);
	record_stop(&f);
	fixture_done(&f);
}

TEST(an_unfinished_row_is_lost_at_the_next_open)
{
	struct fixture f;
	struct answer a = { 0 };
	struct run r;

	fixture_init(&f, "state");
	record_start(&f);
	run_make(&r, 1, "a", T0);
	run_hub_publish(&f.runs.hub, RUN_NEWS_QUEUED, &r);
	run_publish_start(&f, &r, 0);
	tail_done(&r.tail);
	record_stop(&f);		/* written at close, unfinished */

	ASSERT_EQ(f.nlost, 0);
	record_start(&f);
	get(&f, 1, &a);
	ASSERT_OK(a.r);
	ASSERT_STREQ(a.rows[0].result, "lost");
	ASSERT_STREQ(a.rows[0].reason,
	    "jobd stopped while the run was in flight");
	answer_free(&a);
	/* The owner heard of it, with what an alert of it needs. */
	ASSERT_EQ(f.nlost, 1);
	ASSERT_EQ(f.lost_id, 1);
	ASSERT_STREQ(f.lost_job, "a");
	ASSERT_STREQ(f.lost_trigger, "schedule");
	ASSERT_EQ(f.lost_slot, T0);
	record_stop(&f);
	/* Once only: the next open finds nothing unfinished. */
	record_start(&f);
	ASSERT_EQ(f.nlost, 1);
	record_stop(&f);
	fixture_done(&f);
}

struct alerts_answer {
	bool done;
	int r;
	size_t n;
	char job[16];
	bool failing, overdue;
	usec_t since, overdue_since;
};

static void
alert_states_cb(void *ctx, int r, const struct ledger_alert_state *v,
    size_t n)
{
	struct alerts_answer *a = ctx;

	a->done = true;
	a->r = r;
	a->n = n;
	if (n == 0)
		return;
	snprintf(a->job, sizeof(a->job), "%s", v[n - 1].job);
	a->failing = v[n - 1].failing;
	a->overdue = v[n - 1].overdue;
	a->since = v[n - 1].since;
	a->overdue_since = v[n - 1].overdue_since;
}

static void
events_cb(void *ctx, int r, const struct ledger_event *v, size_t n)
{
	struct alerts_answer *a = ctx;

	a->done = true;
	a->r = r;
	a->n = n;
	if (n > 0) {
		snprintf(a->job, sizeof(a->job), "%s", v[0].name);
		a->since = v[0].set;
	}
}

/* Alert states and events go with the rows and are read back after a
 * reopen; a read queued after a write sees it. */
TEST(alert_states_and_events_are_kept_and_read_back)
{
	struct ledger_alert_state st = { .job = (char *)"b", .failing = true,
	    .since = T0 };
	struct alerts_answer a = { 0 };
	struct fixture f;

	fixture_init(&f, "state");
	record_start(&f);
	record_alert_state(&f.rec, &st);
	st.job = (char *)"c";
	st.failing = false;
	st.overdue = true;
	st.overdue_since = T0 + SEC;
	record_alert_state(&f.rec, &st);
	record_event(&f.rec, "go", true, T0 + 2 * SEC);
	record_event(&f.rec, "stop", true, T0 + 3 * SEC);
	record_event(&f.rec, "go", false, 0);
	/* Not flushed: the read waits behind the rows. */
	record_load_alert_states(&f.rec, alert_states_cb, &a);
	RUN_UNTIL(&f, a.done);
	ASSERT_OK(a.r);
	ASSERT_EQ(a.n, 2);
	record_stop(&f);

	record_start(&f);
	a = (struct alerts_answer){ 0 };
	record_load_alert_states(&f.rec, alert_states_cb, &a);
	RUN_UNTIL(&f, a.done);
	ASSERT_EQ(a.n, 2);
	ASSERT_STREQ(a.job, "c");
	ASSERT(!a.failing && a.overdue);
	ASSERT_EQ(a.since, T0);
	ASSERT_EQ(a.overdue_since, T0 + SEC);
	a = (struct alerts_answer){ 0 };
	record_load_events(&f.rec, events_cb, &a);
	RUN_UNTIL(&f, a.done);
	ASSERT_OK(a.r);
	ASSERT_EQ(a.n, 1);
	ASSERT_STREQ(a.job, "stop");
	ASSERT_EQ(a.since, T0 + 3 * SEC);
	record_stop(&f);
	/* Closed: both answer at once, not connected. */
	a = (struct alerts_answer){ 0 };
	record_load_events(&f.rec, events_cb, &a);
	ASSERT(a.done);
	ASSERT_EQ(a.r, -ENOTCONN);
	a = (struct alerts_answer){ 0 };
	record_load_alert_states(&f.rec, alert_states_cb, &a);
	ASSERT(a.done);
	ASSERT_EQ(a.r, -ENOTCONN);
	fixture_done(&f);
}

TEST(a_write_waits_while_one_is_in_flight_then_goes_in_one_batch)
{
	struct fixture f;
	unsigned long long before;
	uint64_t i;

	fixture_init(&f, "state");
	record_start(&f);
	before = f.rec.lane.completed;
	run_whole(&f, 1, "a", T0, RESULT_SUCCESS);
	/* The first row went to the thread at once; the rest wait. */
	ASSERT(f.rec.busy);
	ASSERT_EQ(f.rec.nqueue, 2);
	for (i = 2; i <= 20; i++)
		run_whole(&f, i, "a", T0 + i * SEC, RESULT_SUCCESS);
	ASSERT_EQ(f.rec.nqueue, 59);
	ASSERT_EQ(record_pending_runs(&f.rec), 20);
	ASSERT_OK(flush(&f));
	ASSERT_EQ(f.calls_at_flush - before, 2);
	ASSERT_EQ(f.rec.written, 60);
	ASSERT_EQ(f.rec.nqueue, 0);
	record_stop(&f);
	fixture_done(&f);
}

TEST(a_flush_goes_ahead_of_queued_questions)
{
	struct fixture f;
	struct answer a = { 0 };
	unsigned long long before;

	fixture_init(&f, "state");
	record_start(&f);
	before = f.rec.lane.completed;
	run_whole(&f, 1, "a", T0, RESULT_SUCCESS);
	/* Queued behind the write in flight: the rows before it, then it. */
	record_query(&f.rec, &(struct ledger_filter){ 0 }, answer_cb, &a);
	run_whole(&f, 2, "a", T0, RESULT_SUCCESS);
	/* A client waits for run 2: every queued row, in one write, goes
	 * ahead of the question. */
	f.watch = &a;
	ASSERT_OK(flush(&f));
	ASSERT(!f.watch_done_at_flush);
	ASSERT_EQ(f.calls_at_flush - before, 2);
	RUN_UNTIL(&f, a.done);
	ASSERT_EQ(a.n, 2);
	answer_free(&a);
	record_stop(&f);
	fixture_done(&f);
}

/* Makes the open ledger read-only, or writable again, between calls. */
static void
fault(struct fixture *f, enum ledger_fault what)
{
	char *cause = NULL;

	ASSERT(!f->rec.busy);
	ASSERT_OK(ledger_inject_fault(f->rec.ledger, what, &cause));
}

TEST(a_failing_write_keeps_the_rows_and_retries)
{
	struct fixture f;
	struct answer a = { 0 };

	fixture_init(&f, "state");
	record_start(&f);
	fault(&f, LEDGER_FAULT_READONLY);
	run_whole(&f, 1, "a", T0, RESULT_SUCCESS);
	RUN_UNTIL(&f, f.rec.error && !f.rec.busy);
	ASSERT_EQ(f.rec.error, -EROFS);
	/* A client waiting for its run's row hears of it at once. */
	ASSERT_EQ(flush(&f), -EROFS);
	ASSERT_NOT_NULL(f.rec.error_text);
	ASSERT_EQ(record_pending_runs(&f.rec), 1);
	ASSERT_EQ(f.rec.nqueue, 3);	/* put back, in order */
	ASSERT_EQ(f.rec.queue[0].type, LEDGER_OP_START);
	ASSERT_EQ(f.rec.queue[0].run.started, 0);
	ASSERT_EQ(f.rec.queue[2].type, LEDGER_OP_COMPLETE);
	/* Runs go on meanwhile; a second attempt fails too. */
	run_whole(&f, 2, "a", T0 + SEC, RESULT_FAILED);
	RUN_UNTIL(&f, f.rec.retry_delay == 2 * SEC);
	ASSERT_EQ(f.rec.nqueue, 6);
	ASSERT_EQ(f.rec.dropped, 0);
	fault(&f, LEDGER_FAULT_NONE);
	RUN_UNTIL(&f, f.rec.nqueue == 0 && !f.rec.busy && !f.rec.error);
	ASSERT_NULL(f.rec.error_text);
	ASSERT_EQ(f.rec.written, 6);
	query(&f, &(struct ledger_filter){ 0 }, &a);
	ASSERT_EQ(a.n, 2);
	ASSERT_STREQ(a.rows[0].result, "failed");
	ASSERT_STREQ(a.rows[1].result, "success");
	answer_free(&a);
	record_stop(&f);
	fixture_done(&f);
}

static void
flush_nowait_cb(void *ctx, int r)
{
	int *got = ctx;

	*got = r;
}

/* A client's flush while a failing write is in flight: its rows must not
 * overtake those of the failed write (two states of one job: the newer
 * one stays on record), and the client hears of the failure. */
TEST(a_flush_during_a_failing_write_keeps_the_order)
{
	struct fixture f;
	struct states_answer a = { 0 };
	int got = 1;

	fixture_init(&f, "state");
	record_start(&f);
	fault(&f, LEDGER_FAULT_READONLY);
	record_job_state(&f.rec, "a", T0, 0, 1);
	ASSERT(f.rec.busy);		/* in flight, about to fail */
	record_job_state(&f.rec, "a", T0 + 5 * SEC, 0, 2);
	record_flush(&f.rec, flush_nowait_cb, &got);
	RUN_UNTIL(&f, got != 1);
	ASSERT_EQ(got, -EROFS);
	RUN_UNTIL(&f, f.rec.error && !f.rec.busy);
	ASSERT_EQ(f.rec.nqueue, 2);
	ASSERT_EQ(f.rec.queue[0].state.last_slot, T0);
	ASSERT_EQ(f.rec.queue[1].state.last_slot, T0 + 5 * SEC);
	fault(&f, LEDGER_FAULT_NONE);
	RUN_UNTIL(&f, f.rec.nqueue == 0 && !f.rec.busy && !f.rec.error);
	record_load_states(&f.rec, names("a", NULL, NULL), states_cb, &a);
	RUN_UNTIL(&f, a.done);
	ASSERT_EQ(a.n, 1);
	ASSERT_EQ(a.s[0].last_slot, T0 + 5 * SEC);
	ASSERT_EQ(a.s[0].skips_pending, 2);
	ledger_job_state_free_contents(&a.s[0]);
	record_stop(&f);
	fixture_done(&f);
}

TEST(the_queue_is_bounded_dropping_the_oldest)
{
	struct fixture f;
	struct answer a = { 0 };
	uint64_t i, n = RECORD_QUEUE_MAX + 5;

	fixture_init(&f, "state");
	record_start(&f);
	fault(&f, LEDGER_FAULT_READONLY);
	for (i = 1; i <= n; i++)
		record_run_skipped(&f.rec, i, "a", "schedule", T0, "test");
	/* One row in flight, and the queue at its bound. */
	ASSERT_EQ(f.rec.nqueue, RECORD_QUEUE_MAX);
	ASSERT_EQ(f.rec.dropped, 4);
	RUN_UNTIL(&f, !f.rec.busy);
	/* The row that failed came back, over the bound: dropped. */
	ASSERT_EQ(f.rec.nqueue, RECORD_QUEUE_MAX);
	ASSERT_EQ(f.rec.dropped, 5);
	ASSERT_EQ(f.rec.queue[0].run.id, 6);
	fault(&f, LEDGER_FAULT_NONE);
	RUN_UNTIL(&f, f.rec.nqueue == 0 && !f.rec.busy && !f.rec.error);
	ASSERT_EQ(f.rec.written, RECORD_QUEUE_MAX);
	get(&f, 5, &a);
	ASSERT_EQ(a.r, -ENOENT);
	get(&f, 6, &a);
	ASSERT_OK(a.r);
	ASSERT_STREQ(a.rows[0].result, "skipped");
	get(&f, n, &a);
	ASSERT_OK(a.r);
	answer_free(&a);
	record_stop(&f);
	fixture_done(&f);
}

/* A hook past the chain's bound: a skipped row with its chain. */
TEST(a_hook_not_started_is_a_skipped_row)
{
	struct run_chain c = { .hook_of = 8, .hook_of_job = "b", .first = 2,
	    .first_job = "a", .depth = 17 };
	struct fixture f;
	struct answer a = { 0 };

	fixture_init(&f, "state");
	record_start(&f);
	record_hook_skipped(&f.rec, 9, "c", &c, "too deep");
	ASSERT_OK(flush(&f));
	get(&f, 9, &a);
	ASSERT_OK(a.r);
	ASSERT_STREQ(a.rows[0].result, "skipped");
	ASSERT_STREQ(a.rows[0].trigger, "dependency");
	ASSERT_STREQ(a.rows[0].reason, "too deep");
	ASSERT_EQ(a.rows[0].hook_of, 8);
	ASSERT_STREQ(a.rows[0].chain_first_job, "a");
	ASSERT_EQ(a.rows[0].chain_depth, 17);
	answer_free(&a);
	record_stop(&f);
	fixture_done(&f);
}

TEST(an_unopenable_ledger_is_retried_and_nothing_is_lost)
{
	struct fixture f;
	struct answer a = { 0 };
	char *blocker;
	uint64_t floor_before, id;

	fixture_init(&f, "file/state");
	/* A file where the state directory's parent should be. */
	blocker = xstrfmt("%s/file", f.dir);
	fclose(fopen(blocker, "w"));
	floor_before = now_realtime() / SEC * 1000;
	record_begin(&f);
	RUN_UNTIL(&f, f.opened);
	ASSERT_EQ(f.open_r, -ENOTDIR);
	ASSERT_NULL(f.rec.ledger);
	ASSERT_NOT_NULL(strstr(f.rec.error_text, "cannot create state"));
	/* Ids from the clock's floor: above any a reserving daemon used. */
	id = record_next_run_id(&f.rec);
	ASSERT(id > floor_before);
	run_whole(&f, id, "a", T0, RESULT_SUCCESS);
	ASSERT_EQ(record_pending_runs(&f.rec), 1);
	ASSERT_EQ(flush(&f), -ENOTCONN);

	ASSERT_OK(unlink(blocker));
	RUN_UNTIL(&f, f.rec.ledger != NULL);
	ASSERT_OK(f.rec.error);
	ASSERT_EQ(record_next_run_id(&f.rec), id + 1);
	get(&f, id, &a);
	ASSERT_OK(a.r);
	ASSERT_STREQ(a.rows[0].result, "success");
	answer_free(&a);
	record_stop(&f);
	free(blocker);
	fixture_done(&f);
}

TEST(a_closed_record_answers_not_connected)
{
	struct fixture f;
	struct answer a = { 0 };
	struct states_answer s = { 0 };

	fixture_init(&f, "state");
	record_start(&f);
	record_close(&f.rec);
	query(&f, &(struct ledger_filter){ 0 }, &a);
	ASSERT_EQ(a.r, -ENOTCONN);
	record_load_states(&f.rec, names("a", NULL, NULL), states_cb, &s);
	ASSERT(s.done);
	ASSERT_EQ(s.n, 0);
	ASSERT_EQ(flush(&f), -ENOTCONN);
	run_whole(&f, 1, "a", T0, RESULT_SUCCESS);
	ASSERT_EQ(f.rec.nqueue, 0);	/* closing: no more rows */
	RUN_UNTIL(&f, record_idle(&f.rec));
	record_free(&f.rec);
	fixture_done(&f);
}

static const struct test tests[] = {
	TEST_ENTRY(a_runs_rows_land_as_it_goes),
	TEST_ENTRY(query_answers_newest_first_with_the_rows_queued_before),
	TEST_ENTRY(prune_keeps_the_newest_and_never_an_unfinished_row),
	TEST_ENTRY(states_give_each_jobs_last_state),
	TEST_ENTRY(stats_count_what_the_hub_published),
	TEST_ENTRY(run_ids_are_reserved_and_continue_after_a_reopen),
	TEST_ENTRY(an_unfinished_row_is_lost_at_the_next_open),
	TEST_ENTRY(alert_states_and_events_are_kept_and_read_back),
	TEST_ENTRY(a_write_waits_while_one_is_in_flight_then_goes_in_one_batch),
	TEST_ENTRY(a_flush_goes_ahead_of_queued_questions),
	TEST_ENTRY(a_failing_write_keeps_the_rows_and_retries),
	TEST_ENTRY(a_flush_during_a_failing_write_keeps_the_order),
	TEST_ENTRY_TIMEOUT(the_queue_is_bounded_dropping_the_oldest, 60),
	TEST_ENTRY(a_hook_not_started_is_a_skipped_row),
	TEST_ENTRY_TIMEOUT(an_unopenable_ledger_is_retried_and_nothing_is_lost,
	    20),
	TEST_ENTRY(a_closed_record_answers_not_connected),
};

TEST_MAIN(tests)
