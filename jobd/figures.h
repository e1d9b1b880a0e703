/* Each job's lasting figures kept in memory for the metrics: how many of
 * its runs ended with each result, its last verdict and last success.
 * Seeded from the ledger at start (record_load_stats) and carried on as
 * runs finish, by the same rules as the ledger's triggers, so that the
 * counters never go down across restarts or pruning.  Services' automatic
 * restarts are counted here too, since jobd started. */
#ifndef JOBD_FIGURES_H
#define JOBD_FIGURES_H

#include <stdbool.h>
#include <stdint.h>

#include "index.h"
#include "ledger.h"
#include "run-events.h"
#include "timeutil.h"

struct record;

/* One job's (or service's) figures, by name: a job removed from the
 * config keeps its figures, so that one added back continues them. */
struct figure {
	char *name;
	uint64_t counts[LEDGER_NRESULTS];	/* by ledger_result_name */
	uint64_t last_run;		/* the last verdict's run; 0: none */
	int last_result;		/* its result (index); -1: none */
	usec_t last_started, last_ended, last_duration;
	usec_t last_success;		/* ended (else started); 0: none */
	uint64_t restarts;		/* services: since jobd started */
};

enum figures_state {
	FIGURES_NEW,			/* not asked yet: counting from 0 */
	FIGURES_LOADING,		/* the ledger was asked */
	FIGURES_LOADED,			/* seeded from the ledger */
	FIGURES_UNSEEDED,		/* the ledger could not answer */
};

struct figures {
	struct index by_name;
	struct run_subscriber sub;	/* finished runs, service restarts */
	enum figures_state state;
};

/* A finished row as the figures take it (a run, or a skipped slot). */
struct figures_row {
	const char *job;
	uint64_t id;
	int result;			/* ledger_result_index */
	usec_t started, ended;
};

void figures_init(struct figures *);
void figures_free(struct figures *);
/* Hears of finished runs, and of queued automatic service restarts. */
void figures_subscribe(struct figures *, struct run_hub *);
/* Seeds the figures from the ledger: what the ledger holds is added to
 * what was counted since the question (runs finishing meanwhile are not
 * in its answer). */
void figures_load(struct figures *, struct record *);
/* A finished row: counted, and the job's last verdict if it is one. */
void figures_add(struct figures *, const struct figures_row *);
/* A slot the scheduler recorded skipped without a run. */
void figures_skipped(struct figures *, const char *job, uint64_t id);
/* The ledger's figures of one job, merged with what is counted. */
void figures_merge(struct figures *, const struct ledger_job_stats *);
/* NULL when nothing is known of name. */
const struct figure *figures_find(const struct figures *,
    const char *name);

#endif
