/* Unit tests for the output tail: the bound on memory (bytes plus the
 * per-line charge, and the line cap), eviction order, last-N, and the
 * backward filling used when reading the journal or the ledger. */
#include "runner.h"
#include "tail.h"

/* What the lines really hold, walked: their count and allocations. */
static size_t
tail_walk(const struct tail *t, size_t *ret_cost)
{
	const struct tail_line *l;
	size_t n = 0, cost = 0;

	TAILQ_FOREACH(l, &t->lines, entry) {
		n++;
		cost += sizeof(*l) + l->len;
	}
	*ret_cost = cost;
	return n;
}

static size_t
tail_count(const struct tail *t)
{
	size_t cost;

	return tail_walk(t, &cost);
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
	ASSERT_EQ(t.cost, 2 * TAIL_LINE_COST(3));
	tail_done(&t);
	ASSERT_EQ(t.cost, 0);
}

TEST(evicts_oldest_whole_lines)
{
	size_t max = 5 * TAIL_LINE_COST(6) + 3;
	struct tail t;
	char buf[10];
	int i;

	tail_init(&t, max);
	for (i = 0; i < 10; i++) {
		snprintf(buf, sizeof(buf), "line-%d", i);	/* 6 bytes */
		tail_append(&t, TAIL_STDOUT, i, buf, 6);
		ASSERT(t.cost <= max);
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
	tail_init(&t, TAIL_LINE_COST(40));
	tail_append(&t, TAIL_STDOUT, 0, "a", 1);
	tail_append(&t, TAIL_STDOUT, 0, big, sizeof(big));
	ASSERT_EQ(tail_count(&t), 1);
	ASSERT_EQ(TAILQ_FIRST(&t.lines)->len, 40);
	ASSERT_EQ(t.cost, TAIL_LINE_COST(40));
	tail_done(&t);
}

/* The attack of issue 14: `yes ''` made lines that cost the byte count
 * nothing, so none was ever evicted. */
TEST(flood_of_empty_lines_stays_bounded)
{
	size_t n, cost, i;
	struct tail t;

	tail_init(&t, 64 * 1024);
	for (i = 0; i < 1000000; i++) {
		tail_append(&t, TAIL_STDOUT, i, "", 0);
		ASSERT(t.cost <= 64 * 1024);
	}
	n = tail_walk(&t, &cost);
	ASSERT_EQ(n, t.nlines);
	ASSERT_EQ(cost, t.cost);
	ASSERT(cost <= 64 * 1024);
	ASSERT_EQ(n, 64 * 1024 / TAIL_LINE_COST(0));
	ASSERT_EQ(t.dropped, 1000000 - n);
	ASSERT_EQ(TAILQ_LAST(&t.lines, tail_lines)->usec, 999999);
	tail_done(&t);
}

TEST(line_cap_holds_under_a_large_bound)
{
	size_t n, cost, i;
	struct tail t;

	tail_init(&t, 16 * 1024 * 1024);
	for (i = 0; i < 3 * TAIL_MAX_LINES; i++)
		tail_append(&t, TAIL_STDERR, i, "x", 1);
	n = tail_walk(&t, &cost);
	ASSERT_EQ(n, TAIL_MAX_LINES);
	ASSERT_EQ(cost, TAIL_MAX_LINES * TAIL_LINE_COST(1));
	ASSERT_EQ(TAILQ_FIRST(&t.lines)->usec, 2 * TAIL_MAX_LINES);
	tail_done(&t);
}

TEST(prepend_fills_backwards_until_full)
{
	size_t max = 3 * TAIL_LINE_COST(2);
	const struct tail_line *l;
	struct tail t;

	tail_init(&t, max);
	ASSERT(tail_prepend(&t, TAIL_STDOUT, 3, "l3", 2));
	ASSERT(tail_prepend(&t, TAIL_STDERR, 2, "l2", 2));
	ASSERT(tail_prepend(&t, TAIL_STDOUT, 1, "l1", 2));
	ASSERT(!tail_prepend(&t, TAIL_STDOUT, 0, "", 0));
	ASSERT_EQ(t.cost, max);
	l = TAILQ_FIRST(&t.lines);
	ASSERT(!memcmp(l->data, "l1", 2));
	ASSERT(!memcmp(TAILQ_NEXT(l, entry)->data, "l2", 2));
	ASSERT_EQ(TAILQ_NEXT(l, entry)->stream, TAIL_STDERR);
	ASSERT(!memcmp(TAILQ_LAST(&t.lines, tail_lines)->data, "l3", 2));
	tail_done(&t);

	/* The newest line alone over the bound: kept cut, as appended. */
	tail_init(&t, TAIL_LINE_COST(4));
	ASSERT(tail_prepend(&t, TAIL_STDOUT, 0, "123456", 6));
	ASSERT_EQ(TAILQ_FIRST(&t.lines)->len, 4);
	ASSERT(!tail_prepend(&t, TAIL_STDOUT, 0, "", 0));
	tail_done(&t);
}

TEST(prepend_stops_at_the_line_cap)
{
	struct tail t;
	size_t i;

	tail_init(&t, 16 * 1024 * 1024);
	for (i = 0; i < TAIL_MAX_LINES; i++)
		ASSERT(tail_prepend(&t, TAIL_STDOUT, 0, "", 0));
	ASSERT(!tail_prepend(&t, TAIL_STDOUT, 0, "", 0));
	ASSERT_EQ(tail_count(&t), TAIL_MAX_LINES);
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
	ASSERT_EQ(tail_last(&t, 9)->data[0], '1');
	tail_done(&t);
}

/* The last lines within a count and a byte bound, whole lines only. */
TEST(last_fit)
{
	struct tail t;
	char buf[64];
	int i;

	tail_init(&t, 64 * 1024);
	ASSERT_NULL(tail_last_fit(&t, 20, 4096));
	for (i = 0; i < 30; i++) {
		snprintf(buf, sizeof(buf), "%02d", i);
		tail_append(&t, TAIL_STDOUT, i, buf, 2);
	}
	/* The count binds: lines 10..29. */
	ASSERT(!memcmp(tail_last_fit(&t, 20, 4096)->data, "10", 2));
	/* The bytes bind: 7 lines of 2 bytes in 15. */
	ASSERT(!memcmp(tail_last_fit(&t, 20, 15)->data, "23", 2));
	ASSERT(!memcmp(tail_last_fit(&t, 20, 2)->data, "29", 2));
	ASSERT_NULL(tail_last_fit(&t, 20, 1));
	ASSERT_NULL(tail_last_fit(&t, 0, 4096));
	/* A long newest line that does not fit leaves nothing. */
	memset(buf, 'x', sizeof(buf));
	tail_append(&t, TAIL_STDERR, 30, buf, sizeof(buf));
	ASSERT_NULL(tail_last_fit(&t, 20, sizeof(buf) - 1));
	ASSERT_EQ(tail_last_fit(&t, 20, sizeof(buf))->len, sizeof(buf));
	ASSERT(!memcmp(tail_last_fit(&t, 20, sizeof(buf) + 4)->data, "28",
	    2));
	tail_done(&t);
}

static const struct test tests[] = {
	TEST_ENTRY(keeps_lines_in_order),
	TEST_ENTRY(evicts_oldest_whole_lines),
	TEST_ENTRY(truncates_a_line_over_the_bound),
	TEST_ENTRY(flood_of_empty_lines_stays_bounded),
	TEST_ENTRY(line_cap_holds_under_a_large_bound),
	TEST_ENTRY(prepend_fills_backwards_until_full),
	TEST_ENTRY(prepend_stops_at_the_line_cap),
	TEST_ENTRY(binary_bytes_kept_exactly),
	TEST_ENTRY(last_n),
	TEST_ENTRY(last_fit),
};

TEST_MAIN(tests)
