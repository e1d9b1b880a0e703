/* The unit test runner: forks each test with a timeout and prints TAP.
 * Arguments: --list prints the names; other arguments select tests whose
 * name contains them.  Also the few helpers every kind of test uses. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "runner.h"
#include "xmalloc.h"

void
test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
	abort();
}

static bool
test_selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return true;
	for (i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

static bool
test_run_one(const struct test *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		alarm(t->timeout_sec ? t->timeout_sec : 10);
		t->fn();
		fflush(stdout);
		/* exit, not _exit: LeakSanitizer runs at exit. */
		exit(0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return false;
	if (WIFSIGNALED(status)) {
		printf("# %s: killed by signal %d%s\n", t->name,
		    WTERMSIG(status),
		    WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
		return false;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int
test_main(int argc, char **argv, const struct test *tests, size_t n)
{
	size_t i, count = 0, k = 0, failed = 0;

	if (argc > 1 && !strcmp(argv[1], "--list")) {
		for (i = 0; i < n; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	for (i = 0; i < n; i++)
		count += test_selected(tests[i].name, argc, argv);
	printf("1..%zu\n", count);
	for (i = 0; i < n; i++) {
		if (!test_selected(tests[i].name, argc, argv))
			continue;
		if (test_run_one(&tests[i])) {
			printf("ok %zu - %s\n", ++k, tests[i].name);
		} else {
			printf("not ok %zu - %s\n", ++k, tests[i].name);
			failed++;
		}
	}
	return failed ? 1 : 0;
}

char *
test_join_lines(char **l)
{
	char *s = xstrdup(""), *t;
	size_t i;

	for (i = 0; l && l[i]; i++) {
		t = xstrfmt("%s%s%s", s, i ? "\n" : "", l[i]);
		free(s);
		s = t;
	}
	return s;
}

char *
test_read_file(const char *path, size_t *len)
{
	struct stat st;
	size_t n = 0;
	ssize_t r;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		test_fail(__FILE__, __LINE__, "cannot read '%s': %s", path,
		    strerror(errno));
	buf = xmalloc((size_t)st.st_size + 1);
	while (n < (size_t)st.st_size &&
	    (r = read(fd, buf + n, (size_t)st.st_size - n)) > 0)
		n += (size_t)r;
	close(fd);
	if (n != (size_t)st.st_size)
		test_fail(__FILE__, __LINE__, "short read of '%s'", path);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

void
test_rm_tree(const char *dir)
{
	if (nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS) < 0)
		test_fail(__FILE__, __LINE__, "cannot remove '%s': %s", dir,
		    strerror(errno));
}
