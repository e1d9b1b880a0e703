/* Who runs a periodic slot.  run_on=all and the boot run are every node's;
 * a node list names who may; otherwise the slot is claimed with one
 * INSERT ... ON CONFLICT DO NOTHING on (cluster, job, slot), made only
 * while the database holds this node's lease at this epoch (fencing: a
 * node past its lease claims nothing).  The statement also says who holds
 * the slot, so a claim sent again after a lost connection knows it won
 * the first time.  Claims made while the node has no lease wait for it. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cluster-internal.h"
#include "config.h"
#include "job.h"
#include "log.h"
#include "run.h"
#include "strv.h"
#include "units.h"
#include "xmalloc.h"

/* Every claim of a loop turn in one statement (a minutely schedule of
 * 300 jobs is 300 claims at once): one row per claim, by its ordinal. */
static const char claim_sql[] =
    "WITH me AS (SELECT 1 FROM jobd_nodes WHERE cluster = $1 AND name = "
    "$4 AND epoch = $5::bigint AND state = 'alive' AND expires > now()), "
    "want AS (SELECT * FROM unnest($2::text[], $3::bigint[]) WITH "
    "ORDINALITY AS w(job, slot, i)), "
    "ins AS (INSERT INTO jobd_slots (cluster, job, slot, node, epoch) "
    "SELECT $1, w.job, w.slot, $4, $5::bigint FROM want w, me ON CONFLICT "
    "DO NOTHING RETURNING job, slot) "
    "SELECT (SELECT count(*) FROM me), w.i, ins.job IS NOT NULL, (SELECT "
    "s.node || ' ' || s.epoch FROM jobd_slots s WHERE s.cluster = $1 AND "
    "s.job = w.job AND s.slot = w.slot) FROM want w LEFT JOIN ins ON "
    "ins.job = w.job AND ins.slot = w.slot";

/* At most this many claims go in one statement. */
#define CLAIM_BATCH_MAX 1000

struct claim_batch {
	struct cluster *c;
	struct cluster_claim **v;
	size_t n;
};

static void claim_send(struct cluster *, struct cluster_claim *);

static void
claim_free(struct cluster_claim *cl)
{
	free(cl->job);
	free(cl);
}

static void
claim_defer(struct cluster *c, struct cluster_claim *cl)
{
	struct cluster_claim *old;

	if (c->ndeferred >= CLUSTER_MAX_DEFERRED) {
		old = TAILQ_FIRST(&c->deferred);
		TAILQ_REMOVE(&c->deferred, old, entry);
		c->ndeferred--;
		log_warning("cluster: too many slots wait for a lease; %s's "
		    "slot %" PRIu64 " is left to the other nodes", old->job,
		    (uint64_t)old->slot);
		claim_free(old);
	}
	TAILQ_INSERT_TAIL(&c->deferred, cl, entry);
	c->ndeferred++;
}

static void
claim_won(struct cluster *c, struct cluster_claim *cl)
{
	struct job *j = units_find(c->units, cl->job);

	/* A reload may have removed the job while the claim was out. */
	if (j && !j->config->service)
		c->ops.run_slot(c->ops.owner, j, cl->trigger, cl->slot);
	claim_free(cl);
}

/* One claim's answer: won (now, or by its first attempt before the
 * connection dropped), another node's, or no lease (claim again once
 * joined). */
static void
claim_answer(struct cluster *c, struct cluster_claim *cl, bool lease_ok,
    bool won, const char *holder)
{
	_cleanup_free_ char *mine = xstrfmt("%s %" PRIu64, c->node, c->epoch);

	if (won || !strcmp(holder, mine)) {
		claim_won(c, cl);
		return;
	}
	if (!lease_ok && !*holder) {
		claim_defer(c, cl);
		if (c->state == CLUSTER_ALIVE) {
			c->state = CLUSTER_CONNECTING;
			c->rejoin(c);
		}
		return;
	}
	log_debug("cluster: %s's slot %" PRIu64 " runs on %s", cl->job,
	    (uint64_t)cl->slot, holder);
	claim_free(cl);
}

static void
batch_cb(void *data, const PGresult *res)
{
	struct claim_batch *b = data;
	struct cluster *c = b->c;
	size_t i, k;
	int row;

	cluster_answered(c);
	if (c->freed || c->closing || !res ||
	    !cluster_result_ok(res, "claiming slots")) {
		for (i = 0; i < b->n; i++)
			claim_free(b->v[i]);
		goto out;
	}
	for (row = 0; row < PQntuples(res); row++) {
		k = strtoull(PQgetvalue(res, row, 1), NULL, 10) - 1;
		if (k >= b->n || !b->v[k])
			continue;
		claim_answer(c, b->v[k], strcmp(PQgetvalue(res, row, 0), "0"),
		    !strcmp(PQgetvalue(res, row, 2), "t"),
		    PQgetisnull(res, row, 3) ? "" : PQgetvalue(res, row, 3));
		b->v[k] = NULL;
	}
	/* Rows the server did not return: nobody claimed them here. */
	for (i = 0; i < b->n; i++)
		if (b->v[i])
			claim_free(b->v[i]);
out:
	free(b->v);
	free(b);
}

