/* Unit tests for config read from files: an include directory (order,
 * duplicates across files, what is skipped), the errors of every file in
 * one pass, and files that cannot be read. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

static void
write_file(const char *dir, const char *name, const char *text, size_t len)
{
	_cleanup_free_ char *path = xstrfmt("%s/%s", dir, name);
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT(fd >= 0);
	ASSERT_EQ(write(fd, text, len), (ssize_t)len);
	ASSERT_OK(close(fd));
}

#define WRITE(dir, name, text) write_file(dir, name, text, strlen(text))

static char *
make_tmpdir(void)
{
	char *dir = xstrdup("/tmp/test-config-XXXXXX");

	ASSERT_NOT_NULL(mkdtemp(dir));
	return dir;
}

/* Each test is its own process; rm -r is the simplest way to clean up. */
static void
remove_tree(const char *dir)
{
	_cleanup_free_ char *cmd = xstrfmt("rm -rf '%s'", dir);

	ASSERT_OK(system(cmd));
}

/* A main file whose include dir holds several files: all are read in
 * strcmp order, duplicates across files name the first definition, and
 * hidden files, other names and directories are skipped. */
TEST(include_dir)
{
	_cleanup_free_ char *dir = make_tmpdir(), *main_path = NULL;
	_cleanup_free_ char *jobs = NULL, *got = NULL, *want = NULL;
	_cleanup_(strv_freep) char **errors = NULL;
	struct config *cfg = NULL;
	struct job_config *j;

	main_path = xstrfmt("%s/jobd.conf", dir);
	jobs = xstrfmt("%s/jobs.d", dir);
	ASSERT_OK(mkdir(jobs, 0755));
	WRITE(dir, "jobd.conf", "[jobd]\ninclude_dir = jobs.d\n"
	    "[job main]\ncommand = m\n");
	WRITE(jobs, "b.conf", "# b\n[job dup]\ncommand = from-b\n"
	    "[job b]\ncommand = b\n");
	WRITE(jobs, "a.conf", "\n\n[job dup]\ncommand = from-a\n");
	WRITE(jobs, "B.conf", "[job upper]\ncommand = u\n");
	WRITE(jobs, ".hidden.conf", "[job dup]\nbroken\n");
	WRITE(jobs, "notes.txt", "broken\n");
	WRITE(jobs, "x.conf.bak", "broken\n");
	free(want);
	want = xstrfmt("%s/dir.conf", jobs);
	ASSERT_OK(mkdir(want, 0755));
	ASSERT_EQ(config_load(main_path, &cfg, &errors), -EINVAL);
	ASSERT_NULL(cfg);
	got = test_join_lines(errors);
	free(want);
	want = xstrfmt("%s/b.conf:2: job 'dup' already defined at "
	    "%s/a.conf:3", jobs, jobs);
	ASSERT_STREQ(got, want);

	/* Without the duplicate: all jobs, by name, with their files. */
	WRITE(jobs, "b.conf", "[job b]\ncommand = b\n");
	strv_free(errors);
	errors = NULL;
	ASSERT_OK(config_load(main_path, &cfg, &errors));
	ASSERT_NULL(errors);
	ASSERT_STREQ(cfg->include_dir, jobs);
	ASSERT_EQ(cfg->njobs, 4);
	j = TAILQ_FIRST(&cfg->jobs);
	ASSERT_STREQ(j->name, "b");
	free(want);
	want = xstrfmt("%s/b.conf", jobs);
	ASSERT_STREQ(j->file, want);
	j = TAILQ_NEXT(j, entry);
	ASSERT_STREQ(j->name, "dup");
	ASSERT_STREQ(j->command[0], "from-a");
	ASSERT_EQ(j->line, 3);
	j = TAILQ_NEXT(j, entry);
	ASSERT_STREQ(j->name, "main");
	ASSERT_STREQ(j->file, main_path);
	ASSERT_STREQ(TAILQ_NEXT(j, entry)->name, "upper");
	config_free(cfg);
	remove_tree(dir);
}

