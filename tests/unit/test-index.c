/* Tests for the hash index (jobd/index.c) that units.c keeps jobs by name
 * and runs by id in: adding, finding and removing, growth through many
 * doublings, and removal by backward shift, checked against a plain array
 * with hashes chosen so that clusters form, collide and wrap around the
 * end of the table. */
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "runner.h"

/* An element whose hash the test chooses; its key is the id. */
struct elem {
	uint64_t id;
	uint64_t hash;
};

/* A key carries the hash its element was given, so that a lookup probes
 * from the same home slot. */
struct key {
	uint64_t id;
	uint64_t hash;
};

static uint64_t
elem_hash(const void *e)
{
	return ((const struct elem *)e)->hash;
}

static uint64_t
key_hash(const void *k)
{
	return ((const struct key *)k)->hash;
}

static bool
elem_match(const void *e, const void *k)
{
	return ((const struct elem *)e)->id == ((const struct key *)k)->id;
}

static const struct index_ops ops = { elem_hash, key_hash, elem_match };

static struct elem *
find(const struct index *x, const struct elem *e)
{
	struct key k = { e->id, e->hash };

	return index_find(x, &k);
}

/* Linear probing's invariant: every slot from an element's home up to
 * where it sits is occupied (else a lookup would stop short of it). */
static void
check_probe_chains(const struct index *x)
{
	size_t i, j, n = 0;

	for (i = 0; i < x->cap; i++) {
		if (!x->slots[i])
			continue;
		n++;
		for (j = elem_hash(x->slots[i]) & (x->cap - 1); j != i;
		    j = (j + 1) & (x->cap - 1))
			if (!x->slots[j])
				test_fail(__FILE__, __LINE__, "slot %zu empty "
				    "between the home and slot %zu", j, i);
	}
	ASSERT_EQ(n, x->n);
}

/* Every element marked present is found as itself, every other one is
 * not, and the count agrees. */
static void
check_against(const struct index *x, struct elem *e, const bool *present,
    size_t n)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++) {
		if (present[i]) {
			count++;
			if (find(x, &e[i]) != &e[i])
				test_fail(__FILE__, __LINE__, "element %zu "
				    "(id %llu, hash %llu) not found", i,
				    (unsigned long long)e[i].id,
				    (unsigned long long)e[i].hash);
		} else if (find(x, &e[i])) {
			test_fail(__FILE__, __LINE__, "removed element %zu "
			    "still found", i);
		}
	}
	ASSERT_EQ(x->n, count);
}

TEST(empty_index_finds_nothing)
{
	struct index x;
	struct elem e = { 1, 1 };

	index_init(&x, &ops);
	ASSERT_NULL(find(&x, &e));
	ASSERT(!index_remove(&x, &e));
	ASSERT_EQ(x.n, 0);
	index_free(&x);
	/* Usable again after index_free. */
	index_add(&x, &e);
	ASSERT(find(&x, &e) == &e);
	index_free(&x);
	ASSERT_NULL(find(&x, &e));
	ASSERT_EQ(x.cap, 0);
}

TEST(add_find_remove)
{
	struct elem e[3] = { { 10, 0 }, { 20, 0 }, { 30, 0 } };
	struct elem other = { 40, 0 };
	struct index x;
	int i;

	for (i = 0; i < 3; i++)
		e[i].hash = index_hash_u64(e[i].id);
	other.hash = index_hash_u64(other.id);
	index_init(&x, &ops);
	for (i = 0; i < 3; i++)
		index_add(&x, &e[i]);
	ASSERT_EQ(x.n, 3);
	ASSERT_EQ(x.cap, 16);
	for (i = 0; i < 3; i++)
		ASSERT(find(&x, &e[i]) == &e[i]);
	ASSERT_NULL(find(&x, &other));
	ASSERT(!index_remove(&x, &other));
	ASSERT(index_remove(&x, &e[1]));
	ASSERT_NULL(find(&x, &e[1]));
	ASSERT(!index_remove(&x, &e[1]));	/* once only */
	ASSERT(find(&x, &e[0]) == &e[0]);
	ASSERT(find(&x, &e[2]) == &e[2]);
	ASSERT_EQ(x.n, 2);
	index_free(&x);
}

/* index_remove takes the element itself: another element with the same
 * key (a job of the same name, freed later) is not removed in its place. */
