/* Unit tests for the cgroup limits: the keys' values good and bad (every
 * error text, at file:line), the files and texts written into a run's
 * cgroup (a plain directory stands in for cgroupfs), the refusal without
 * per-run cgroups, and a run's verdict from the cgroup's OOM kills. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-limits.h"
#include "config.h"
#include "run-ctx.h"
#include "run.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

static struct config *
load(const char *text, char **err)
{
	_cleanup_(strv_freep) char **errors = NULL;
	struct config *c = NULL;

	*err = NULL;
	if (config_load_string(text, "jobs.conf", &c, &errors) < 0)
		*err = test_join_lines(errors);
	return c;
}

static const struct {
	const char *line;
	enum job_limit k;
	uint64_t want;
} good[] = {
	{ "memory_max = 1G", JOB_LIMIT_MEMORY_MAX, 1ULL << 30 },
	{ "memory_max = 512M", JOB_LIMIT_MEMORY_MAX, 512ULL << 20 },
	{ "memory_max = 4096", JOB_LIMIT_MEMORY_MAX, 4096 },
	{ "memory_max = infinity", JOB_LIMIT_MEMORY_MAX,
	    CONFIG_LIMIT_INFINITY },
	{ "memory_high = 2t", JOB_LIMIT_MEMORY_HIGH, 2ULL << 40 },
	{ "memory_swap_max = 0", JOB_LIMIT_MEMORY_SWAP_MAX, 0 },
	{ "cpu_quota = 150%", JOB_LIMIT_CPU_QUOTA, 150 },
	{ "cpu_weight = 10000", JOB_LIMIT_CPU_WEIGHT, 10000 },
	{ "tasks_max = 64", JOB_LIMIT_TASKS_MAX, 64 },
	{ "tasks_max = infinity", JOB_LIMIT_TASKS_MAX,
	    CONFIG_LIMIT_INFINITY },
	{ "io_weight = 1", JOB_LIMIT_IO_WEIGHT, 1 },
};

TEST(good_values)
{
	struct config *c;
	char *text, *err;
	size_t i;

	for (i = 0; i < ELEMENTSOF(good); i++) {
		CASE("%s", good[i].line);
		text = xstrfmt("[job a]\ncommand = true\n%s\n", good[i].line);
		c = load(text, &err);
		ASSERT_NULL(err);
		const struct job_limits *l = &config_find_job(c, "a")->limits;
		ASSERT_EQ(l->set, 1u << good[i].k);
		ASSERT_EQ(l->v[good[i].k] == good[i].want, 1);
		ASSERT_EQ(l->line, 3);
		config_free(c);
		free(text);
	}
}

static const struct {
	const char *line, *want;
} bad[] = {
	{ "memory_max = 0", "jobs.conf:3: memory_max: invalid size '0': "
	    "must be above 0" },
	{ "memory_max = 1.5G", "jobs.conf:3: memory_max: invalid size "
	    "'1.5G': expected bytes with an optional K, M, G or T, or "
	    "infinity" },
	{ "memory_high = -1", "jobs.conf:3: memory_high: invalid size '-1': "
	    "expected bytes with an optional K, M, G or T, or infinity" },
	{ "memory_swap_max = 99999999999T", "jobs.conf:3: memory_swap_max: "
	    "size '99999999999T' is too large" },
	{ "cpu_quota = 50", "jobs.conf:3: cpu_quota: invalid CPU quota '50': "
	    "expected a percentage of one CPU, 1% to 100000%" },
	{ "cpu_quota = 0%", "jobs.conf:3: cpu_quota: invalid CPU quota '0%': "
	    "expected a percentage of one CPU, 1% to 100000%" },
	{ "cpu_weight = 0", "jobs.conf:3: cpu_weight: invalid value '0': "
	    "expected 1 to 10000" },
	{ "io_weight = infinity", "jobs.conf:3: io_weight: invalid value "
	    "'infinity': expected 1 to 10000" },
	{ "tasks_max = 5000000", "jobs.conf:3: tasks_max: invalid value "
	    "'5000000': expected 1 to 4194304 or infinity" },
};

TEST(bad_values)
{
	struct config *c;
	char *text, *err;
	size_t i;

	for (i = 0; i < ELEMENTSOF(bad); i++) {
		CASE("%s", bad[i].line);
		text = xstrfmt("[job a]\ncommand = true\n%s\n", bad[i].line);
		c = load(text, &err);
		ASSERT_NULL(c);
		ASSERT_STREQ(err, bad[i].want);
		free(err);
		free(text);
	}
}

TEST(equal_and_first_line)
{
	struct config *a, *b;
	char *err;

	a = load("[job a]\ncommand = true\ntimeout = 5s\ntasks_max = 5\n"
	    "memory_max = 1G\n", &err);
	b = load("[job a]\ncommand = true\nmemory_max = 2G\ntasks_max = 5\n",
	    &err);
	ASSERT_EQ(config_find_job(a, "a")->limits.line, 4);
	ASSERT(!job_config_equal(config_find_job(a, "a"),
	    config_find_job(b, "a")));
	/* A limit is part of the exec context: a service restarts. */
	ASSERT(!job_config_exec_equal(config_find_job(a, "a"),
	    config_find_job(b, "a")));
	config_free(a);
	config_free(b);
}

