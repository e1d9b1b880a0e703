/* Loop-driven tests of a run's state machine, with real children (the test
 * child program) on a private loop: exit codes, signals, timeout, cancel
 * with SIGKILL escalation, exit and EOF in either order, the drain
 * deadline, spawn failures, and line splitting.  Each test ends with
 * uv_loop_close() == 0, so a leaked handle fails it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <uv.h>

#include "cgroup.h"
#include "config.h"
#include "escape.h"
#include "executor.h"
#include "heap.h"
#include "job.h"
#include "run-ctx.h"
#include "run.h"
#include "run-fixture.h"
#include "runner.h"
#include "exec-context.h"
#include "spawn-thread.h"
#include "strv.h"
#include "units.h"
#include "xmalloc.h"

/* One job "t" on the daemon-free setting of run-fixture.h. */
struct fixture {
	struct run_fixture rf;
	struct job *job;
};

static void
fixture_init(struct fixture *f, const char *keys, const char *jobd_keys)
{
	char *text;

	*f = (struct fixture){ 0 };
	text = xstrfmt("[jobd]\n%s\n[job t]\n%s\n", jobd_keys ? jobd_keys : "",
	    keys);
	run_fixture_init(&f->rf, text, NULL, NULL);
	free(text);
	f->job = job_new(&f->rf.runs, TAILQ_FIRST(&f->rf.config->jobs));
	units_add(&f->rf.units, f->job);
}

/* Runs one run to its end and returns it (kept in the job's history). */
static struct run *
fixture_run(struct fixture *f)
{
	struct run *r = job_trigger(f->job, TRIGGER_MANUAL);

	uv_run(&f->rf.loop, UV_RUN_DEFAULT);
	ASSERT_EQ(r->state, RUN_FINISHED);
	ASSERT_EQ(r->open_handles, 0);
	return r;
}

static void
fixture_done(struct fixture *f)
{
	run_fixture_done(&f->rf);
}

static char *
cmd(const char *args)
{
	return xstrfmt("command=%s %s\noutput=null", test_child(), args);
}

static char *
cmd_out(const char *args)
{
	/* output=journal: no journald here is fine, lines reach the tail. */
	return xstrfmt("command=%s %s", test_child(), args);
}

TEST(exit_code_is_recorded)
{
	struct fixture f;
	char *k = cmd("exit 3");
	struct run *r;

	fixture_init(&f, k, NULL);
	r = fixture_run(&f);
	ASSERT_EQ(r->result, RESULT_FAILED);
	ASSERT(r->exited);
	ASSERT_EQ(r->exit_code, 3);
	ASSERT_EQ(run_exit_status(r), 3);
	ASSERT(r->pid > 0);
	ASSERT(r->ended >= r->started);
	fixture_done(&f);
	free(k);
}

TEST(success)
{
	struct fixture f;
	char *k = cmd("exit 0");
	struct run *r;

	fixture_init(&f, k, NULL);
	r = fixture_run(&f);
	ASSERT_EQ(r->result, RESULT_SUCCESS);
	fixture_done(&f);
	free(k);
}

TEST(signal_gives_128_plus_n)
{
	struct fixture f;
	char *k = cmd("kill-self KILL");
	struct run *r;

	fixture_init(&f, k, NULL);
	r = fixture_run(&f);
	ASSERT_EQ(r->result, RESULT_FAILED);
	ASSERT_EQ(r->signal, SIGKILL);
	ASSERT_EQ(run_exit_status(r), 128 + SIGKILL);
	fixture_done(&f);
	free(k);
}

TEST(timeout_stops_the_run)
{
	struct fixture f;
	char *k = xstrfmt("command=%s sleep 20\ntimeout=200ms\noutput=null",
	    test_child());
	struct run *r;
	usec_t t0 = now_monotonic();

	fixture_init(&f, k, NULL);
	r = fixture_run(&f);
	ASSERT_EQ(r->result, RESULT_TIMEOUT);
	ASSERT_EQ(r->signal, SIGTERM);
	ASSERT(now_monotonic() - t0 < 5 * USEC_PER_SEC);
	fixture_done(&f);
	free(k);
}

static void
cancel_cb(uv_timer_t *t)
{
	struct run *r = t->data;

	run_event(r, RUN_EV_CANCEL);
	uv_close((uv_handle_t *)t, NULL);
}

TEST(cancel_escalates_to_sigkill)
{
	struct fixture f;
	char *k = xstrfmt("command=%s ignore-term sleep 20\n"
	    "stop_timeout=300ms\noutput=null", test_child());
	uv_timer_t t;
	struct run *r;

	fixture_init(&f, k, NULL);
	r = job_trigger(f.job, TRIGGER_MANUAL);
	uv_timer_init(&f.rf.loop, &t);
	t.data = r;
	uv_timer_start(&t, cancel_cb, 200, 0);
	uv_run(&f.rf.loop, UV_RUN_DEFAULT);
	ASSERT_EQ(r->state, RUN_FINISHED);
	ASSERT_EQ(r->result, RESULT_CANCELLED);
	ASSERT_EQ(r->signal, SIGKILL);
	fixture_done(&f);
	free(k);
}