TEST(remove_is_by_identity)
{
	struct elem a = { 7, 3 }, twin = { 7, 3 };
	struct index x;

	index_init(&x, &ops);
	index_add(&x, &a);
	ASSERT(!index_remove(&x, &twin));
	ASSERT_EQ(x.n, 1);
	ASSERT(find(&x, &a) == &a);
	ASSERT(index_remove(&x, &a));
	ASSERT_EQ(x.n, 0);
	index_free(&x);
}

/* The table doubles at 3/4 full: 100,000 elements pass through 13
 * doublings and each is found afterwards (a rehash that lost one, or put
 * one where its probe cannot reach, fails here). */
TEST(grows_past_many_doublings)
{
	size_t n = 100000, i, cap = 0, grew = 0;
	struct elem *e = calloc(n, sizeof(*e));
	struct index x;

	ASSERT_NOT_NULL(e);
	index_init(&x, &ops);
	for (i = 0; i < n; i++) {
		e[i].id = i + 1;
		e[i].hash = index_hash_u64(e[i].id);
		index_add(&x, &e[i]);
		if (x.cap != cap) {
			grew++;
			cap = x.cap;
		}
		ASSERT(x.n * 4 <= x.cap * 3);
	}
	ASSERT_EQ(x.n, n);
	ASSERT_EQ(x.cap, 262144);
	ASSERT_EQ(grew, 15);		/* 16, 32, ..., 262144 */
	check_probe_chains(&x);
	for (i = 0; i < n; i++)
		ASSERT(find(&x, &e[i]) == &e[i]);
	/* Half removed (every other one): the rest still found, and the
	 * table does not shrink. */
	for (i = 0; i < n; i += 2)
		ASSERT(index_remove(&x, &e[i]));
	ASSERT_EQ(x.n, n / 2);
	ASSERT_EQ(x.cap, cap);
	for (i = 0; i < n; i++)
		ASSERT((find(&x, &e[i]) == &e[i]) == (i % 2 == 1));
	check_probe_chains(&x);
	index_free(&x);
	free(e);
}

/* Elements that all hash alike form one cluster; whichever one leaves,
 * the others are found. */
TEST(colliding_hashes)
{
	struct elem e[10];
	bool present[10];
	struct index x;
	size_t i, k;

	for (k = 0; k < 10; k++) {
		index_init(&x, &ops);
		for (i = 0; i < 10; i++) {
			e[i] = (struct elem){ i + 1, 0xdead0005 };
			present[i] = true;
			index_add(&x, &e[i]);
		}
		CASE("removing element %zu of a 10-element cluster", k);
		ASSERT(index_remove(&x, &e[k]));
		present[k] = false;
		check_against(&x, e, present, 10);
		check_probe_chains(&x);
		index_free(&x);
	}
}

/* Home slots of a 16-slot table for a cluster that wraps around its end:
 * elements whose home is before the hole, at it, and after it, so that
 * each case of the backward shift (move, or stay put) comes up. */
static const uint64_t wrap_homes[] = { 13, 14, 14, 15, 0, 15, 1, 0 };
#define NWRAP (sizeof(wrap_homes) / sizeof(wrap_homes[0]))

/* The next permutation of p in lexicographic order; false after the
 * last. */
static bool
next_permutation(size_t *p, size_t n)
{
	size_t i, j, t;

	for (i = n - 1; i > 0 && p[i - 1] >= p[i]; i--)
		;
	if (i == 0)
		return false;
	for (j = n - 1; p[j] <= p[i - 1]; j--)
		;
	t = p[i - 1];
	p[i - 1] = p[j];
	p[j] = t;
	for (j = n - 1; i < j; i++, j--) {
		t = p[i];
		p[i] = p[j];
		p[j] = t;
	}
	return true;
}

/* Every order of removing the 8 elements of the wrapping cluster (40,320
 * orders), checking after each removal that the others are found and
 * the probe chains hold. */
TEST(backward_shift_in_every_order)
{
	size_t order[NWRAP], i, step, orders = 0;
	struct elem e[NWRAP];
	bool present[NWRAP];
	struct index x;

	for (i = 0; i < NWRAP; i++)
		order[i] = i;
	do {
		index_init(&x, &ops);
		for (i = 0; i < NWRAP; i++) {
			/* High bits differ: the home is the low 4 bits. */
			e[i] = (struct elem){ i + 1,
			    wrap_homes[i] | (i + 1) << 32 };
			present[i] = true;
			index_add(&x, &e[i]);
		}
		ASSERT_EQ(x.cap, 16);
		check_probe_chains(&x);
		for (step = 0; step < NWRAP; step++) {
			ASSERT(index_remove(&x, &e[order[step]]));
			present[order[step]] = false;
			check_against(&x, e, present, NWRAP);
			check_probe_chains(&x);
		}
		ASSERT_EQ(x.n, 0);
		for (i = 0; i < x.cap; i++)
			ASSERT_NULL(x.slots[i]);
		index_free(&x);
		orders++;
	} while (next_permutation(order, NWRAP));
	ASSERT_EQ(orders, 40320);
}