static char *
fake_cgroup(const char *const *files)
{
	char *dir = xstrdup("/tmp/jd-cgl-XXXXXX"), *p;
	int fd;

	ASSERT_NOT_NULL(mkdtemp(dir));
	for (; *files; files++) {
		p = xstrfmt("%s/%s", dir, *files);
		fd = open(p, O_CREAT | O_WRONLY, 0644);
		ASSERT(fd >= 0);
		close(fd);
		free(p);
	}
	return dir;
}

static char *
read_in(const char *dir, const char *name)
{
	_cleanup_free_ char *p = xstrfmt("%s/%s", dir, name);
	size_t n;

	return test_read_file(p, &n);
}

TEST(apply_writes_each_file)
{
	static const char *const files[] = { "memory.max", "memory.high",
	    "memory.swap.max", "cpu.max", "cpu.weight", "pids.max",
	    "io.weight", NULL };
	char *dir = fake_cgroup(files), *cause = NULL, *err;
	struct config *c = load("[job a]\ncommand = true\nmemory_max = 256M\n"
	    "memory_high = infinity\nmemory_swap_max = 0\ncpu_quota = 150%\n"
	    "cpu_weight = 50\ntasks_max = infinity\nio_weight = 200\n", &err);
	char *got;

	ASSERT_NULL(err);
	ASSERT_OK(cgroup_limits_apply(dir, &config_find_job(c, "a")->limits,
	    &cause));
	ASSERT_NULL(cause);
	ASSERT_STREQ(got = read_in(dir, "memory.max"), "268435456");
	free(got);
	ASSERT_STREQ(got = read_in(dir, "memory.high"), "max");
	free(got);
	ASSERT_STREQ(got = read_in(dir, "memory.swap.max"), "0");
	free(got);
	ASSERT_STREQ(got = read_in(dir, "cpu.max"), "150000 100000");
	free(got);
	ASSERT_STREQ(got = read_in(dir, "cpu.weight"), "50");
	free(got);
	ASSERT_STREQ(got = read_in(dir, "pids.max"), "max");
	free(got);
	ASSERT_STREQ(got = read_in(dir, "io.weight"), "default 200");
	free(got);
	config_free(c);
	test_rm_tree(dir);
	free(dir);
}

TEST(apply_without_the_controller)
{
	static const char *const files[] = { "memory.max", NULL };
	char *dir = fake_cgroup(files), *cause = NULL, *err;
	struct config *c = load("[job a]\ncommand = true\nmemory_max = 1M\n"
	    "tasks_max = 10\n", &err);

	ASSERT_EQ(cgroup_limits_apply(dir, &config_find_job(c, "a")->limits,
	    &cause), -ENOENT);
	ASSERT_STREQ(cause, "tasks_max=: no pids.max in the run's cgroup: "
	    "the pids controller is not available to jobd's cgroup (its "
	    "parent must enable it)");
	free(cause);
	config_free(c);
	test_rm_tree(dir);
	free(dir);
}

TEST(refused_without_cgroups)
{
	struct cgroup off = { .enabled = false, .why = (char *)"cgroups=no" };
	struct cgroup on = { .enabled = true };
	char **errors = NULL, *err;
	struct config *c = load("[job plain]\ncommand = true\n\n"
	    "[service s]\ncommand = true\ncpu_quota = 20%\n"
	    "memory_max = 1G\n", &err);

	ASSERT_NULL(err);
	ASSERT_EQ(cgroup_limits_refuse(c, &on, &errors), 0);
	ASSERT_NULL(errors);
	ASSERT_EQ(cgroup_limits_refuse(c, &off, &errors), 1);
	ASSERT_STREQ(errors[0], "jobs.conf:6: service 's': memory_max=, "
	    "cpu_quota=: jobd has no per-run cgroups (cgroups=no); cgroup "
	    "limits need a cgroup v2 directory delegated to jobd: run it as "
	    "a systemd service with Delegate=yes (the shipped jobd.service "
	    "has it) and cgroups=auto or yes in [jobd], or remove the "
	    "limits");
	strv_free(errors);
	config_free(c);
}