/* Cancelled while the spawn threads have its spawn: it is not finished
 * under the thread's feet; once it runs, it is stopped, and it ends
 * cancelled by the stop signal. */
TEST(cancel_while_spawning)
{
	struct fixture f;
	char *k = cmd("sleep 20");
	struct run *r;

	fixture_init(&f, k, NULL);
	ASSERT(spawn_thread_start(&f.rf.loop));
	r = job_trigger(f.job, TRIGGER_MANUAL);
	/* The answer is handed out by the loop, which has not run yet. */
	ASSERT(r->spawning);
	ASSERT_EQ(r->state, RUN_PENDING);
	run_event(r, RUN_EV_CANCEL);
	ASSERT_EQ(r->state, RUN_PENDING);
	uv_run(&f.rf.loop, UV_RUN_DEFAULT);
	ASSERT_EQ(r->state, RUN_FINISHED);
	ASSERT_EQ(r->result, RESULT_CANCELLED);
	ASSERT(r->pid > 0);
	ASSERT_EQ(r->signal, SIGTERM);
	spawn_thread_stop();
	uv_run(&f.rf.loop, UV_RUN_DEFAULT);
	fixture_done(&f);
	free(k);
}

/* A burst: the spawn threads take a few calls at a time, and the runs
 * beyond wait in the spawn queue (no pipe made yet) instead of the loop
 * waiting for the threads; a queued run cancelled ends without running;
 * the others all run once slots free up.  (14 runs: more than the
 * threads take at once, fewer than the job's history keeps.) */
TEST(burst_waits_in_the_spawn_queue)
{
	struct fixture f;
	char *k = cmd("exit 0");
	struct run *r[14];
	unsigned spawning = 0, queued = 0, i;

	fixture_init(&f, k, NULL);
	ASSERT(spawn_thread_start(&f.rf.loop));
	for (i = 0; i < 14; i++)
		r[i] = job_trigger(f.job, TRIGGER_MANUAL);
	for (i = 0; i < 14; i++) {
		spawning += r[i]->spawning;
		queued += r[i]->spawn_wait.queued;
		ASSERT(!(r[i]->spawning && r[i]->spawn_wait.queued));
	}
	ASSERT(spawning > 0 && spawning <= 8);
	ASSERT_EQ(spawning + queued, 14);
	ASSERT(r[13]->spawn_wait.queued);
	run_event(r[13], RUN_EV_CANCEL);
	ASSERT_EQ(r[13]->state, RUN_FINISHED);
	ASSERT_EQ(r[13]->result, RESULT_CANCELLED);
	ASSERT_EQ(r[13]->pid, 0);
	ASSERT(!r[13]->spawn_wait.queued);
	uv_run(&f.rf.loop, UV_RUN_DEFAULT);
	for (i = 0; i < 13; i++) {
		CASE("run %u", i);
		ASSERT_EQ(r[i]->state, RUN_FINISHED);
		ASSERT_EQ(r[i]->result, RESULT_SUCCESS);
	}
	ASSERT(TAILQ_EMPTY(&f.rf.runs.spawnq.waits));
	spawn_thread_stop();
	uv_run(&f.rf.loop, UV_RUN_DEFAULT);
	fixture_done(&f);
	free(k);
}

TEST(eof_before_exit)
{
	struct fixture f;
	char *k = cmd_out("print 2 a close-stdout sleep 0.3 exit 4");
	struct run *r;

	fixture_init(&f, k, NULL);
	r = fixture_run(&f);
	ASSERT_EQ(r->exit_code, 4);
	ASSERT_EQ(r->tail.nlines, 2);
	fixture_done(&f);
	free(k);
}

