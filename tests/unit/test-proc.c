/* Tests for jobd/proc.c and jobd/spawn-thread.c: a child gets exactly the
 * descriptors it is given, at the numbers given, whether it is spawned
 * from the loop thread or by the spawn threads while the caller holds
 * hundreds of others; more spawns at once than the threads take are
 * queued and all answered; spawn errors come back as -errno; the exit is
 * seen through the pidfd. */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "macro.h"
#include "proc.h"
#include "runner.h"
#include "exec-context.h"
#include "spawn-thread.h"
#include "strv.h"

#define EXTRA_FDS 300
#define MANY 40

struct child {
	struct proc proc;
	int spawn_err;
	bool spawned, exited;
	int status, sig;
};

static void
child_spawned_cb(struct proc *p, int err)
{
	struct child *c = container_of(p, struct child, proc);

	c->spawned = true;
	c->spawn_err = err;
}

static void
child_exit_cb(struct proc *p, int64_t status, int sig)
{
	struct child *c = container_of(p, struct child, proc);

	c->exited = true;
	c->status = (int)status;
	c->sig = sig;
	proc_close(p, NULL);
}

/* Opens n close-on-exec descriptors, as jobd's pipes and pidfds are. */
static int *
hold_fds(int n)
{
	int *v = calloc((size_t)n, sizeof(int)), i;

	for (i = 0; i < n; i++) {
		v[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		ASSERT(v[i] >= 0);
	}
	return v;
}

static void
release_fds(int *v)
{
	int i;

	for (i = 0; i < EXTRA_FDS; i++)
		close(v[i]);
	free(v);
}

/* What is left in a pipe whose write end is closed. */
static char *
drain(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while ((n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
	return buf;
}

/* Runs `sh -c script` on loop with stdout on a pipe and an extra pipe
 * at fd 5 (fds 3 and 4 closed); returns what it printed on stdout, and
 * on fd 5 in fd5_out. */
static char *
spawn_and_read(uv_loop_t *loop, const char *script, int *ret_status,
    char **fd5_out)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	char *env[] = { "PATH=/usr/bin:/bin", NULL };
	struct run_exec e = { .argv = argv, .env = strv_copy(env) };
	int out[2], extra[2], fds[6] = { -1, -1, -1, -1, -1, -1 };
	struct child c = { 0 };
	static char buf[4096], buf5[256];

	ASSERT_OK(pipe2(out, O_CLOEXEC));
	ASSERT_OK(pipe2(extra, O_CLOEXEC));
	fds[1] = out[1];
	fds[5] = extra[1];
	c.proc.data = &c.proc;
	proc_spawn(&c.proc, loop, &e, fds, 6, child_spawned_cb,
	    child_exit_cb);
	/* The spawn took the environment. */
	ASSERT_NULL(e.env);
	/* The caller's copies may go at once, answered or not. */
	close(out[1]);
	close(extra[1]);
	drain(out[0], buf, sizeof(buf));
	*fd5_out = drain(extra[0], buf5, sizeof(buf5));
	uv_run(loop, UV_RUN_DEFAULT);
	ASSERT(c.spawned);
	ASSERT_OK(c.spawn_err);
	ASSERT(c.proc.pid > 0);
	ASSERT(c.exited);
	ASSERT_EQ(c.sig, 0);
	*ret_status = c.status;
	return buf;
}

/* The child lists its own descriptors: 0-2 and 5, and nothing of the
 * hundreds its parent holds. */
static void
check_only_given_fds(uv_loop_t *loop)
{
	int *held = hold_fds(EXTRA_FDS), status;
	char *out, *out5;

	/* stat, not open: listing the directory would add a descriptor. */
	out = spawn_and_read(loop, "i=0; while [ $i -lt 400 ]; do "
	    "[ -e /proc/self/fd/$i ] && printf '%s ' $i; i=$((i + 1)); done; "
	    "exit 7", &status, &out5);
	ASSERT_EQ(status, 7);
	ASSERT_STREQ(out, "0 1 2 5 ");
	ASSERT_STREQ(out5, "");
	release_fds(held);
}

static void
loop_done(uv_loop_t *loop)
{
	spawn_thread_stop();
	uv_run(loop, UV_RUN_DEFAULT);
	ASSERT_OK(uv_loop_close(loop));
}

TEST(fds_from_loop_thread)
{
	uv_loop_t loop;

	/* What the test inherited (from a shell, say) would pass: jobd
	 * itself opens everything close-on-exec. */
	ASSERT_OK(close_range(3, ~0U, CLOSE_RANGE_CLOEXEC));
	ASSERT_OK(uv_loop_init(&loop));
	check_only_given_fds(&loop);
	ASSERT_OK(uv_loop_close(&loop));
}

TEST(fds_from_spawn_thread)
{
	uv_loop_t loop;

	ASSERT_OK(uv_loop_init(&loop));
	ASSERT(spawn_thread_start(&loop));
	/* Started once: a second call says so again. */
	ASSERT(spawn_thread_start(&loop));
	check_only_given_fds(&loop);
	ASSERT_EQ(spawn_thread_in_flight(), 0u);
	loop_done(&loop);
}

/* Descriptors opened after the threads started are not in their tables
 * either, yet a child given one of them gets it. */
TEST(spawn_thread_gets_new_fds)
{
	uv_loop_t loop;
	int *held, status;
	char *out, *out5;

	ASSERT_OK(uv_loop_init(&loop));
	ASSERT(spawn_thread_start(&loop));
	held = hold_fds(EXTRA_FDS);
	out = spawn_and_read(&loop, "echo hi >&5 && echo ok", &status, &out5);
	ASSERT_EQ(status, 0);
	ASSERT_STREQ(out, "ok\n");
	ASSERT_STREQ(out5, "hi\n");
	release_fds(held);
	loop_done(&loop);
}

/* More at once than the threads take: the rest wait (with copies of
 * their fds, the caller's being closed) and every one is answered, each
 * child with its own stdout. */
TEST(many_at_once)
{
	char *argv[] = { "/bin/sh", "-c", "exit $(cat)", NULL };
	char *env[] = { NULL };
	struct run_exec e[MANY];
	struct child c[MANY];
	int in[2], fds[3], i;
	uv_loop_t loop;
	char num[8];

	ASSERT_OK(uv_loop_init(&loop));
	ASSERT(spawn_thread_start(&loop));
	for (i = 0; i < MANY; i++) {
		c[i] = (struct child){ 0 };
		c[i].proc.data = &c[i].proc;
		e[i] = (struct run_exec){ .argv = argv, .env = strv_copy(env) };
		ASSERT_OK(pipe2(in, O_CLOEXEC));
		snprintf(num, sizeof(num), "%d", i + 1);
		ASSERT_EQ(write(in[1], num, strlen(num)), (ssize_t)strlen(num));
		close(in[1]);
		fds[0] = in[0];
		fds[1] = fds[2] = -1;
		proc_spawn(&c[i].proc, &loop, &e[i], fds, 3, child_spawned_cb,
		    child_exit_cb);
		close(in[0]);
	}
	ASSERT(spawn_thread_in_flight() > 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	for (i = 0; i < MANY; i++) {
		ASSERT(c[i].spawned);
		ASSERT_OK(c[i].spawn_err);
		ASSERT(c[i].exited);
		ASSERT_EQ(c[i].status, i + 1);
	}
	ASSERT_EQ(spawn_thread_in_flight(), 0u);
	loop_done(&loop);
}

static void
check_enoent(uv_loop_t *loop)
{
	char *argv[] = { "/nonexistent/jobd-test", NULL };
	char *env[] = { NULL };
	struct run_exec e = { .argv = argv, .env = strv_copy(env) };
	int fds[3] = { -1, -1, -1 };
	struct child c = { 0 };

	c.proc.data = &c.proc;
	proc_spawn(&c.proc, loop, &e, fds, 3, child_spawned_cb,
	    child_exit_cb);
	uv_run(loop, UV_RUN_DEFAULT);
	ASSERT(c.spawned);
	ASSERT_EQ(c.spawn_err, -ENOENT);
	ASSERT(!c.proc.open);
	ASSERT(!c.exited);
}

TEST(spawn_error_is_errno)
{
	uv_loop_t loop;

	ASSERT_OK(uv_loop_init(&loop));
	check_enoent(&loop);
	ASSERT(spawn_thread_start(&loop));
	check_enoent(&loop);
	loop_done(&loop);
}

static const struct test tests[] = {
	TEST_ENTRY(fds_from_loop_thread),
	TEST_ENTRY(fds_from_spawn_thread),
	TEST_ENTRY(spawn_thread_gets_new_fds),
	TEST_ENTRY(many_at_once),
	TEST_ENTRY(spawn_error_is_errno),
};

TEST_MAIN(tests)
