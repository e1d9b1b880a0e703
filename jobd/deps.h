/* Dependencies between units, jobs and services alike: whether a unit is
 * up, which required unit is down, which after= unit a start waits for,
 * pulling up wants= and requires=, and what follows when any unit changed
 * (services waiting start, services whose required unit went down stop,
 * job runs waiting for a unit move on). */
#ifndef JOBD_DEPS_H
#define JOBD_DEPS_H

#include <stdbool.h>

#include "run-events.h"

struct job_config;
struct run_ctx;
struct service;
struct sync;
struct units;

struct deps {
	struct units *units;
	struct sync *sync;
	const struct run_ctx *runs;	/* stopping */
	bool started;			/* services were started */
	bool busy, again;		/* deps_changed() re-entered */
	unsigned nservices_deps;	/* services with after=/requires= */
	struct run_subscriber sub;	/* a job's run finished */
};

void deps_init(struct deps *, struct units *, struct sync *,
    const struct run_ctx *);
void deps_subscribe(struct deps *, struct run_hub *);
/* After a configuration was applied: which services have dependencies. */
void deps_count(struct deps *);

/* A service ready, or a job whose last run succeeded. */
bool deps_unit_up(const struct deps *, const char *name);
/* A requires= unit of jc that failed or was stopped, or NULL. */
const char *deps_required_down(const struct deps *, const struct job_config *);
/* The first after= or requires= unit of jc that is not up, or NULL. */
const char *deps_waiting_for(const struct deps *, const struct job_config *);
/* Starts jc's wants= and requires= services, runs its jobs once. */
void deps_pull(struct deps *, const struct job_config *);

/* A unit changed: everyone who depends on something acts. */
void deps_changed(struct deps *);
/* A service changed state (its owner hears it first). */
void deps_service_changed(struct deps *, const struct service *);

#endif
