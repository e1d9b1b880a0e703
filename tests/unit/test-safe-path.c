/* Unit tests for safe-path: which directories, links and files a log may
 * be opened through, in a private directory tree.  Owner checks use
 * chown: those parts need root (as CI runs) and end the test early
 * otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner.h"
#include "safe-path.h"
#include "xmalloc.h"

#define OTHER_UID 4242		/* neither root nor the owner */
#define JOB_UID 4343

static const struct path_owner job = { JOB_UID, JOB_UID };

static char *tree_dir;
static char *made[64];		/* strings of the test, freed at exit */
static size_t nmade;

static char *
keep(char *s)
{
	ASSERT(nmade < ELEMENTSOF(made));
	return made[nmade++] = s;
}

static void
untree(void)
{
	char *cmd = xstrfmt("rm -rf '%s'", tree_dir);

	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tree_dir);
	free(cmd);
	while (nmade > 0)
		free(made[--nmade]);
}

/* A fresh directory tree for one test (each runs in its own process):
 * /tmp/jd-sp-XXXXXX, mode 0755, removed when the test ends. */
static char *
tree(void)
{
	tree_dir = keep(xstrdup("/tmp/jd-sp-XXXXXX"));
	ASSERT_NOT_NULL(mkdtemp(tree_dir));
	ASSERT_OK(chmod(tree_dir, 0755));
	atexit(untree);
	return tree_dir;
}

static char *
path(const char *dir, const char *name)
{
	return keep(xstrfmt("%s/%s", dir, name));
}

/* Opens dir/name as a log file would be; *why is kept for the test's
 * end (NULL when nothing was refused). */
static int
open_in(const char *dir, const char *name, const struct path_owner *o,
    char **why)
{
	int d = safe_open_dir(dir, o, true, why), fd;

	if (d >= 0) {
		fd = safe_open_file(d, dir, name, o, O_WRONLY | O_APPEND,
		    0640, why);
		close(d);
		d = fd;
	}
	if (*why)
		keep(*why);
	return d;
}

TEST(opens_and_creates_in_roots_directories)
{
	char *t = tree(), *sub = path(t, "a/b/c"), *why = NULL;
	struct stat st;
	int fd;

	fd = open_in(sub, "x.log", &job, &why);
	ASSERT(fd >= 0);
	ASSERT_OK(fstat(fd, &st));
	ASSERT(S_ISREG(st.st_mode));
	/* Made in root's directory: root's. */
	ASSERT_EQ(st.st_uid, geteuid());
	close(fd);
	ASSERT_OK(stat(sub, &st));
	ASSERT_EQ(st.st_mode & 07777, 0750);
	ASSERT_NULL(why);
}

TEST(refuses_a_link_of_another_user)
{
	char *t = tree(), *link = path(t, "x.log"), *why = NULL;
	char *target = path(t, "target");

	close(open(target, O_CREAT | O_WRONLY, 0600));
	ASSERT_OK(symlink(target, link));
	/* A link as the file: never followed, whoever made it. */
	ASSERT_EQ(open_in(t, "x.log", &job, &why), -ELOOP);
	ASSERT_NOT_NULL(why);
	ASSERT(strstr(why, "is a symbolic link"));
}

TEST(follows_roots_directory_links_only)
{
	char *t = tree(), *real = path(t, "real"), *link = path(t, "link");
	char *via = path(t, "link"), *why = NULL;
	int fd;

	ASSERT_OK(mkdir(real, 0755));
	ASSERT_OK(symlink("real", link));
	fd = open_in(via, "x.log", &job, &why);
	ASSERT(fd >= 0);
	close(fd);
	ASSERT_OK(access(path(real, "x.log"), F_OK));
	if (geteuid() != 0)
		return;
	ASSERT_OK(lchown(link, JOB_UID, JOB_UID));
	ASSERT_EQ(open_in(via, "y.log", &job, &why), -EPERM);
	ASSERT(strstr(why, "symbolic link of uid 4343"));
	ASSERT(access(path(real, "y.log"), F_OK) < 0);
}

TEST(refuses_a_directory_of_another_user)
{
	char *t = tree(), *d = path(t, "other"), *why = NULL;
	struct stat st;
	int fd;

	if (geteuid() != 0)
		return;
	ASSERT_OK(mkdir(d, 0755));
	ASSERT_OK(chown(d, OTHER_UID, OTHER_UID));
	ASSERT_EQ(open_in(d, "x.log", &job, &why), -EPERM);
	ASSERT(strstr(why, "belongs to uid 4242"));
	/* The job's own directory is fine, and the file becomes its own. */
	ASSERT_OK(chown(d, JOB_UID, JOB_UID));
	why = NULL;
	fd = open_in(d, "x.log", &job, &why);
	ASSERT(fd >= 0);
	ASSERT_OK(fstat(fd, &st));
	ASSERT_EQ(st.st_uid, JOB_UID);
	close(fd);
}

TEST(refuses_a_directory_others_may_write)
{
	char *t = tree(), *d = path(t, "open"), *why = NULL;

	ASSERT_OK(mkdir(d, 0755));
	ASSERT_OK(chmod(d, 01777));
	ASSERT_EQ(open_in(d, "x.log", &job, &why), -EPERM);
	ASSERT(strstr(why, "writable by others"));
	/* Group-writable for the job's group only is fine. */
	if (geteuid() != 0)
		return;
	ASSERT_OK(chmod(d, 0775));
	ASSERT_OK(chown(d, 0, JOB_UID));
	why = NULL;
	ASSERT(open_in(d, "x.log", &job, &why) >= 0);
}

TEST(refuses_fifos_hard_links_and_foreign_files)
{
	char *t = tree(), *why = NULL, *f = path(t, "f.log");

	ASSERT_OK(mkfifo(path(t, "fifo.log"), 0600));
	ASSERT_EQ(open_in(t, "fifo.log", &job, &why), -ENXIO);
	ASSERT(strstr(why, "not a regular file"));
	close(open(f, O_CREAT | O_WRONLY, 0600));
	ASSERT_OK(link(f, path(t, "hard.log")));
	why = NULL;
	ASSERT_EQ(open_in(t, "hard.log", &job, &why), -EPERM);
	ASSERT(strstr(why, "2 hard links"));
	if (geteuid() != 0)
		return;
	ASSERT_OK(unlink(path(t, "hard.log")));
	ASSERT_OK(chown(f, OTHER_UID, OTHER_UID));
	why = NULL;
	ASSERT_EQ(open_in(t, "f.log", &job, &why), -EPERM);
	ASSERT(strstr(why, "belongs to uid 4242"));
}

TEST(refuses_dot_dot)
{
	char *t = tree(), *p = path(t, "a/../b"), *why = NULL;

	ASSERT_EQ(safe_open_dir(p, &job, true, &why), -EINVAL);
	ASSERT(strstr(keep(why), "'..'"));
}

static const struct test tests[] = {
	TEST_ENTRY(opens_and_creates_in_roots_directories),
	TEST_ENTRY(refuses_a_link_of_another_user),
	TEST_ENTRY(follows_roots_directory_links_only),
	TEST_ENTRY(refuses_a_directory_of_another_user),
	TEST_ENTRY(refuses_a_directory_others_may_write),
	TEST_ENTRY(refuses_fifos_hard_links_and_foreign_files),
	TEST_ENTRY(refuses_dot_dot),
};

TEST_MAIN(tests)