TEST(grandchild_holding_pipe_is_cut_at_drain_deadline)
{
	struct fixture f;
	char *k = cmd_out("print 1 x ignore-term grandchild 30 exit 0");
	struct run *r;
	usec_t t0 = now_monotonic();
	char pidfile[] = "/tmp/jobd-test-gc.XXXXXX";
	FILE *fp;
	int fd, pid = 0;

	/* The grandchild escapes the run's process group by design and
	 * ignores the stop signal it is sent for holding the pipe: only the
	 * drain deadline ends the run.  Kill it ourselves afterwards. */
	fd = mkstemp(pidfile);
	ASSERT(fd >= 0);
	close(fd);
	setenv("TEST_GRANDCHILD_PIDFILE", pidfile, 1);
	fixture_init(&f, k, "drain_timeout=500ms\n"
	    "pass_environment=TEST_GRANDCHILD_PIDFILE");
	r = fixture_run(&f);
	fp = fopen(pidfile, "r");
	ASSERT_NOT_NULL(fp);
	ASSERT_EQ(fscanf(fp, "%d", &pid), 1);
	fclose(fp);
	unlink(pidfile);
	ASSERT(pid > 0);
	kill(pid, SIGKILL);
	ASSERT_EQ(r->result, RESULT_SUCCESS);
	ASSERT(now_monotonic() - t0 < 10 * USEC_PER_SEC);
	ASSERT(now_monotonic() - t0 >= 400 * USEC_PER_MSEC);
	ASSERT_EQ(r->tail.nlines, 1);
	fixture_done(&f);
	free(k);
}

TEST(missing_program_fails_with_reason)
{
	struct fixture f;
	struct run *r;

	fixture_init(&f, "command=/nonexistent/program", NULL);
	r = fixture_run(&f);
	ASSERT_EQ(r->result, RESULT_FAILED);
	ASSERT(!r->exited);
	ASSERT_EQ(run_exit_status(r), -1);
	ASSERT_NOT_NULL(r->reason);
	ASSERT(strstr(r->reason, "exec:"));
	fixture_done(&f);
}

TEST(missing_user_fails_with_reason)
{
	struct fixture f;
	struct run *r;
	char *k = xstrfmt("command=%s exit 0\nuser=no-such-user-jobd",
	    test_child());

	fixture_init(&f, k, NULL);
	r = fixture_run(&f);
	ASSERT_EQ(r->result, RESULT_FAILED);
	ASSERT_STREQ(r->reason, "exec: no such user 'no-such-user-jobd'");
	fixture_done(&f);
	free(k);
}

TEST(long_lines_split_and_last_line_kept)
{
	struct fixture f;
	char *k = cmd_out("longline 20000 nonl tail-end");
	const struct tail_line *l;
	struct run *r;

	fixture_init(&f, k, NULL);
	r = fixture_run(&f);
	ASSERT_EQ(r->tail.nlines, 4);
	l = TAILQ_FIRST(&r->tail.lines);
	ASSERT_EQ(l->len, OUTPUT_LINE_MAX);
	l = TAILQ_NEXT(l, entry);
	ASSERT_EQ(l->len, OUTPUT_LINE_MAX);
	l = TAILQ_NEXT(l, entry);
	ASSERT_EQ(l->len, 20000 - 2 * OUTPUT_LINE_MAX);
	l = TAILQ_NEXT(l, entry);
	ASSERT_EQ(l->len, 8);
	ASSERT(!memcmp(l->data, "tail-end", 8));
	fixture_done(&f);
	free(k);
}

TEST(environment_has_run_identity)
{
	struct fixture f;
	char *k = cmd_out("env JOBD_JOB env JOBD_TRIGGER env FOO env "
	    "NOTIFY_SOCKET");
	const struct tail_line *l;
	struct run *r;

	setenv("NOTIFY_SOCKET", "/run/should-not-leak", 1);
	fixture_init(&f, k, NULL);
	free(k);
	/* environment= is applied after the daemon's own variables. */
	k = NULL;
	r = fixture_run(&f);
	l = TAILQ_FIRST(&r->tail.lines);
	ASSERT(!memcmp(l->data, "JOBD_JOB=t", l->len));
	l = TAILQ_NEXT(l, entry);
	ASSERT(!memcmp(l->data, "JOBD_TRIGGER=manual", l->len));
	l = TAILQ_NEXT(l, entry);
	ASSERT(!memcmp(l->data, "FOO unset", l->len));
	l = TAILQ_NEXT(l, entry);
	ASSERT(!memcmp(l->data, "NOTIFY_SOCKET unset", l->len));
	fixture_done(&f);
}

static const struct test tests[] = {
	TEST_ENTRY(exit_code_is_recorded),
	TEST_ENTRY(success),
	TEST_ENTRY(signal_gives_128_plus_n),
	TEST_ENTRY(timeout_stops_the_run),
	TEST_ENTRY(cancel_escalates_to_sigkill),
	TEST_ENTRY(cancel_while_spawning),
	TEST_ENTRY(burst_waits_in_the_spawn_queue),
	TEST_ENTRY(eof_before_exit),
	TEST_ENTRY(grandchild_holding_pipe_is_cut_at_drain_deadline),
	TEST_ENTRY(missing_program_fails_with_reason),
	TEST_ENTRY(missing_user_fails_with_reason),
	TEST_ENTRY(long_lines_split_and_last_line_kept),
	TEST_ENTRY(environment_has_run_identity),
};

TEST_MAIN(tests)
