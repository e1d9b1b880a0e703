/* Unit tests for the output tail: bounds, eviction order, last-N. */
#include "runner.h"
#include "tail.h"

static size_t
tail_count(const struct tail *t)
{
	const struct tail_line *l;
	size_t n = 0;

	TAILQ_FOREACH(l, &t->lines, entry)
		n++;
	return n;
}

TEST(keeps_lines_in_order)
{
	struct tail t;
	const struct tail_line *l;

	tail_init(&t, 1024);
	tail_append(&t, TAIL_STDOUT, 1, "one", 3);
	tail_append(&t, TAIL_STDERR, 2, "two", 3);
	l = TAILQ_FIRST(&t.lines);
	ASSERT_EQ(l->len, 3);
	ASSERT(!memcmp(l->data, "one", 3));
	ASSERT_EQ(l->stream, TAIL_STDOUT);
	l = TAILQ_NEXT(l, entry);
	ASSERT(!memcmp(l->data, "two", 3));
	ASSERT_EQ(l->stream, TAIL_STDERR);
	ASSERT_EQ(l->usec, 2);
	ASSERT_EQ(t.bytes, 6);
	tail_done(&t);
	ASSERT_EQ(t.bytes, 0);
}

TEST(evicts_oldest_whole_lines)
{
	struct tail t;
	char buf[10];
	int i;

	tail_init(&t, 35);
	for (i = 0; i < 10; i++) {
		snprintf(buf, sizeof(buf), "line-%d", i);	/* 6 bytes */
		tail_append(&t, TAIL_STDOUT, i, buf, 6);
		ASSERT(t.bytes <= 35);
	}
	ASSERT_EQ(tail_count(&t), 5);
	ASSERT_EQ(t.dropped, 5);
	ASSERT(!memcmp(TAILQ_FIRST(&t.lines)->data, "line-5", 6));
	tail_done(&t);
}

TEST(truncates_a_line_over_the_bound)
{
	struct tail t;
	char big[100];

	memset(big, 'x', sizeof(big));
	tail_init(&t, 40);
	tail_append(&t, TAIL_STDOUT, 0, "a", 1);
	tail_append(&t, TAIL_STDOUT, 0, big, sizeof(big));
	ASSERT_EQ(tail_count(&t), 1);
	ASSERT_EQ(TAILQ_FIRST(&t.lines)->len, 40);
	tail_done(&t);
}

TEST(binary_bytes_kept_exactly)
{
	struct tail t;
	char bin[256];
	int i;

	for (i = 0; i < 256; i++)
		bin[i] = (char)i;
	tail_init(&t, 1024);
	tail_append(&t, TAIL_STDOUT, 0, bin, sizeof(bin));
	ASSERT(!memcmp(TAILQ_FIRST(&t.lines)->data, bin, sizeof(bin)));
	tail_done(&t);
}

TEST(last_n)
{
	struct tail t;
	char buf[4];
	int i;

	tail_init(&t, 1024);
	ASSERT_NULL(tail_last(&t, 3));
	for (i = 0; i < 10; i++) {
		snprintf(buf, sizeof(buf), "%d", i);
		tail_append(&t, TAIL_STDOUT, i, buf, 1);
	}
	ASSERT_EQ(tail_last(&t, 3)->data[0], '7');
	ASSERT_EQ(tail_last(&t, 0)->data[0], '0');
	ASSERT_EQ(tail_last(&t, 10)->data[0], '0');
	ASSERT_EQ(tail_last(&t, 50)->data[0], '0');
	ASSERT_EQ(tail_last(&t, 1)->data[0], '9');
	tail_done(&t);
}

static const struct test tests[] = {
	TEST_ENTRY(keeps_lines_in_order),
	TEST_ENTRY(evicts_oldest_whole_lines),
	TEST_ENTRY(truncates_a_line_over_the_bound),
	TEST_ENTRY(binary_bytes_kept_exactly),
	TEST_ENTRY(last_n),
};

TEST_MAIN(tests)
