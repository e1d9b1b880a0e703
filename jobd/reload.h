/* The configuration in force and its replacement: the first one put in
 * force at start, and each reload (SIGHUP, the Reload method) read and
 * checked off the loop, planned against the running units, and put in
 * force only when valid and not overtaken by a newer reload. */
#ifndef JOBD_RELOAD_H
#define JOBD_RELOAD_H

#include <stdbool.h>

struct alert_policy;
struct config;
struct deps;
struct executor;
struct heap;
struct manager;
struct reload_plan;
struct run_ctx;
struct sched;
struct transient;
struct service_ctx;
struct units;
struct watches;

/* What a reload reads, plans against and tells.  Filled once by the
 * owner; config_path once it is known. */
struct reload {
	struct executor *executor;	/* reads the files */
	struct heap *heap;		/* trims after a reload */
	struct manager *manager;	/* told RELOADING, then READY */
	struct run_ctx *runs;		/* jobs made with it; stopping */
	struct units *units;
	const struct service_ctx *services;
	struct deps *deps;		/* started: services were started */
	struct watches *watches;
	struct sched *sched;
	struct alert_policy *alerts;	/* deadlines follow the config */
	struct transient *transient;	/* jobctl run's jobs: kept */
	struct cluster *cluster;	/* told the definitions' hash */
	const char *config_path;
	struct config *config;		/* in force (runs->config), owned */
	unsigned gen;			/* reloads requested */
	unsigned applied;		/* newest reload applied */
};

/* Puts c (taken) in force: every job points at its definition, jobs
 * are made and retired, services follow; those in restart restart. */
void reload_apply(struct reload *, struct config *c, char **restart);
/* Reads config_path again.  Unless dry_run, a valid config is put in
 * force; done (may be NULL) gets the errors or the plan. */
void reload_request(struct reload *, bool dry_run,
    void (*done)(void *ctx, int r, char **errors,
    const struct reload_plan *plan), void *ctx);
/* Frees the config in force, once nothing uses it. */
void reload_free(struct reload *);

#endif
