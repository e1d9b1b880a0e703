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

static const char claim_sql[] =
    "WITH me AS (SELECT 1 FROM jobd_nodes WHERE cluster = $1 AND name = "
    "$4 AND epoch = $5::bigint AND state = 'alive' AND expires > now()), "
    "ins AS (INSERT INTO jobd_slots (cluster, job, slot, node, epoch) "
    "SELECT $1, $2, $3::bigint, $4, $5::bigint FROM me ON CONFLICT DO "
    "NOTHING RETURNING node) "
    "SELECT (SELECT count(*) FROM me), (SELECT count(*) FROM ins), "
    "(SELECT node || ' ' || epoch FROM jobd_slots WHERE cluster = $1 AND "
    "job = $2 AND slot = $3::bigint)";

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

static void
claim_cb(void *data, const PGresult *res)
{
	struct cluster_claim *cl = data;
	struct cluster *c = cl->c;
	_cleanup_free_ char *mine = NULL;
	const char *holder;

	cluster_answered(c);
	if (c->freed || c->closing || !res) {
		claim_free(cl);
		return;
	}
	if (!cluster_result_ok(res, "claiming a slot") || PQntuples(res) != 1) {
		claim_free(cl);
		return;
	}
	if (!strcmp(PQgetvalue(res, 0, 1), "1")) {
		claim_won(c, cl);
		return;
	}
	holder = PQgetisnull(res, 0, 2) ? "" : PQgetvalue(res, 0, 2);
	mine = xstrfmt("%s %" PRIu64, c->node, c->epoch);
	if (!strcmp(holder, mine)) {
		/* This claim's first attempt won before the connection
		 * dropped. */
		claim_won(c, cl);
		return;
	}
	if (!strcmp(PQgetvalue(res, 0, 0), "0") && !*holder) {
		/* No lease at this epoch: claim again once joined. */
		claim_defer(c, cl);
		if (c->state == CLUSTER_ALIVE) {
			c->state = CLUSTER_CONNECTING;
			cluster_join(c);
		}
		return;
	}
	log_debug("cluster: %s's slot %" PRIu64 " runs on %s", cl->job,
	    (uint64_t)cl->slot, holder);
	claim_free(cl);
}

static void
claim_send(struct cluster *c, struct cluster_claim *cl)
{
	char slot[32], epoch[32];
	const char *p[5] = { c->cluster, cl->job, slot, c->node, epoch };

	if (c->state != CLUSTER_ALIVE) {
		claim_defer(c, cl);
		return;
	}
	snprintf(slot, sizeof(slot), "%" PRIu64, (uint64_t)cl->slot);
	snprintf(epoch, sizeof(epoch), "%" PRIu64, c->epoch);
	if (cluster_query(c, claim_sql, 5, p, claim_cb, cl) < 0)
		claim_free(cl);
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
