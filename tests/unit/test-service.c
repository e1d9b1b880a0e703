/* Loop-driven tests of the service state machine with no daemon: a
 * service with its service_ctx and run_ctx on a private loop, a real
 * executor and notify socket, and real children (the test child).  Start
 * to ready (at the spawn, after ready_after=), a crash and the backoff,
 * the start limit, stop, restart, reset-failed, the watchdog, sd_notify
 * messages, start_timeout= and dependencies; the pure restart
 * computations too.  Each test ends with uv_loop_close() == 0. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "cgroup.h"
#include "config.h"
#include "escape.h"
#include "executor.h"
#include "heap.h"
#include "job.h"
#include "notify.h"
#include "run-ctx.h"
#include "run.h"
#include "run-fixture.h"
#include "runner.h"
#include "service-internal.h"
#include "exec-context.h"
#include "units.h"
#include "xmalloc.h"

#define MAX_SEEN 64

/* What a service needs, and nothing of a daemon. */
struct fixture {
	struct run_fixture rf;
	uv_timer_t tick;		/* each loop turn returns */
	struct notify notify;
	struct service_ctx svc;
	char dir[32];			/* the notify socket's */
	struct job *job;
	struct service *s;
	/* What the owner heard: each state entered, in order. */
	enum service_state seen[MAX_SEEN];
	unsigned nseen;
	/* What deps.c would answer. */
	const char *down;		/* a requires= unit down */
	const char *waiting;		/* an after= unit not up */
	unsigned pulls;
};

static void
fixture_freeing(void *owner, struct job *j)
{
	(void)owner;
	service_free(j->service);
	j->service = NULL;
}

static void
fixture_changed(void *owner, struct service *s)
{
	struct fixture *f = owner;

	if (f->nseen < MAX_SEEN)
		f->seen[f->nseen++] = s->state;
}

static const char *
fixture_required_down(void *owner, const struct job_config *jc)
{
	(void)jc;
	return ((struct fixture *)owner)->down;
}

static const char *
fixture_waiting_for(void *owner, const struct job_config *jc)
{
	(void)jc;
	return ((struct fixture *)owner)->waiting;
}

static void
fixture_pull(void *owner, const struct job_config *jc)
{
	(void)jc;
	((struct fixture *)owner)->pulls++;
}

static void
tick_cb(uv_timer_t *t)
{
	(void)t;
}

