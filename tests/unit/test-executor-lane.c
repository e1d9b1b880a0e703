/* Unit tests for the executor lane: work runs on the lane's own thread,
 * in submit order, done on the loop, and nothing is left when it stops;
 * a lane answers while every thread of libuv's pool is held. */
#include <pthread.h>
#include <unistd.h>

#include <uv.h>

#include "executor.h"
#include "runner.h"

#define N 200

struct lane_fixture {
	uv_loop_t loop;
	struct executor pool;
	struct executor_lane lane;
	pthread_t loop_thread;
	unsigned order[N], nworked;	/* written by the lane's thread */
	unsigned done[N], ndone;
	bool off_loop[N];
};

struct lane_item {
	struct lane_fixture *f;
	unsigned i;
};

static struct lane_item items[N];

static void
lane_work(void *data)
{
	struct lane_item *it = data;
	struct lane_fixture *f = it->f;

	f->off_loop[it->i] = !pthread_equal(pthread_self(), f->loop_thread);
	f->order[f->nworked++] = it->i;
}

static void
lane_done(void *data, int status)
{
	struct lane_item *it = data;

	ASSERT_OK(status);
	it->f->done[it->f->ndone++] = it->i;
	if (it->f->ndone == N)
		executor_lane_stop(&it->f->lane);
}

TEST(runs_in_order_on_its_thread)
{
	static struct lane_fixture f;
	unsigned i;

	ASSERT_OK(uv_loop_init(&f.loop));
	f.loop_thread = pthread_self();
	executor_init(&f.pool, &f.loop);
	ASSERT(executor_lane_start(&f.lane, &f.loop, &f.pool));
	for (i = 0; i < N; i++) {
		items[i] = (struct lane_item){ &f, i };
		executor_lane_submit(&f.lane, lane_work, lane_done, &items[i]);
	}
	ASSERT_EQ(f.lane.queued, N);
	ASSERT_OK(uv_run(&f.loop, UV_RUN_DEFAULT));
	ASSERT_EQ(f.ndone, N);
	ASSERT_EQ(f.lane.completed, N);
	ASSERT_EQ(f.lane.queued, 0);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(f.order[i], i);
		ASSERT_EQ(f.done[i], i);
		ASSERT(f.off_loop[i]);
	}
	ASSERT_OK(uv_loop_close(&f.loop));
}

/* Holds a pool thread until the pipe is written. */
static int hold[2];

static void
pool_block(void *data)
{
	char c;

	(void)data;
	(void)!read(hold[0], &c, 1);
}

static void
pool_done(void *data, int status)
{
	(void)data;
	(void)status;
}

static unsigned lane_answers;

static void
lane_answer_done(void *data, int status)
{
	struct lane_fixture *f = data;

	(void)status;
	lane_answers++;
	/* Answered while the pool is still held: let it go. */
	ASSERT_EQ(f->pool.queued, 8);
	ASSERT_EQ(write(hold[1], "xxxxxxxx", 8), 8);
	executor_lane_stop(&f->lane);
}

static void
nothing(void *data)
{
	(void)data;
}

TEST(answers_while_the_pool_is_held)
{
	static struct lane_fixture f;
	int i;

	ASSERT_OK(pipe(hold));
	ASSERT_OK(uv_loop_init(&f.loop));
	executor_init(&f.pool, &f.loop);
	ASSERT(executor_lane_start(&f.lane, &f.loop, &f.pool));
	/* libuv's pool has 4 threads unless UV_THREADPOOL_SIZE says more. */
	for (i = 0; i < 8; i++)
		executor_submit(&f.pool, pool_block, pool_done, NULL);
	executor_lane_submit(&f.lane, nothing, lane_answer_done, &f);
	ASSERT_OK(uv_run(&f.loop, UV_RUN_DEFAULT));
	ASSERT_EQ(lane_answers, 1);
	ASSERT_EQ(f.pool.queued, 0);
	ASSERT_OK(uv_loop_close(&f.loop));
}

static const struct test tests[] = {
	TEST_ENTRY(runs_in_order_on_its_thread),
	TEST_ENTRY(answers_while_the_pool_is_held),
};

TEST_MAIN(tests)
