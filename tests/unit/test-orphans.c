/* Unit tests for the orphan sweep: processes are found and stopped by
 * their JOBD_INSTANCE= and JOBD_RUN=, never another instance's. */
#include <signal.h>
#include <stdbool.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "orphans.h"
#include "runner.h"
#include "xmalloc.h"

static const char *
child_path(void)
{
	const char *p = getenv("JOBD_TEST_CHILD");

	if (!p || !*p)
		test_fail(__FILE__, __LINE__, "JOBD_TEST_CHILD is not set");
	return p;
}

/* A sleeping child with the given jobd variables. */
static pid_t
spawn_with(const char *instance, const char *run, const char *job)
{
	char *argv[] = { (char *)child_path(), "sleep", "30", NULL };
	char *envp[4];
	pid_t pid;

	envp[0] = xstrfmt("JOBD_INSTANCE=%s", instance);
	envp[1] = xstrfmt("JOBD_RUN=%s", run);
	envp[2] = xstrfmt("JOBD_JOB=%s", job);
	envp[3] = NULL;
	ASSERT_OK(posix_spawn(&pid, argv[0], NULL, NULL, argv, envp));
	free(envp[0]);
	free(envp[1]);
	free(envp[2]);
	return pid;
}

/* Waits until the child's environment is its program's (after exec). */
static void
wait_execed(pid_t pid)
{
	char path[64], buf[4096];
	int i;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	for (i = 0; i < 500; i++) {
		FILE *f = fopen(path, "re");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

		if (f)
			fclose(f);
		buf[n] = '\0';
		if (n > 0 && !strncmp(buf, "JOBD_INSTANCE=", 14))
			return;
		usleep(10000);
	}
	test_fail(__FILE__, __LINE__, "child %d never exec'd", (int)pid);
}

/* Whether pid was killed by SIGKILL (reaped), or is still alive. */
static bool
killed(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, WNOHANG) != pid)
		return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

static void
reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

TEST(find_by_instance_and_range)
{
	pid_t a = spawn_with("i1", "5", "alpha");
	pid_t b = spawn_with("i2", "5", "beta");
	pid_t c = spawn_with("i1", "9", "gamma");
	struct orphans_run *runs;
	size_t n;

	wait_execed(a);
	wait_execed(b);
	wait_execed(c);
	n = orphans_find("i1", 4, 10, &runs);
	ASSERT_EQ(n, 2);
	ASSERT_EQ(runs[0].id, 5);
	ASSERT_STREQ(runs[0].job, "alpha");
	ASSERT_EQ(runs[0].pid, a);
	ASSERT_EQ(runs[0].uid, geteuid());
	ASSERT(runs[0].started > 0);
	ASSERT_EQ(runs[1].id, 9);
	ASSERT_STREQ(runs[1].job, "gamma");
	free(runs);
	/* (5, 10]: not 5. */
	n = orphans_find("i1", 5, 10, &runs);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(runs[0].id, 9);
	free(runs);
	ASSERT_EQ(orphans_find("i3", 0, 100, &runs), 0);
	ASSERT_EQ(orphans_find("", 0, 100, &runs), 0);
	reap(a);
	reap(b);
	reap(c);
}

TEST(kill_spares_other_instances_and_runs)
{
	pid_t a = spawn_with("i1", "5", "alpha");
	pid_t b = spawn_with("i2", "5", "beta");
	pid_t c = spawn_with("i1", "9", "gamma");
	uint64_t ids[] = { 5 };
	int i;

	wait_execed(a);
	wait_execed(b);
	wait_execed(c);
	ASSERT_EQ(orphans_kill("i1", ids, 1), 1);
	for (i = 0; i < 500 && !killed(a); i++)
		usleep(10000);
	ASSERT(i < 500);
	ASSERT(!killed(b));
	ASSERT(!killed(c));
	ASSERT_EQ(kill(b, 0), 0);
	ASSERT_EQ(kill(c, 0), 0);
	ASSERT_EQ(orphans_kill("i1", NULL, 0), 0);
	reap(b);
	reap(c);
}

static const struct test tests[] = {
	TEST_ENTRY(find_by_instance_and_range),
	TEST_ENTRY(kill_spares_other_instances_and_runs),
};

TEST_MAIN(tests)