static struct job_config *
find_job(struct config *cfg, const char *name)
{
	struct job_config *j;

	TAILQ_FOREACH(j, &cfg->jobs, entry)
		if (!strcmp(j->name, name))
			return j;
	test_fail(__FILE__, __LINE__, "no job '%s'", name);
	return NULL;
}

/* [defaults]: the main file's hold for every file after it, a conf.d
 * file's for its own sections, over the main file's; a section's own key
 * wins; environment= is merged, the section's over the defaults'; a
 * service key does not reach jobs. */
TEST(defaults)
{
	_cleanup_free_ char *dir = make_tmpdir(), *main_path = NULL;
	_cleanup_free_ char *jobs = NULL, *env = NULL;
	_cleanup_(strv_freep) char **errors = NULL;
	struct config *cfg = NULL;
	struct job_config *j;
	int restart;

	main_path = xstrfmt("%s/jobd.conf", dir);
	jobs = xstrfmt("%s/jobs.d", dir);
	ASSERT_OK(mkdir(jobs, 0755));
	WRITE(dir, "jobd.conf", "[jobd]\ninclude_dir = jobs.d\n"
	    "[job before]\ncommand = b\n"
	    "[defaults]\ntimeout = 1h\nuser = nobody\n"
	    "environment = PATH=/usr/bin A=main\nrestart = always\n"
	    "[job after]\ncommand = a\ntimeout = 5s\n");
	WRITE(jobs, "a.conf", "[defaults]\nenvironment = A=file B=file\n"
	    "user = daemon\n"
	    "[job own]\ncommand = o\nenvironment = B=own\n"
	    "[service svc]\ncommand = s\n");
	WRITE(jobs, "b.conf", "[job other]\ncommand = x\n");
	ASSERT_OK(config_load(main_path, &cfg, &errors));
	ASSERT_NULL(errors);

	j = find_job(cfg, "before");	/* before [defaults]: none */
	ASSERT_EQ(j->timeout, 0);
	ASSERT_NULL(j->user);
	restart = j->svc.restart;
	j = find_job(cfg, "after");
	ASSERT_EQ(j->timeout, 5 * USEC_PER_SEC);
	ASSERT_STREQ(j->user, "nobody");
	j = find_job(cfg, "own");
	ASSERT_EQ(j->timeout, 3600 * USEC_PER_SEC);
	ASSERT_STREQ(j->user, "daemon");
	env = strv_join_quoted(j->environment);
	ASSERT_STREQ(env, "PATH=/usr/bin A=file B=own");
	ASSERT_EQ(j->svc.restart, restart);	/* a service key */
	ASSERT(restart != RESTART_ALWAYS);
	j = find_job(cfg, "svc");
	ASSERT_EQ(j->svc.restart, RESTART_ALWAYS);
	ASSERT_STREQ(j->user, "daemon");
	j = find_job(cfg, "other");	/* a.conf's defaults stay in a.conf */
	ASSERT_STREQ(j->user, "nobody");
	config_free(cfg);

	/* Bad keys and values: each said once, at its own line. */
	WRITE(dir, "jobd.conf", "[jobd]\ninclude_dir = jobs.d\n"
	    "[defaults]\ntimeout = forever\nnope = 1\ntimeout = 2s\n"
	    "[job after]\ncommand = a\n");
	strv_free(errors);
	errors = NULL;
	ASSERT_EQ(config_load(main_path, &cfg, &errors), -EINVAL);
	ASSERT_EQ(strv_length(errors), 3);
	ASSERT(strstr(errors[0], "jobd.conf:4: timeout: invalid time span"));
	ASSERT(strstr(errors[1], "jobd.conf:5: unknown key 'nope' in "
	    "[defaults]"));
	ASSERT(strstr(errors[2], "jobd.conf:6: duplicate key 'timeout' in "
	    "[defaults], first given at line 4"));
	remove_tree(dir);
}

/* Errors of all files come back together: main file first, then the
 * include files in name order. */
