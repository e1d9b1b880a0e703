/* Unit tests for rotated log files in a temporary directory: the shift
 * with plain and gzip'd files mixed (output_file_keep= counts both), the
 * age limit, compression (content, mode and age kept), and compressions
 * that fail (a file size limit, a name taken by a directory) leaving the
 * plain file and no temporary file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "logfile-rotate.h"
#include "runner.h"
#include "xmalloc.h"

static char *dir_path;
static int dir_fd = -1;

static void
cleanup(void)
{
	if (dir_path)
		test_rm_tree(dir_path);
	free(dir_path);
}

static void
fresh_dir(void)
{
	dir_path = xstrdup("/tmp/jd-rot-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(dir_path));
	atexit(cleanup);
	dir_fd = open(dir_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT(dir_fd >= 0);
}

static void
put(const char *name, const char *text)
{
	int fd = openat(dir_fd, name, O_CREAT | O_TRUNC | O_WRONLY, 0640);

	ASSERT(fd >= 0);
	ASSERT_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
	close(fd);
}

static char *
get(const char *name)
{
	_cleanup_free_ char *p = xstrfmt("%s/%s", dir_path, name);
	size_t n;

	return test_read_file(p, &n);
}

static bool
exists(const char *name)
{
	struct stat st;

	return fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The directory's names, sorted, space-separated. */
static char *
listing(void)
{
	struct dirent **v;
	char *s = xstrdup(""), *t;
	int n, i;

	n = scandir(dir_path, &v, NULL, alphasort);
	ASSERT(n >= 0);
	for (i = 0; i < n; i++) {
		if (v[i]->d_name[0] != '.') {
			t = xstrfmt("%s%s%s", s, *s ? " " : "", v[i]->d_name);
			free(s);
			s = t;
		}
		free(v[i]);
	}
	free(v);
	return s;
}

static void
set_age(const char *name, time_t secs_ago)
{
	struct timespec ts[2] = { { time(NULL) - secs_ago, 0 },
	    { time(NULL) - secs_ago, 0 } };

	ASSERT_OK(utimensat(dir_fd, name, ts, AT_SYMLINK_NOFOLLOW));
}

TEST(shift_counts_compressed_files)
{
	char *s;

	fresh_dir();
	put("x.log", "now");
	put("x.log.1.gz", "one");
	put("x.log.2", "two");
	put("x.log.3.gz", "three");
	put("x.log.3", "stray three");
	logrotate_shift(dir_fd, "x.log", 3);
	ASSERT_STREQ(s = listing(), "x.log.1 x.log.2.gz x.log.3");
	free(s);
	ASSERT_STREQ(s = get("x.log.1"), "now");
	free(s);
	ASSERT_STREQ(s = get("x.log.2.gz"), "one");
	free(s);
	ASSERT_STREQ(s = get("x.log.3"), "two");
	free(s);
}

TEST(shift_keep_zero_removes)
{
	char *s;

	fresh_dir();
	put("x.log", "now");
	logrotate_shift(dir_fd, "x.log", 0);
	ASSERT_STREQ(s = listing(), "");
	free(s);
}

TEST(prune_by_age)
{
	char *s;

	fresh_dir();
	put("x.log", "current, never pruned");
	put("x.log.1", "new");
	put("x.log.2.gz", "old");
	put("x.log.3", "old");
	put("x.log.9", "beyond keep");
	set_age("x.log", 7200);
	set_age("x.log.2.gz", 7200);
	set_age("x.log.3", 3601);
	set_age("x.log.9", 7200);
	ASSERT_EQ(logrotate_prune(dir_fd, "x.log", 5, 0, now_realtime()), 0);
	ASSERT_EQ(logrotate_prune(dir_fd, "x.log", 5, 3600 * USEC_PER_SEC,
	    now_realtime()), 2);
	ASSERT_STREQ(s = listing(), "x.log x.log.1 x.log.9");
	free(s);
}

/* The whole gzip stream of name, decompressed. */
static char *
gunzip(const char *name)
{
	_cleanup_free_ char *p = xstrfmt("%s/%s", dir_path, name);
	char *buf = xmalloc(1 << 20);
	gzFile gz = gzopen(p, "rb");
	int n;

	ASSERT_NOT_NULL(gz);
	n = gzread(gz, buf, (1 << 20) - 1);
	ASSERT(n >= 0);
	buf[n] = '\0';
	gzclose(gz);
	return buf;
}