/* One service "t" from the given keys, stopped. */
static void
fixture_init(struct fixture *f, const char *keys)
{
	char *path, *text;

	*f = (struct fixture){ .notify = { .fd = -1 } };
	text = xstrfmt("[jobd]\n[service t]\n%s\n", keys);
	run_fixture_init(&f->rf, text, NULL, fixture_freeing);
	free(text);
	f->svc = (struct service_ctx){ .notify = &f->notify,
	    .units = &f->rf.units, .changed = fixture_changed,
	    .required_down = fixture_required_down,
	    .waiting_for = fixture_waiting_for, .pull = fixture_pull,
	    .owner = f };
	strcpy(f->dir, "/tmp/jobd-test-svc.XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(f->dir));
	path = xstrfmt("%s/notify", f->dir);
	ASSERT_OK(notify_open(&f->notify, &f->rf.loop, path, service_notify,
	    &f->svc));
	f->rf.runs.notify_socket = f->notify.path;
	free(path);
	uv_timer_init(&f->rf.loop, &f->tick);
	uv_timer_start(&f->tick, tick_cb, 10, 10);
	f->job = job_new(&f->rf.runs, TAILQ_FIRST(&f->rf.config->jobs));
	units_add(&f->rf.units, f->job);
	f->s = f->job->service = service_new(f->job, &f->svc);
}

/* Runs the loop until cond holds; fails the test after ms. */
#define RUN_UNTIL(f, cond, ms) do {					\
	usec_t _end = now_monotonic() + (usec_t)(ms) * USEC_PER_MSEC;	\
									\
	while (!(cond) && now_monotonic() < _end)			\
		uv_run(&(f)->rf.loop, UV_RUN_ONCE);		\
	if (!(cond))							\
		test_fail(__FILE__, __LINE__, "not within %d ms: %s",	\
		    (int)(ms), #cond);					\
} while (0)

/* Stops what still runs, frees the service with its job, and closes
 * every handle: a leaked one fails uv_loop_close(). */
static void
fixture_done(struct fixture *f)
{
	service_stop(f->s, NULL);
	RUN_UNTIL(f, !f->s->run && f->rf.units.nruns_open == 0, 10000);
	notify_close(&f->notify);
	rmdir(f->dir);
	uv_close((uv_handle_t *)&f->tick, NULL);
	run_fixture_done(&f->rf);
}

static char *
keys(const char *args, const char *more)
{
	return xstrfmt("command=%s %s\noutput=null\n%s", test_child(), args, more);
}

/* Whether the owner heard state st entered, and where (-1: not). */
static int
seen_at(const struct fixture *f, enum service_state st, unsigned from)
{
	unsigned i;

	for (i = from; i < f->nseen; i++)
		if (f->seen[i] == st)
			return (int)i;
	return -1;
}

static void
notify_msg(struct fixture *f, const char *text)
{
	char *copy = xstrdup(text);
	struct notify_msg m = { 0 };

	notify_parse(copy, &m);
	m.pid = f->s->run->pid;
	m.uid = getuid();
	ASSERT(service_notify(&f->svc, &m));
	free(copy);
}

TEST(ready_at_the_spawn_with_ready_after_0)
{
	struct fixture f;
	char *k = keys("sleep 30", "ready_after=0");

	fixture_init(&f, k);
	ASSERT_EQ(f.s->state, SVC_STOPPED);
	service_start(f.s, TRIGGER_MANUAL);
	ASSERT_EQ(f.pulls, 1);
	ASSERT_NOT_NULL(f.s->run);
	RUN_UNTIL(&f, f.s->state == SVC_READY, 5000);
	ASSERT_EQ(f.s->main_pid, f.s->run->pid);
	ASSERT(f.s->ready_at > 0);
	ASSERT_EQ(f.nseen, 2);
	ASSERT_EQ(f.seen[0], SVC_STARTING);
	ASSERT_EQ(f.seen[1], SVC_READY);
	ASSERT(service_is_up(f.s));
	ASSERT(service_is_active(f.s));
	fixture_done(&f);
	free(k);
}

TEST(ready_after_counts_from_the_spawn)
{
	struct fixture f;
	char *k = keys("sleep 30", "ready_after=300ms");
	usec_t t0;

	fixture_init(&f, k);
	t0 = now_monotonic();
	service_start(f.s, TRIGGER_MANUAL);
	RUN_UNTIL(&f, f.s->main_pid > 0, 5000);
	ASSERT_EQ(f.s->state, SVC_STARTING);
	RUN_UNTIL(&f, f.s->state == SVC_READY, 5000);
	ASSERT(now_monotonic() - t0 >= 290 * USEC_PER_MSEC);
	ASSERT_EQ(f.s->restarts, 0);
	fixture_done(&f);
	free(k);
}

/* A ready service killed: restart= on-failure, after restart_sec=, then
 * twice that for the second failure in a row, each ready again. */
TEST(crash_restarts_after_a_growing_backoff)
{
	struct fixture f;
	char *k = keys("sleep 30", "ready_after=0\nrestart_sec=200ms\n"
	    "restart_max_sec=10s");
	usec_t left;
	pid_t pid;

	fixture_init(&f, k);
	service_start(f.s, TRIGGER_MANUAL);
	RUN_UNTIL(&f, f.s->state == SVC_READY, 5000);
	pid = f.s->main_pid;
	ASSERT_OK(kill(pid, SIGKILL));
	RUN_UNTIL(&f, f.s->state == SVC_BACKOFF, 5000);
	left = f.s->next_restart - now_realtime();
	ASSERT(left > 100 * USEC_PER_MSEC && left <= 220 * USEC_PER_MSEC);
	ASSERT_EQ(f.s->restarts, 1);
	ASSERT_EQ(f.s->failures, 1);
	ASSERT_EQ(f.s->last_exit_status, 128 + SIGKILL);
	ASSERT_STREQ(f.s->last_result, "failed");
	ASSERT_NULL(f.s->run);
	ASSERT_NULL(f.s->reason);	/* not a failed start */
	RUN_UNTIL(&f, f.s->state == SVC_READY, 5000);
	ASSERT(f.s->main_pid != pid);
	ASSERT_EQ(f.s->next_restart, 0);
	ASSERT_OK(kill(f.s->main_pid, SIGKILL));
	RUN_UNTIL(&f, f.s->state == SVC_BACKOFF, 5000);
	left = f.s->next_restart - now_realtime();
	ASSERT(left > 300 * USEC_PER_MSEC && left <= 440 * USEC_PER_MSEC);
	ASSERT_EQ(f.s->failures, 2);
	RUN_UNTIL(&f, f.s->state == SVC_READY, 5000);
	ASSERT_EQ(f.s->restarts, 2);
	fixture_done(&f);
	free(k);
}

/* Up for stable_after=: the next failure starts the backoff over. */
TEST(stable_after_resets_the_backoff)
{
	struct fixture f;
	char *k = keys("sleep 30", "ready_after=0\nrestart_sec=100ms\n"
	    "stable_after=300ms");
	usec_t t0;

	fixture_init(&f, k);
	service_start(f.s, TRIGGER_MANUAL);
	RUN_UNTIL(&f, f.s->state == SVC_READY, 5000);
	ASSERT_OK(kill(f.s->main_pid, SIGKILL));
	RUN_UNTIL(&f, f.s->state == SVC_BACKOFF, 5000);
	ASSERT_EQ(f.s->failures, 1);
	RUN_UNTIL(&f, f.s->state == SVC_READY, 5000);
	t0 = now_monotonic();
	RUN_UNTIL(&f, f.s->failures == 0, 5000);
	ASSERT(now_monotonic() - t0 >= 250 * USEC_PER_MSEC);
	ASSERT_OK(kill(f.s->main_pid, SIGKILL));
	RUN_UNTIL(&f, f.s->state == SVC_BACKOFF, 5000);
	ASSERT_EQ(f.s->failures, 1);
	ASSERT(f.s->next_restart - now_realtime() <= 110 * USEC_PER_MSEC);
	ASSERT_EQ(f.s->restarts, 2);
	fixture_done(&f);
	free(k);
}

/* Each start dies before ready_after=: the third within the interval
 * fails the service with the last attempt's cause; start is refused
 * then, stop keeps the reason, reset-failed clears it. */
TEST(start_limit_fails_with_the_last_cause)
{
	struct fixture f;
	char *k = keys("exit 3", "ready_after=1s\nrestart_sec=10ms\n"
	    "restart_max_sec=10ms\nstart_limit_burst=3\n"
	    "start_limit_interval=10s");

	fixture_init(&f, k);
	service_start(f.s, TRIGGER_MANUAL);
	RUN_UNTIL(&f, f.s->state == SVC_FAILED, 5000);
	ASSERT_EQ(f.s->restarts, 3);
	ASSERT_EQ(f.s->starts.n, 3);
	ASSERT_STREQ(f.s->reason, "start limit hit: 3 starts within 10s; "
	    "last: exited with status 3 before it was ready");
	ASSERT_EQ(f.s->last_exit_status, 3);
	ASSERT(service_is_down(f.s));
	ASSERT(!service_is_active(f.s));
	/* starting, backoff twice more, then failed. */
	ASSERT_EQ(seen_at(&f, SVC_BACKOFF, 0), 1);
	ASSERT_EQ(f.seen[f.nseen - 1], SVC_FAILED);
	ASSERT_EQ(f.nseen, 6);
	service_start(f.s, TRIGGER_MANUAL);
	ASSERT_EQ(f.s->state, SVC_FAILED);
	ASSERT_NULL(f.s->run);
	service_stop(f.s, "stopped with jobctl stop");
	ASSERT_EQ(f.s->state, SVC_FAILED);
	ASSERT(!strncmp(f.s->reason, "start limit hit", 15));
	service_reset_failed(f.s);
	ASSERT_EQ(f.s->state, SVC_STOPPED);
	ASSERT_NULL(f.s->reason);
	ASSERT_EQ(f.s->starts.n, 0);
	ASSERT_EQ(f.s->failures, 0);
	ASSERT_EQ(f.seen[f.nseen - 1], SVC_STOPPED);
	fixture_done(&f);
	free(k);
}

/* keep-trying: at the limit, the capped delay instead of failed. */
TEST(start_limit_keep_trying_waits_the_capped_delay)
{
	struct fixture f;
	char *k = keys("exit 3", "ready_after=1s\nrestart_sec=10ms\n"
	    "restart_max_sec=400ms\nstart_limit_burst=2\n"
	    "start_limit_interval=10s\nstart_limit_action=keep-trying");
	usec_t left;

	fixture_init(&f, k);
	service_start(f.s, TRIGGER_MANUAL);
	RUN_UNTIL(&f, f.s->restarts == 2 && f.s->state == SVC_BACKOFF, 5000);
	left = f.s->next_restart - now_realtime();
	/* No jitter: restart_max_sec= itself. */
	ASSERT(left > 300 * USEC_PER_MSEC && left <= 400 * USEC_PER_MSEC);
	ASSERT_STREQ(f.s->reason, "exited with status 3 before it was ready");
	fixture_done(&f);
	free(k);
}

TEST(stop_is_stopped_with_its_reason)
{
	struct fixture f;
	char *k = keys("sleep 30", "ready_after=0");
	unsigned n;

	fixture_init(&f, k);
	service_start(f.s, TRIGGER_MANUAL);
	RUN_UNTIL(&f, f.s->state == SVC_READY, 5000);
	n = f.nseen;
	service_stop(f.s, "stopped with jobctl stop");
	ASSERT_EQ(f.s->state, SVC_STOPPING);
	ASSERT(f.s->stop_requested);
	RUN_UNTIL(&f, f.s->state == SVC_STOPPED, 5000);
	ASSERT_STREQ(f.s->reason, "stopped with jobctl stop");
	ASSERT_STREQ(f.s->last_result, "cancelled");
	ASSERT_EQ(f.s->last_exit_status, 128 + SIGTERM);
	ASSERT_EQ(f.s->restarts, 0);
	ASSERT_EQ(f.nseen, n + 2);
	ASSERT_EQ(f.seen[n], SVC_STOPPING);
	ASSERT(service_is_down(f.s));
	/* A new start forgets it. */
	service_start(f.s, TRIGGER_MANUAL);
	ASSERT_NULL(f.s->reason);
	RUN_UNTIL(&f, f.s->state == SVC_READY, 5000);
	fixture_done(&f);
	free(k);
}

/* restart: stopping, then straight to starting (no stopped between:
 * restart --wait waits for ready), a new process, no restart counted. */
TEST(restart_request_starts_a_new_process)
{
	struct fixture f;
	char *k = keys("sleep 30", "ready_after=0");
	unsigned n;
	pid_t pid;

	fixture_init(&f, k);
	service_start(f.s, TRIGGER_MANUAL);
	RUN_UNTIL(&f, f.s->state == SVC_READY, 5000);
	pid = f.s->main_pid;
	n = f.nseen;
	service_restart(f.s);
	ASSERT_EQ(f.s->state, SVC_STOPPING);
	ASSERT(f.s->restart_pending);
	RUN_UNTIL(&f, f.s->state == SVC_READY, 5000);
	ASSERT(f.s->main_pid != pid);
	ASSERT(!f.s->restart_pending);
	ASSERT(!f.s->stop_requested);
	ASSERT_EQ(f.s->restarts, 0);
	ASSERT_EQ(f.nseen, n + 3);
	ASSERT_EQ(f.seen[n], SVC_STOPPING);
	ASSERT_EQ(f.seen[n + 1], SVC_STARTING);
	ASSERT_EQ(f.seen[n + 2], SVC_READY);
	fixture_done(&f);
	free(k);
}

/* restart of a failed service: the failure and start count go. */
TEST(restart_request_revives_a_failed_service)
{
	struct fixture f;
	char *k = keys("exit 3", "ready_after=1s\nstart_limit_burst=1");

	fixture_init(&f, k);
	service_start(f.s, TRIGGER_MANUAL);
	RUN_UNTIL(&f, f.s->state == SVC_FAILED, 5000);
	ASSERT_EQ(f.s->restarts, 1);
	service_restart(f.s);
	ASSERT_EQ(f.s->state, SVC_STARTING);
	ASSERT_NULL(f.s->reason);
	ASSERT_EQ(f.s->starts.n, 1);
	RUN_UNTIL(&f, f.s->state == SVC_FAILED, 5000);
	ASSERT_EQ(f.s->restarts, 2);
	fixture_done(&f);
	free(k);
}

/* No WATCHDOG=1: SIGABRT at watchdog_sec=, then restart=no: failed.
 * WATCHDOG=1 (through the notify socket's entry point) keeps it up. */
TEST(watchdog_expiry_fails_the_service)
{
	struct fixture f;
	char *k = keys("sleep 30", "ready_after=0\nwatchdog_sec=400ms\n"
	    "restart=no");
	usec_t t0;
	int i;

	fixture_init(&f, k);
	service_start(f.s, TRIGGER_MANUAL);
	RUN_UNTIL(&f, f.s->state == SVC_READY, 5000);
	ASSERT_NOT_NULL(f.s->watchdog);
	ASSERT(uv_is_active((uv_handle_t *)f.s->watchdog));
	t0 = now_monotonic();
	for (i = 0; i < 4; i++) {
		RUN_UNTIL(&f, now_monotonic() - t0 >= (usec_t)(i + 1) *
		    150 * USEC_PER_MSEC, 2000);
		ASSERT_EQ(f.s->state, SVC_READY);
		notify_msg(&f, "WATCHDOG=1");
	}
	RUN_UNTIL(&f, f.s->state == SVC_FAILED, 5000);
	ASSERT(now_monotonic() - t0 >= 950 * USEC_PER_MSEC);
	ASSERT_STREQ(f.s->reason, "watchdog timeout: no WATCHDOG=1 in time");
	ASSERT_EQ(f.s->last_exit_status, 128 + SIGABRT);
	ASSERT(!f.s->want_up);
	ASSERT(!uv_is_active((uv_handle_t *)f.s->watchdog));
	fixture_done(&f);
	free(k);
}

/* ready=notify: starting until READY=1; STATUS= kept; RELOADING=1 and
 * READY=1 keep the uptime; STOPPING=1; a stranger's message is not
 * taken. */
TEST(notify_ready_reloading_stopping)
{
	struct fixture f;
	char *k = keys("sleep 30", "ready=notify");
	struct notify_msg stranger = { .pid = 1 };
	usec_t ready_at;

	fixture_init(&f, k);
	service_start(f.s, TRIGGER_MANUAL);
	RUN_UNTIL(&f, f.s->main_pid > 0, 5000);
	ASSERT_EQ(f.s->state, SVC_STARTING);
	ASSERT_EQ(service_reload(f.s), -ESRCH);
	notify_msg(&f, "STATUS=warming up");
	ASSERT_EQ(f.s->state, SVC_STARTING);
	ASSERT_STREQ(f.s->status_text, "warming up");
	notify_msg(&f, "READY=1\nSTATUS=serving");
	ASSERT_EQ(f.s->state, SVC_READY);
	ASSERT_STREQ(f.s->status_text, "serving");
	ready_at = f.s->ready_at;
	ASSERT(ready_at > 0);
	notify_msg(&f, "RELOADING=1");
	ASSERT_EQ(f.s->state, SVC_RELOADING);
	ASSERT(service_is_up(f.s));
	notify_msg(&f, "READY=1");
	ASSERT_EQ(f.s->state, SVC_READY);
	ASSERT_EQ(f.s->ready_at, ready_at);
	notify_msg(&f, "STOPPING=1");
	ASSERT_EQ(f.s->state, SVC_STOPPING);
	ASSERT(!f.s->stop_requested);
	ASSERT(!service_notify(&f.svc, &stranger));
	ASSERT_EQ(f.s->state, SVC_STOPPING);
	fixture_done(&f);
	free(k);
}

/* ready=notify that never says READY=1: stopped at start_timeout= as a
 * failed start, with that reason. */
TEST(start_timeout_is_a_failed_start)
{
	struct fixture f;
	char *k = keys("sleep 30", "ready=notify\nstart_timeout=200ms\n"
	    "restart=no");

	fixture_init(&f, k);
	service_start(f.s, TRIGGER_MANUAL);
	RUN_UNTIL(&f, f.s->state == SVC_FAILED, 5000);
	ASSERT_STREQ(f.s->reason, "not ready within start_timeout=200ms");
	ASSERT_STREQ(f.s->last_result, "failed");
	ASSERT_EQ(f.s->last_exit_status, 128 + SIGTERM);
	fixture_done(&f);
	free(k);
}

/* A service that needs the notify socket cannot start without it. */
TEST(notify_socket_missing_fails_at_once)
{
	struct fixture f;
	char *k = keys("sleep 30", "ready=notify");

	fixture_init(&f, k);
	notify_close(&f.notify);
	f.notify.error = -EADDRINUSE;
	service_start(f.s, TRIGGER_MANUAL);
	ASSERT_EQ(f.s->state, SVC_FAILED);
	ASSERT_NULL(f.s->run);
	ASSERT_STREQ(f.s->reason, "ready=notify needs the notify socket '?', "
	    "which jobd could not open: another process listens on it");
	fixture_done(&f);
	free(k);
}

/* after= waits, requires= stops: at the start, and once running. */
TEST(dependencies_wait_and_stop)
{
	struct fixture f;
	char *k = keys("sleep 30", "ready_after=0");

	fixture_init(&f, k);
	f.waiting = "db";
	service_start(f.s, TRIGGER_MANUAL);
	ASSERT_EQ(f.s->state, SVC_WAITING);
	ASSERT_NULL(f.s->run);
	f.waiting = NULL;
	service_recheck(f.s);
	ASSERT_NOT_NULL(f.s->run);
	ASSERT_EQ(seen_at(&f, SVC_STARTING, 0), 1);
	RUN_UNTIL(&f, f.s->state == SVC_READY, 5000);
	f.down = "db";
	service_recheck(f.s);
	ASSERT_EQ(f.s->state, SVC_STOPPING);
	RUN_UNTIL(&f, f.s->state == SVC_STOPPED, 5000);
	ASSERT_STREQ(f.s->reason, "required unit 'db' stopped");
	ASSERT(!f.s->want_up);
	service_start(f.s, TRIGGER_MANUAL);
	ASSERT_EQ(f.s->state, SVC_STOPPED);
	ASSERT_STREQ(f.s->reason, "required unit 'db' is not running");
	fixture_done(&f);
	free(k);
}

/* The computations of service-restart.c, without a process. */
TEST(backoff_doubles_within_jitter_up_to_the_cap)
{
	struct job_service c = { .restart_sec = 100 * USEC_PER_MSEC,
	    .restart_max_sec = 1000 * USEC_PER_MSEC };
	usec_t d;
	unsigned i, k;

	for (k = 0; k < 50; k++) {
		for (i = 1; i <= 6; i++) {
			usec_t base = MIN(c.restart_sec << (i - 1),
			    c.restart_max_sec);

			d = service_backoff(&c, i);
			ASSERT(d >= base - base / 10);
			ASSERT(d <= base + base / 10);
		}
	}
}

TEST(restart_modes)
{
	struct job_service c = { 0 };
	struct run r = { .exited = true };

	c.restart = RESTART_ON_FAILURE;
	ASSERT(!service_should_restart(&c, &r, false));
	ASSERT(service_should_restart(&c, &r, true));
	r.exit_code = 3;
	ASSERT(service_should_restart(&c, &r, false));
	c.restart = RESTART_ON_ABNORMAL;
	ASSERT(!service_should_restart(&c, &r, false));
	r.signal = SIGTERM;
	ASSERT(!service_should_restart(&c, &r, false));
	r.signal = SIGSEGV;
	ASSERT(service_should_restart(&c, &r, false));
	c.restart = RESTART_NO;
	ASSERT(!service_should_restart(&c, &r, true));
	c.restart = RESTART_ALWAYS;
	r.signal = 0;
	r.exit_code = 0;
	ASSERT(service_should_restart(&c, &r, false));
}

static const struct test tests[] = {
	TEST_ENTRY(ready_at_the_spawn_with_ready_after_0),
	TEST_ENTRY(ready_after_counts_from_the_spawn),
	TEST_ENTRY(crash_restarts_after_a_growing_backoff),
	TEST_ENTRY(stable_after_resets_the_backoff),
	TEST_ENTRY(start_limit_fails_with_the_last_cause),
	TEST_ENTRY(start_limit_keep_trying_waits_the_capped_delay),
	TEST_ENTRY(stop_is_stopped_with_its_reason),
	TEST_ENTRY(restart_request_starts_a_new_process),
	TEST_ENTRY(restart_request_revives_a_failed_service),
	TEST_ENTRY(watchdog_expiry_fails_the_service),
	TEST_ENTRY(notify_ready_reloading_stopping),
	TEST_ENTRY(start_timeout_is_a_failed_start),
	TEST_ENTRY(notify_socket_missing_fails_at_once),
	TEST_ENTRY(dependencies_wait_and_stop),
	TEST_ENTRY(backoff_doubles_within_jitter_up_to_the_cap),
	TEST_ENTRY(restart_modes),
};

TEST_MAIN(tests)
