/* The hash index.  Probing is linear from the element's home slot; a
 * removal shifts the following elements of the cluster back so that no
 * tombstones accumulate (runs come and go all day).  The table doubles at
 * 3/4 full and never shrinks: its size is that of the busiest moment. */
#include <stdlib.h>

#include "index.h"
#include "xmalloc.h"

void
index_init(struct index *x, const struct index_ops *ops)
{
	*x = (struct index){ .ops = ops };
}

void
index_free(struct index *x)
{
	free(x->slots);
	x->slots = NULL;
	x->cap = x->n = 0;
}

static size_t
index_home(const struct index *x, uint64_t h)
{
	return (size_t)(h & (x->cap - 1));
}

static void
index_put(struct index *x, void *elem)
{
	size_t i = index_home(x, x->ops->hash_elem(elem));

	while (x->slots[i])
		i = (i + 1) & (x->cap - 1);
	x->slots[i] = elem;
}

static void
index_grow(struct index *x)
{
	void **old = x->slots;
	size_t oldcap = x->cap, i;

	x->cap = x->cap ? x->cap * 2 : 16;
	x->slots = xcalloc(x->cap, sizeof(*x->slots));
	for (i = 0; i < oldcap; i++)
		if (old[i])
			index_put(x, old[i]);
	free(old);
}

void
index_add(struct index *x, void *elem)
{
	if ((x->n + 1) * 4 > x->cap * 3)
		index_grow(x);
	index_put(x, elem);
	x->n++;
}

void *
index_find(const struct index *x, const void *key)
{
	size_t i;

	if (!x->cap)
		return NULL;
	for (i = index_home(x, x->ops->hash_key(key)); x->slots[i];
	    i = (i + 1) & (x->cap - 1))
		if (x->ops->match(x->slots[i], key))
			return x->slots[i];
	return NULL;
}

/* Whether slot j lies cyclically in (i, k]: then an element at j whose
 * home is k may not move to the hole at i. */
static bool
index_between(size_t i, size_t k, size_t j)
{
	return i <= j ? (i < k && k <= j) : (i < k || k <= j);
}

bool
index_remove(struct index *x, const void *elem)
{
	size_t i, j, k;

	if (!x->cap)
		return false;
	for (i = index_home(x, x->ops->hash_elem(elem)); x->slots[i] != elem;
	    i = (i + 1) & (x->cap - 1))
		if (!x->slots[i])
			return false;
	x->slots[i] = NULL;
	x->n--;
	/* Backward shift: each later element of the cluster that may fill
	 * the hole moves into it, and its old slot becomes the hole. */
	for (j = (i + 1) & (x->cap - 1); x->slots[j];
	    j = (j + 1) & (x->cap - 1)) {
		k = index_home(x, x->ops->hash_elem(x->slots[j]));
		if (index_between(i, k, j))
			continue;
		x->slots[i] = x->slots[j];
		x->slots[j] = NULL;
		i = j;
	}
	return true;
}

uint64_t
index_hash_string(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

uint64_t
index_hash_u64(uint64_t v)
{
	/* splitmix64's finaliser: consecutive ids spread over the table. */
	v ^= v >> 30;
	v *= 0xbf58476d1ce4e5b9ULL;
	v ^= v >> 27;
	v *= 0x94d049bb133111ebULL;
	return v ^ (v >> 31);
}
