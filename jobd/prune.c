/* Retention rules, job by job, handed to the ledger's writer; the rules
 * are made afresh each time from the config in force, so that a reload
 * changes them from the next pass on. */
#include "config.h"
#include "ledger.h"
#include "prune.h"
#include "record.h"
#include "run-ctx.h"
#include "xmalloc.h"

static void
prune_now(struct prune *p)
{
	const struct config *c = p->runs->config;
	struct ledger_prune *rules;
	const struct job_config *jc;
	size_t n = 0;

	rules = xcalloc(c->njobs + 1, sizeof(*rules));
	TAILQ_FOREACH(jc, &c->jobs, entry) {
		rules[n++] = (struct ledger_prune){
			.job = xstrdup(jc->name),
			.max_runs = jc->history_max_runs >= 0 ?
			    jc->history_max_runs : c->history_max_runs,
			.max_age = jc->history_max_age >= 0 ?
			    jc->history_max_age : c->history_max_age,
			.now = now_realtime(),
		};
	}
	record_prune(p->record, rules, n);
}

static void
prune_cb(uv_timer_t *t)
{
	prune_now(t->data);
}

void
prune_init(struct prune *p, uv_loop_t *loop, struct record *record,
    const struct run_ctx *runs)
{
	p->record = record;
	p->runs = runs;
	uv_timer_init(loop, &p->timer);
	p->timer.data = p;
	uv_unref((uv_handle_t *)&p->timer);
}

void
prune_start(struct prune *p)
{
	prune_now(p);
	uv_timer_start(&p->timer, prune_cb, PRUNE_INTERVAL / USEC_PER_MSEC,
	    PRUNE_INTERVAL / USEC_PER_MSEC);
}

void
prune_close(struct prune *p)
{
	uv_close((uv_handle_t *)&p->timer, NULL);
}
