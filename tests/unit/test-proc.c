/* Tests for jobd/proc.c and jobd/spawn-thread.c: a child gets exactly the
 * descriptors it is given, at the numbers given, whether it is spawned
 * from the caller's thread or from the spawn thread while the caller
 * holds hundreds of others; spawn errors come back as -errno; the exit is
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
#include "spawn-run.h"
#include "spawn-thread.h"

#define EXTRA_FDS 300

struct child {
	struct proc proc;
	int status, sig;
	bool exited;
};

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

/* Runs `sh -c script` with stdout on a pipe and an extra pipe at fd 5
 * (fds 3 and 4 closed); returns what it printed on stdout, and on fd 5
 * in fd5_out. */
static char *
spawn_and_read(const char *script, int *ret_status, char **fd5_out)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	char *env[] = { "PATH=/usr/bin:/bin", NULL };
	struct run_exec e = { .argv = argv, .env = env };
	int out[2], extra[2], fds[6];
	struct child c = { 0 };
	static char buf[4096], buf5[256];
	uv_loop_t loop;

	ASSERT_OK(uv_loop_init(&loop));
	ASSERT_OK(pipe2(out, O_CLOEXEC));
	ASSERT_OK(pipe2(extra, O_CLOEXEC));
	fds[0] = -1;
	fds[1] = out[1];
	fds[2] = -1;
	fds[3] = fds[4] = -1;
	fds[5] = extra[1];
	c.proc.data = &c.proc;
	ASSERT_OK(proc_spawn(&c.proc, &loop, &e, fds, 6, child_exit_cb));
	close(out[1]);
	close(extra[1]);
	drain(out[0], buf, sizeof(buf));
	*fd5_out = drain(extra[0], buf5, sizeof(buf5));
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT(c.exited);
	ASSERT_EQ(c.sig, 0);
	*ret_status = c.status;
	ASSERT_OK(uv_loop_close(&loop));
	return buf;
}

/* The child lists its own descriptors: 0-2 and 5, and nothing of the
 * hundreds its parent holds. */
static void
check_only_given_fds(void)
{
	int *held = hold_fds(EXTRA_FDS), status;
	char *out, *out5;

	/* stat, not open: listing the directory would add a descriptor. */
	out = spawn_and_read("i=0; while [ $i -lt 400 ]; do "
	    "[ -e /proc/self/fd/$i ] && printf '%s ' $i; i=$((i + 1)); done; "
	    "exit 7", &status, &out5);
	ASSERT_EQ(status, 7);
	ASSERT_STREQ(out, "0 1 2 5 ");
	ASSERT_STREQ(out5, "");
	release_fds(held);
}

TEST(fds_from_caller_thread)
{
	/* What the test inherited (from a shell, say) would pass: jobd
	 * itself opens everything close-on-exec. */
	ASSERT_OK(close_range(3, ~0U, CLOSE_RANGE_CLOEXEC));
	check_only_given_fds();
}

TEST(fds_from_spawn_thread)
{
	ASSERT(spawn_thread_start());
	/* Started once: a second call says so again. */
	ASSERT(spawn_thread_start());
	check_only_given_fds();
}

/* Descriptors opened after the thread started are not in its table
 * either, yet a child given one of them gets it. */
TEST(spawn_thread_gets_new_fds)
{
	int *held, status;
	char *out, *out5;

	ASSERT(spawn_thread_start());
	held = hold_fds(EXTRA_FDS);
	out = spawn_and_read("echo hi >&5 && echo ok", &status, &out5);
	ASSERT_EQ(status, 0);
	ASSERT_STREQ(out, "ok\n");
	ASSERT_STREQ(out5, "hi\n");
	release_fds(held);
}

TEST(spawn_error_is_errno)
{
	char *argv[] = { "/nonexistent/jobd-test", NULL };
	char *env[] = { NULL };
	struct run_exec e = { .argv = argv, .env = env };
	int fds[3] = { -1, -1, -1 };
	struct proc p = { 0 };
	uv_loop_t loop;

	ASSERT_OK(uv_loop_init(&loop));
	ASSERT_EQ(proc_spawn(&p, &loop, &e, fds, 3, NULL), -ENOENT);
	ASSERT(spawn_thread_start());
	ASSERT_EQ(proc_spawn(&p, &loop, &e, fds, 3, NULL), -ENOENT);
	ASSERT(!p.open);
	ASSERT_OK(uv_loop_close(&loop));
}

static const struct test tests[] = {
	TEST_ENTRY(fds_from_caller_thread),
	TEST_ENTRY(fds_from_spawn_thread),
	TEST_ENTRY(spawn_thread_gets_new_fds),
	TEST_ENTRY(spawn_error_is_errno),
};

TEST_MAIN(tests)