/* Sends the claims gathered in this loop turn, as two array literals
 * (names are of A-Za-z0-9_.@- only: nothing to escape). */
static void
batch_flush(struct cluster *c)
{
	struct claim_batch *b = xcalloc(1, sizeof(*b));
	char epoch[32], *jobs = NULL, *slots = NULL;
	size_t jlen = 0, slen = 0;
	struct cluster_claim *cl;
	FILE *jf, *sf;
	const char *p[5];

	jf = open_memstream(&jobs, &jlen);
	sf = open_memstream(&slots, &slen);
	if (!jf || !sf)
		abort();
	b->c = c;
	b->v = xcalloc(MIN(c->nbatch, CLAIM_BATCH_MAX), sizeof(*b->v));
	while (b->n < CLAIM_BATCH_MAX && (cl = TAILQ_FIRST(&c->batch))) {
		TAILQ_REMOVE(&c->batch, cl, entry);
		c->nbatch--;
		fprintf(jf, "%s\"%s\"", b->n ? "," : "{", cl->job);
		fprintf(sf, "%s%" PRIu64, b->n ? "," : "{", (uint64_t)cl->slot);
		b->v[b->n++] = cl;
	}
	fputc('}', jf);
	fputc('}', sf);
	if (fclose(jf) != 0 || fclose(sf) != 0)
		abort();
	snprintf(epoch, sizeof(epoch), "%" PRIu64, c->epoch);
	p[0] = c->cluster;
	p[1] = jobs;
	p[2] = slots;
	p[3] = c->node;
	p[4] = epoch;
	if (cluster_query(c, claim_sql, 5, p, batch_cb, b) < 0) {
		c->inflight++;		/* batch_cb counts it answered */
		batch_cb(b, NULL);
	}
	free(jobs);
	free(slots);
	if (c->nbatch)
		uv_timer_start(&c->batch_timer, cluster_claims_flush_cb, 0, 0);
}

void
cluster_claims_flush_cb(uv_timer_t *t)
{
	struct cluster *c = t->data;

	if (c->state != CLUSTER_ALIVE || c->closing) {
		struct cluster_claim *cl;

		while ((cl = TAILQ_FIRST(&c->batch))) {
			TAILQ_REMOVE(&c->batch, cl, entry);
			c->nbatch--;
			if (c->closing)
				claim_free(cl);
			else
				claim_defer(c, cl);
		}
		return;
	}
	if (c->nbatch)
		batch_flush(c);
}

/* Joins this loop turn's batch: the statement goes once the scheduler
 * has fired every slot that is due. */
static void
claim_send(struct cluster *c, struct cluster_claim *cl)
{
	if (c->state != CLUSTER_ALIVE) {
		claim_defer(c, cl);
		return;
	}
	TAILQ_INSERT_TAIL(&c->batch, cl, entry);
	if (c->nbatch++ == 0)
		uv_timer_start(&c->batch_timer, cluster_claims_flush_cb, 0, 0);
}

void
cluster_claims_resume(struct cluster *c)
{
	struct cluster_claim *cl;

	while (c->state == CLUSTER_ALIVE && (cl = TAILQ_FIRST(&c->deferred))) {
		TAILQ_REMOVE(&c->deferred, cl, entry);
		c->ndeferred--;
		claim_send(c, cl);
	}
}

void
cluster_claims_free(struct cluster *c)
{
	struct cluster_claim *cl;

	while ((cl = TAILQ_FIRST(&c->batch))) {
		TAILQ_REMOVE(&c->batch, cl, entry);
		claim_free(cl);
	}
	c->nbatch = 0;
	while ((cl = TAILQ_FIRST(&c->deferred))) {
		TAILQ_REMOVE(&c->deferred, cl, entry);
		claim_free(cl);
	}
	c->ndeferred = 0;
}

/* Whether run_on= names this node, and whether others are named too. */
static bool
run_on_here(const struct cluster *c, char *const *run_on, bool *alone)
{
	*alone = strv_length(run_on) == 1;
	return strv_contains(run_on, c->node);
}

void
cluster_claim(void *owner, struct job *j, int trigger, usec_t slot)
{
	struct cluster *c = owner;
	char *const *run_on = j->config->run_on;
	struct cluster_claim *cl;
	bool alone;

	if (c->closing)
		return;
	if (trigger == TRIGGER_BOOT || (run_on && !strcmp(run_on[0], "all"))) {
		c->ops.run_slot(c->ops.owner, j, trigger, slot);
		return;
	}
	if (run_on && strcmp(run_on[0], "any")) {
		if (!run_on_here(c, run_on, &alone))
			return;
		if (alone) {
			c->ops.run_slot(c->ops.owner, j, trigger, slot);
			return;
		}
	}
	cl = xcalloc(1, sizeof(*cl));
	cl->c = c;
	cl->job = xstrdup(j->config->name);
	cl->trigger = trigger;
	cl->slot = slot;
	claim_send(c, cl);
}