/* A small deterministic generator (xorshift64), so a failure repeats. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Adds and removes at random, with hashes from a range of 64 so that
 * clusters are long and many share a home, against a reference array;
 * the table grows and shrinks in use between 0 and 2000 elements. */
TEST(random_churn_against_reference)
{
	size_t n = 2000, i, op, live = 0;
	struct elem *e = calloc(n, sizeof(*e));
	bool *present = calloc(n, sizeof(*present));
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	struct index x;

	ASSERT_NOT_NULL(e);
	ASSERT_NOT_NULL(present);
	for (i = 0; i < n; i++)
		e[i] = (struct elem){ i + 1, rnd(&seed) % 64 };
	index_init(&x, &ops);
	for (op = 0; op < 200000; op++) {
		i = rnd(&seed) % n;
		if (present[i]) {
			ASSERT(index_remove(&x, &e[i]));
			live--;
		} else {
			index_add(&x, &e[i]);
			live++;
		}
		present[i] = !present[i];
		ASSERT_EQ(x.n, live);
		if (op % 5000 == 0) {
			check_against(&x, e, present, n);
			check_probe_chains(&x);
		}
	}
	check_against(&x, e, present, n);
	check_probe_chains(&x);
	index_free(&x);
	free(e);
	free(present);
}

/* The hashes units.c uses: FNV-1a for names (the published values), and
 * a mix that spreads consecutive run ids over the low bits. */
TEST(hash_functions)
{
	bool seen[1024] = { false };
	size_t i, distinct = 0;

	ASSERT_EQ(index_hash_string(""), 0xcbf29ce484222325ULL);
	ASSERT_EQ(index_hash_string("a"), 0xaf63dc4c8601ec8cULL);
	ASSERT_EQ(index_hash_string("foobar"), 0x85944171f73967e8ULL);
	for (i = 1; i <= 1024; i++) {
		size_t slot = index_hash_u64(i) & 1023;

		if (!seen[slot]) {
			seen[slot] = true;
			distinct++;
		}
	}
	/* Random placement would fill about 1 - 1/e of the slots (647). */
	ASSERT(distinct > 580);
}

/* Keyed by string, as units.c keys jobs by name. */
struct named {
	const char *name;
};

static uint64_t
named_hash(const void *e)
{
	return index_hash_string(((const struct named *)e)->name);
}

static uint64_t
name_hash(const void *k)
{
	return index_hash_string(k);
}

static bool
named_match(const void *e, const void *k)
{
	return !strcmp(((const struct named *)e)->name, k);
}

static const struct index_ops named_ops = { named_hash, name_hash,
    named_match };

TEST(string_keys)
{
	struct named a = { "backup" }, b = { "backup-db" }, c = { "" };
	struct index x;
	char key[] = "backup";

	index_init(&x, &named_ops);
	index_add(&x, &a);
	index_add(&x, &b);
	index_add(&x, &c);
	/* Found by an equal string, not the same pointer. */
	ASSERT(index_find(&x, key) == &a);
	ASSERT(index_find(&x, "backup-db") == &b);
	ASSERT(index_find(&x, "") == &c);
	ASSERT_NULL(index_find(&x, "backu"));
	ASSERT(index_remove(&x, &a));
	ASSERT_NULL(index_find(&x, key));
	ASSERT(index_find(&x, "backup-db") == &b);
	index_free(&x);
}

static const struct test tests[] = {
	TEST_ENTRY(empty_index_finds_nothing),
	TEST_ENTRY(add_find_remove),
	TEST_ENTRY(remove_is_by_identity),
	TEST_ENTRY_TIMEOUT(grows_past_many_doublings, 60),
	TEST_ENTRY(colliding_hashes),
	TEST_ENTRY_TIMEOUT(backward_shift_in_every_order, 60),
	TEST_ENTRY_TIMEOUT(random_churn_against_reference, 60),
	TEST_ENTRY(hash_functions),
	TEST_ENTRY(string_keys),
};

TEST_MAIN(tests)
