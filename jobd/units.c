/* The registry: a list in name order (List, Status and the scheduler walk
 * it) and two hash indexes, because a run start asks for each of its
 * dependencies by name and Wait for each run by id. */
#include <string.h>

#include "config.h"
#include "macro.h"
#include "units.h"

static uint64_t
job_hash(const void *elem)
{
	return index_hash_string(((const struct job *)elem)->name);
}

static uint64_t
name_hash(const void *key)
{
	return index_hash_string(key);
}

static bool
job_match(const void *elem, const void *key)
{
	return !strcmp(((const struct job *)elem)->name, key);
}

static uint64_t
run_hash(const void *elem)
{
	return index_hash_u64(((const struct run *)elem)->id);
}

static uint64_t
id_hash(const void *key)
{
	return index_hash_u64(*(const uint64_t *)key);
}

static bool
run_match(const void *elem, const void *key)
{
	return ((const struct run *)elem)->id == *(const uint64_t *)key;
}

static const struct index_ops names_ops = { job_hash, name_hash,
    job_match };
static const struct index_ops runs_ops = { run_hash, id_hash, run_match };

void
units_init(struct units *u)
{
	*u = (struct units){ 0 };
	TAILQ_INIT(&u->jobs);
	index_init(&u->by_name, &names_ops);
	index_init(&u->runs, &runs_ops);
}

void
units_free(struct units *u)
{
	struct job *j, *tmp;

	TAILQ_FOREACH_SAFE(j, &u->jobs, entry, tmp) {
		TAILQ_REMOVE(&u->jobs, j, entry);
		job_free(j);
	}
	index_free(&u->by_name);
	index_free(&u->runs);
}

void
units_add(struct units *u, struct job *j)
{
	struct job *k;

	index_add(&u->by_name, j);
	TAILQ_FOREACH(k, &u->jobs, entry) {
		if (strcmp(k->name, j->name) > 0) {
			TAILQ_INSERT_BEFORE(k, j, entry);
			return;
		}
	}
	TAILQ_INSERT_TAIL(&u->jobs, j, entry);
}

void
units_remove(struct units *u, struct job *j)
{
	index_remove(&u->by_name, j);
	TAILQ_REMOVE(&u->jobs, j, entry);
}

struct job *
units_find_any(const struct units *u, const char *name)
{
	return index_find(&u->by_name, name);
}

struct job *
units_find(const struct units *u, const char *name)
{
	struct job *j = units_find_any(u, name);

	return j && j->config ? j : NULL;
}

void
units_add_run(struct units *u, struct run *r)
{
	index_add(&u->runs, r);
	u->nruns_open++;
}

void
units_run_closed(struct units *u)
{
	u->nruns_open--;
}

void
units_remove_run(struct units *u, struct run *r)
{
	index_remove(&u->runs, r);
}

struct run *
units_find_run(const struct units *u, uint64_t id)
{
	return index_find(&u->runs, &id);
}

size_t
units_nservices(const struct units *u)
{
	const struct job *j;
	size_t n = 0;

	TAILQ_FOREACH(j, &u->jobs, entry)
		n += j->config && j->config->service;
	return n;
}
