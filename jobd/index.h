/* A hash index of pointers to objects that carry their own key (a job by
 * its name, a run by its id): open addressing with linear probing and
 * deletion by backward shift, so lookups stay O(1) at 10,000 units. */
#ifndef JOBD_INDEX_H
#define JOBD_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct index_ops {
	uint64_t (*hash_elem)(const void *elem);
	uint64_t (*hash_key)(const void *key);
	bool (*match)(const void *elem, const void *key);
};

struct index {
	const struct index_ops *ops;
	void **slots;
	size_t cap, n;			/* cap: 0 or a power of two */
};

void index_init(struct index *, const struct index_ops *);
void index_free(struct index *);
/* Adds elem (whose key must not be there yet). */
void index_add(struct index *, void *elem);
/* Removes elem itself (not another with the same key); false if absent. */
bool index_remove(struct index *, const void *elem);
void *index_find(const struct index *, const void *key);

/* FNV-1a of a string, and a mix for integer keys. */
uint64_t index_hash_string(const char *);
uint64_t index_hash_u64(uint64_t);

#endif
