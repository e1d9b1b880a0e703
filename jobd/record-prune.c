/* Retention on the ledger thread: the rules of each job (max_runs=,
 * max_age=) applied one job at a time; a failure stops the pass and is
 * logged, the next pass tries again. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "record-internal.h"

struct record_prune_task {
	struct record_task task;
	struct ledger_prune *rules;	/* one per job, names owned */
	size_t nrules;
	size_t pruned;			/* rows deleted */
};

/* Worker thread. */
static void
record_prune_work(struct record_task *t)
{
	struct record_prune_task *p = (struct record_prune_task *)t;
	size_t i, n;

	for (i = 0; i < p->nrules && t->r == 0; i++) {
		n = 0;
		t->r = ledger_prune(t->record->ledger, &p->rules[i], &n,
		    &t->cause);
		p->pruned += n;
	}
}

static void
record_prune_done(struct record_task *t)
{
	struct record_prune_task *p = (struct record_prune_task *)t;

	if (t->r < 0)
		log_warning("ledger: pruning old runs: %s",
		    t->cause ? t->cause : strerror(-t->r));
	else if (p->pruned)
		log_info("ledger: pruned %zu old runs", p->pruned);
}

static void
record_prune_rules_free(struct ledger_prune *rules, size_t n)
{
	while (n > 0)
		free((char *)rules[--n].job);
	free(rules);
}

static void
record_prune_clear(struct record_task *t)
{
	struct record_prune_task *p = (struct record_prune_task *)t;

	record_prune_rules_free(p->rules, p->nrules);
}

static const struct record_task_type record_prune_type = {
	.work = record_prune_work,
	.done = record_prune_done,
	.clear = record_prune_clear,
};

void
record_prune(struct record *rec, struct ledger_prune *rules, size_t n)
{
	struct record_prune_task *p;

	if (!rec->ledger || rec->closing) {
		record_prune_rules_free(rules, n);
		return;
	}
	p = record_task_new(sizeof(*p), &record_prune_type);
	p->rules = rules;
	p->nrules = n;
	record_push_task(rec, &p->task);
	record_pump(rec);
}