TEST(compress_plain_files)
{
	struct stat before, after;
	char *s, *big = xmalloc(200001);

	fresh_dir();
	memset(big, 'a', 200000);
	big[200000] = '\0';
	put("x.log", "current");
	put("x.log.1", big);
	put("x.log.2.gz", "already");
	put("x.log.3", "three\n");
	ASSERT_OK(fchmodat(dir_fd, "x.log.1", 0604, 0));
	set_age("x.log.1", 500);
	ASSERT_OK(fstatat(dir_fd, "x.log.1", &before, 0));
	s = NULL;
	ASSERT_OK(logrotate_compress(dir_fd, "x.log", 3, 0, &s));
	ASSERT_NULL(s);
	ASSERT_STREQ(s = listing(), "x.log x.log.1.gz x.log.2.gz x.log.3.gz");
	free(s);
	ASSERT_STREQ(s = gunzip("x.log.1.gz"), big);
	free(s);
	ASSERT_STREQ(s = gunzip("x.log.3.gz"), "three\n");
	free(s);
	ASSERT_OK(fstatat(dir_fd, "x.log.1.gz", &after, 0));
	ASSERT_EQ(after.st_mode & 07777, 0604);
	ASSERT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	ASSERT(after.st_size < 2000);
	ASSERT_STREQ(s = get("x.log"), "current");
	free(s);
	free(big);
}

TEST(compress_fails_on_a_size_limit)
{
	struct rlimit rl = { 4096, 4096 };
	char *s = NULL, *noise = xmalloc(65537);
	unsigned i, x = 12345;

	fresh_dir();
	/* Incompressible: the .gz outgrows the limit. */
	for (i = 0; i < 65536; i++) {
		x = x * 1103515245 + 12345;
		noise[i] = (char)('!' + (x >> 16) % 90);
	}
	noise[65536] = '\0';
	put("x.log.1", noise);
	signal(SIGXFSZ, SIG_IGN);
	ASSERT_OK(setrlimit(RLIMIT_FSIZE, &rl));
	ASSERT_EQ(logrotate_compress(dir_fd, "x.log", 2, 0, &s), -EFBIG);
	ASSERT_STREQ(s, "cannot compress 'x.log.1': File too large; it stays "
	    "uncompressed");
	free(s);
	ASSERT_STREQ(s = listing(), "x.log.1");
	free(s);
	ASSERT_STREQ(s = get("x.log.1"), noise);
	free(s);
	free(noise);
}

TEST(compress_fails_on_a_taken_name)
{
	char *s = NULL;

	fresh_dir();
	put("x.log.1", "one");
	put("x.log.2", "two");
	ASSERT_OK(mkdirat(dir_fd, "x.log.1.gz", 0755));
	ASSERT_EQ(logrotate_compress(dir_fd, "x.log", 2, 0, &s), -EISDIR);
	ASSERT_STREQ(s, "cannot compress 'x.log.1': Is a directory; it stays "
	    "uncompressed");
	free(s);
	/* The next file is compressed all the same. */
	ASSERT_STREQ(s = listing(), "x.log.1 x.log.1.gz x.log.2.gz");
	free(s);
	ASSERT(!exists("x.log.2"));
}

TEST(compress_leaves_links_and_fifos_alone)
{
	char *s = NULL;

	fresh_dir();
	put("secret", "not the log's");
	ASSERT_OK(linkat(dir_fd, "secret", dir_fd, "x.log.1", 0));
	ASSERT_OK(mkfifoat(dir_fd, "x.log.2", 0600));
	put("x.log.3", "three");
	ASSERT_EQ(logrotate_compress(dir_fd, "x.log", 3, 0, &s), -EPERM);
	ASSERT_STREQ(s, "'x.log.1' is not a regular file of root or the run's "
	    "user with one link: not compressed");
	free(s);
	ASSERT_STREQ(s = listing(), "secret x.log.1 x.log.2 x.log.3.gz");
	free(s);
}

static const struct test tests[] = {
	TEST_ENTRY(shift_counts_compressed_files),
	TEST_ENTRY(shift_keep_zero_removes),
	TEST_ENTRY(prune_by_age),
	TEST_ENTRY(compress_plain_files),
	TEST_ENTRY(compress_fails_on_a_size_limit),
	TEST_ENTRY(compress_fails_on_a_taken_name),
	TEST_ENTRY(compress_leaves_links_and_fifos_alone),
};

TEST_MAIN(tests)