TEST(include_errors)
{
	_cleanup_free_ char *dir = make_tmpdir(), *main_path = NULL;
	_cleanup_free_ char *got = NULL, *want = NULL;
	_cleanup_(strv_freep) char **errors = NULL;
	struct config *cfg = NULL;

	main_path = xstrfmt("%s/jobd.conf", dir);
	WRITE(dir, "jobd.conf", "[jobd]\ninclude_dir = .\ndrain_timeout = x\n"
	    "[job a]\ncommand = a\n");
	WRITE(dir, "20-second.conf", "[job c]\ntimeout = 1 fortnight\n");
	WRITE(dir, "10-first.conf", "[jobd]\nsocket = /x\n[job a]\n"
	    "command = b\n");
	write_file(dir, "30-nul.conf", "[job d]\ncommand = d\0x\n", 20);
	ASSERT_EQ(config_load(main_path, &cfg, &errors), -EINVAL);
	got = test_join_lines(errors);
	want = xstrfmt(
	    "%1$s/jobd.conf:3: drain_timeout: invalid time span 'x': "
	    "expected a number at 'x'\n"
	    "%1$s/10-first.conf:1: section [jobd] is only allowed in the "
	    "main file\n"
	    "%1$s/10-first.conf:3: job 'a' already defined at "
	    "%1$s/jobd.conf:4\n"
	    "%1$s/20-second.conf:1: job 'c' has no command\n"
	    "%1$s/20-second.conf:2: timeout: invalid time span "
	    "'1 fortnight': unknown unit 'fortnight'\n"
	    "%1$s/30-nul.conf:1: job 'd' has no command\n"
	    "%1$s/30-nul.conf:2: line contains a NUL byte", dir);
	ASSERT_STREQ(got, want);
	remove_tree(dir);
}

TEST(unreadable)
{
	_cleanup_free_ char *dir = make_tmpdir(), *path = NULL, *want = NULL;
	_cleanup_free_ char *sub = NULL;
	_cleanup_(strv_freep) char **errors = NULL;
	struct config *cfg = (struct config *)1;

	path = xstrfmt("%s/missing.conf", dir);
	ASSERT_EQ(config_load(path, &cfg, &errors), -ENOENT);
	ASSERT_NULL(cfg);
	want = xstrfmt("%s: No such file or directory", path);
	ASSERT_EQ(strv_length(errors), 1);
	ASSERT_STREQ(errors[0], want);
	strv_free(errors);
	errors = NULL;

	/* A directory opens, but reading it fails. */
	ASSERT_EQ(config_load(dir, &cfg, &errors), -EISDIR);
	ASSERT_NULL(cfg);
	free(want);
	want = xstrfmt("%s: Is a directory", dir);
	ASSERT_EQ(strv_length(errors), 1);
	ASSERT_STREQ(errors[0], want);
	strv_free(errors);
	errors = NULL;

	/* An include file that cannot be read is an error, not a skip;
	 * root reads anything, so only a non-root run can check it. */
	sub = xstrfmt("%s/d", dir);
	ASSERT_OK(mkdir(sub, 0755));
	free(path);
	path = xstrfmt("%s/main.conf", dir);
	WRITE(dir, "main.conf", "[jobd]\ninclude_dir = d\n");
	WRITE(sub, "secret.conf", "[job s]\ncommand = s\n");
	free(want);
	want = xstrfmt("%s/secret.conf", sub);
	ASSERT_OK(chmod(want, 0));
	if (geteuid() != 0) {
		ASSERT_EQ(config_load(path, &cfg, &errors), -EINVAL);
		free(want);
		want = xstrfmt("%s/secret.conf: Permission denied", sub);
		ASSERT_EQ(strv_length(errors), 1);
		ASSERT_STREQ(errors[0], want);
	}
	remove_tree(dir);
}

static const struct test tests[] = {
	TEST_ENTRY(include_dir),
	TEST_ENTRY(defaults),
	TEST_ENTRY(include_errors),
	TEST_ENTRY(unreadable),
};

TEST_MAIN(tests)