TEST(oom_verdict)
{
	struct run r = { 0 };

	/* A process killed at memory_max: the run is an oom. */
	r.result = RESULT_FAILED;
	r.exited = true;
	r.signal = 9;
	r.usage.oom_kills = 1;
	r.usage.peak_kb = 262144;
	r.memory_max = 256ULL << 20;
	run_limits_verdict(&r);
	ASSERT_EQ(r.result, RESULT_OOM);
	ASSERT_STREQ(r.reason, "killed by the OOM killer at memory_max=256.0M; "
	    "peak memory 256.0M");
	free(r.reason);

	/* Without memory_max= (the whole system short of memory). */
	r = (struct run){ .result = RESULT_FAILED, .exited = true,
	    .usage = { .oom_kills = 2, .peak_kb = 3 * 1024 * 1024 } };
	run_limits_verdict(&r);
	ASSERT_EQ(r.result, RESULT_OOM);
	ASSERT_STREQ(r.reason, "the OOM killer ended 2 processes of the run; "
	    "peak memory 3.0G");
	free(r.reason);

	/* A timeout stays one; a success stays one; no kill, no oom. */
	r = (struct run){ .result = RESULT_TIMEOUT, .exited = true,
	    .usage = { .oom_kills = 1 } };
	run_limits_verdict(&r);
	ASSERT_EQ(r.result, RESULT_TIMEOUT);
	r = (struct run){ .result = RESULT_SUCCESS, .exited = true,
	    .usage = { .oom_kills = 1 } };
	run_limits_verdict(&r);
	ASSERT_EQ(r.result, RESULT_SUCCESS);
	r = (struct run){ .result = RESULT_FAILED, .exited = true };
	run_limits_verdict(&r);
	ASSERT_EQ(r.result, RESULT_FAILED);
	ASSERT_NULL(r.reason);
	ASSERT_STREQ(run_result_name[RESULT_OOM], "oom");
}

TEST(setup_without_a_cgroup_fails_the_run)
{
	struct cgroup cg = { .enabled = false,
	    .why = (char *)"'/sys/fs/cgroup/x' is not delegated to jobd" };
	struct run_ctx ctx = { .cgroup = &cg };
	struct run r = { .ctx = &ctx };
	struct job_limits l = { .set = 1u << JOB_LIMIT_TASKS_MAX,
	    .v[JOB_LIMIT_TASKS_MAX] = 8 };

	run_limits_setup(&r, &l);
	ASSERT_EQ(r.result, RESULT_FAILED);
	ASSERT_STREQ(r.reason, "tasks_max=: the run has no cgroup of its own "
	    "('/sys/fs/cgroup/x' is not delegated to jobd); "
	    CGROUP_LIMITS_ADVICE);
	free(r.reason);
}

TEST(usage_reads_oom_kills_and_peak)
{
	static const char *const files[] = { NULL };
	char *dir = fake_cgroup(files), *p;
	struct cgroup_usage u = { .peak_kb = 5 };
	FILE *f;

	p = xstrfmt("%s/memory.events", dir);
	ASSERT_NOT_NULL(f = fopen(p, "w"));
	fputs("low 0\nhigh 3\nmax 7\noom 1\noom_kill 1\n"
	    "oom_group_kill 0\n", f);
	fclose(f);
	free(p);
	p = xstrfmt("%s/memory.peak", dir);
	ASSERT_NOT_NULL(f = fopen(p, "w"));
	fputs("268435456\n", f);
	fclose(f);
	free(p);
	cgroup_run_finish(dir, &u);
	ASSERT_EQ(u.oom_kills, 1);
	ASSERT_EQ(u.peak_kb, 262144);
	test_rm_tree(dir);
	free(dir);
}

static const struct test tests[] = {
	TEST_ENTRY(good_values),
	TEST_ENTRY(bad_values),
	TEST_ENTRY(equal_and_first_line),
	TEST_ENTRY(apply_writes_each_file),
	TEST_ENTRY(apply_without_the_controller),
	TEST_ENTRY(refused_without_cgroups),
	TEST_ENTRY(oom_verdict),
	TEST_ENTRY(setup_without_a_cgroup_fails_the_run),
	TEST_ENTRY(usage_reads_oom_kills_and_peak),
};

TEST_MAIN(tests)
