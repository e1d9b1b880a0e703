/* The jobs' lasting figures in memory, for the metrics: counts per result
 * and the last verdict and success of each job, seeded from the ledger and
 * updated as runs finish by the rules of the ledger's own triggers (a
 * verdict is success, failed, timeout, lost or oom; the highest run id
 * wins).
 * It only counts: what is shown, and how, is method-metrics.c's. */
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "log.h"
#include "macro.h"
#include "record.h"
#include "run.h"
#include "xmalloc.h"

static uint64_t
figure_hash(const void *elem)
{
	return index_hash_string(((const struct figure *)elem)->name);
}

static uint64_t
figure_key_hash(const void *key)
{
	return index_hash_string(key);
}

static bool
figure_match(const void *elem, const void *key)
{
	return !strcmp(((const struct figure *)elem)->name, key);
}

static const struct index_ops figures_ops = { figure_hash, figure_key_hash,
    figure_match };

void
figures_init(struct figures *f)
{
	*f = (struct figures){ .state = FIGURES_NEW };
	index_init(&f->by_name, &figures_ops);
}

void
figures_free(struct figures *f)
{
	struct figure *x;
	size_t i;

	for (i = 0; i < f->by_name.cap; i++) {
		if (!(x = f->by_name.slots[i]))
			continue;
		free(x->name);
		free(x);
	}
	index_free(&f->by_name);
}

const struct figure *
figures_find(const struct figures *f, const char *name)
{
	return index_find(&f->by_name, name);
}

static struct figure *
figures_get(struct figures *f, const char *name)
{
	struct figure *x = index_find(&f->by_name, name);

	if (x)
		return x;
	x = xcalloc(1, sizeof(*x));
	x->name = xstrdup(name);
	x->last_result = -1;
	index_add(&f->by_name, x);
	return x;
}

/* What the ledger's triggers call a verdict. */
static bool
figures_is_verdict(int result)
{
	const char *name = result >= 0 && result < LEDGER_NRESULTS ?
	    ledger_result_name[result] : "";

	return !strcmp(name, "success") || !strcmp(name, "failed") ||
	    !strcmp(name, "timeout") || !strcmp(name, "lost") ||
	    !strcmp(name, "oom");
}

void
figures_add(struct figures *f, const struct figures_row *row)
{
	struct figure *x;

	if (row->result < 0 || row->result >= LEDGER_NRESULTS)
		return;
	x = figures_get(f, row->job);
	x->counts[row->result]++;
	if (!figures_is_verdict(row->result) || row->id < x->last_run)
		return;
	x->last_run = row->id;
	x->last_result = row->result;
	x->last_started = row->started;
	x->last_ended = row->ended;
	x->last_duration = row->started && row->ended > row->started ?
	    row->ended - row->started : 0;
	if (!strcmp(ledger_result_name[row->result], "success"))
		x->last_success = row->ended ? row->ended : row->started;
}

void
figures_skipped(struct figures *f, const char *job, uint64_t id)
{
	figures_add(f, &(struct figures_row){ .job = job, .id = id,
	    .result = ledger_result_index("skipped") });
}

void
figures_merge(struct figures *f, const struct ledger_job_stats *s)
{
	struct figure *x = figures_get(f, s->job);
	usec_t success = x->last_success;
	size_t i;

	for (i = 0; i < LEDGER_NRESULTS; i++)
		x->counts[i] += s->counts[i];
	if (s->last_run && s->last_run >= x->last_run) {
		x->last_run = s->last_run;
		x->last_result = s->last_result ?
		    ledger_result_index(s->last_result) : -1;
		x->last_started = s->last_started;
		x->last_ended = s->last_ended;
		x->last_duration = s->last_duration;
		x->last_success = s->last_success ? s->last_success : success;
	} else if (!x->last_success)
		x->last_success = s->last_success;
}

static void
figures_loaded_cb(void *ctx, int r, const struct ledger_job_stats *v,
    size_t n)
{
	struct figures *f = ctx;
	size_t i;

	if (r < 0) {
		f->state = FIGURES_UNSEEDED;
		log_warning("metrics: cannot read the jobs' figures from the "
		    "ledger (%s); counting from zero", strerror(-r));
		return;
	}
	for (i = 0; i < n; i++)
		if (v[i].job)
			figures_merge(f, &v[i]);
	f->state = FIGURES_LOADED;
	log_debug("metrics: figures of %zu job%s read from the ledger", n,
	    n == 1 ? "" : "s");
}

void
figures_load(struct figures *f, struct record *rec)
{
	f->state = FIGURES_LOADING;
	record_load_stats(rec, figures_loaded_cb, f);
}

static void
figures_finished_cb(struct run_subscriber *sub, struct run *r)
{
	struct figures *f = container_of(sub, struct figures, sub);

	figures_add(f, &(struct figures_row){
		.job = r->name,
		.id = r->id,
		.result = ledger_result_index(run_result_name[r->result]),
		.started = r->started,
		.ended = r->ended,
	});
}

/* A service's automatic restart is the run its backoff queues. */
static void
figures_queued_cb(struct run_subscriber *sub, struct run *r)
{
	struct figures *f = container_of(sub, struct figures, sub);

	if (r->is_service && r->trigger == TRIGGER_RETRY)
		figures_get(f, r->name)->restarts++;
}

void
figures_subscribe(struct figures *f, struct run_hub *hub)
{
	f->sub = (struct run_subscriber){ .queued = figures_queued_cb,
	    .finished = figures_finished_cb };
	run_hub_subscribe(hub, &f->sub);
}
