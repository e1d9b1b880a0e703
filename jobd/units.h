/* The units jobd knows: every job and service (a service is a job with a
 * struct service) by name, in name order for listing, and every run still
 * in memory by id.  Only the registry: what units do is in job.c and
 * service.c, how they depend on each other in deps.c. */
#ifndef JOBD_UNITS_H
#define JOBD_UNITS_H

#include <stdint.h>

#include "index.h"
#include "job.h"

struct units {
	struct job_list jobs;		/* in name order */
	struct index by_name;		/* every job, removed ones too */
	struct index runs;		/* runs in memory, by id */
	unsigned nruns_open;		/* created, not yet closed */
};

void units_init(struct units *);
/* Frees every job and its runs. */
void units_free(struct units *);
/* Adds a new job in name order. */
void units_add(struct units *, struct job *);
void units_remove(struct units *, struct job *);
/* A job or service of the current configuration, or NULL. */
struct job *units_find(const struct units *, const char *name);
/* The same, also one removed by a reload whose runs are not done yet. */
struct job *units_find_any(const struct units *, const char *name);
/* A new run (counted open until units_run_closed). */
void units_add_run(struct units *, struct run *);
/* Its handles are closed (it stays findable until removed). */
void units_run_closed(struct units *);
/* It is freed. */
void units_remove_run(struct units *, struct run *);
struct run *units_find_run(const struct units *, uint64_t id);
/* Number of services of the current configuration. */
size_t units_nservices(const struct units *);

#endif
