/* A tiny TAP test runner: each TEST runs in its own forked process under an
 * alarm() timeout, so a crash or hang fails one test, not the binary. */
#ifndef JOBD_TEST_RUNNER_H
#define JOBD_TEST_RUNNER_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test {
	const char *name;
	void (*fn)(void);
	unsigned timeout_sec;		/* 0: the default, 10 s */
};

#define TEST(name) static void test_##name(void)
#define TEST_ENTRY(name) { #name, test_##name, 0 }
#define TEST_ENTRY_TIMEOUT(name, sec) { #name, test_##name, sec }

int test_main(int argc, char **argv, const struct test *tests, size_t n);

#define TEST_MAIN(table)						\
	int main(int argc, char **argv)					\
	{								\
		return test_main(argc, argv, table,			\
		    sizeof(table) / sizeof(table[0]));			\
	}

/* Lines joined with newlines (allocated; "" for none). */
char *test_join_lines(char **lines);
/* A whole file (allocated, NUL-terminated), its length in *len; fails
 * the test when it cannot be read. */
char *test_read_file(const char *path, size_t *len);
/* Removes a directory and everything below it; fails the test if it
 * cannot. */
void test_rm_tree(const char *dir);

void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

#define ASSERT(c) do {							\
	if (!(c))							\
		test_fail(__FILE__, __LINE__, "assertion failed: %s", #c); \
} while (0)

#define ASSERT_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b)							\
		test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld",	\
		    #a, #b, _a, _b);					\
} while (0)

#define ASSERT_OK(a) ASSERT_EQ(a, 0)

#define ASSERT_STREQ(a, b) do {						\
	const char *_a = (a), *_b = (b);				\
	if (!_a || !_b || strcmp(_a, _b))				\
		test_fail(__FILE__, __LINE__, "%s == %s: '%s' != '%s'",	\
		    #a, #b, _a ? _a : "(null)", _b ? _b : "(null)");	\
} while (0)

#define ASSERT_NULL(a) ASSERT((a) == NULL)
#define ASSERT_NOT_NULL(a) ASSERT((a) != NULL)

/* Names the table row being checked, in case an assertion fails. */
#define CASE(...) do {							\
	printf("# " __VA_ARGS__);					\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

#endif
