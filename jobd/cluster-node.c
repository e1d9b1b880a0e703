/* A node's life in the cluster: the schema on connect, joining (a new
 * lease epoch each time, this node's runs of older epochs recorded lost),
 * renewing the lease and reaping nodes whose lease ran out on every tick,
 * joining again when the database says the lease is gone, and leaving.
 * Times that fence are the database's (now()), so the nodes' clocks do
 * not matter. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster-internal.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "run-ctx.h"
#include "xmalloc.h"

#ifndef JOBD_VERSION
#define JOBD_VERSION "0.1.0"
#endif

static void cluster_tick_cb(uv_timer_t *);

/* The tick renews the lease a few times within it, and finds dead nodes
 * at least each second. */
static usec_t
cluster_tick_every(const struct cluster *c)
{
	return MIN(c->lease / 3, USEC_PER_SEC);
}

static void
cluster_others_cb(void *data, const PGresult *res)
{
	struct cluster *c = data;
	int i;

	cluster_answered(c);
	if (c->freed || !cluster_result_ok(res, "comparing definitions"))
		return;
	for (i = 0; i < PQntuples(res); i++)
		log_warning("cluster: node %s has other job definitions than "
		    "this node (%s, here %s): runs may differ by node",
		    PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), c->hash);
}

static void
cluster_joined_cb(void *data, const PGresult *res)
{
	struct cluster *c = data;
	const char *p[3];
	char epoch[32];

	cluster_answered(c);
	if (c->freed || c->closing)
		return;
	if (!cluster_result_ok(res, "joining") || PQntuples(res) != 1) {
		c->state = CLUSTER_CONNECTING;
		return;		/* the next tick joins again */
	}
	c->epoch = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	c->state = CLUSTER_ALIVE;
	c->lease_until = now_monotonic() + c->lease;
	log_info("cluster '%s': node %s joined (lease epoch %" PRIu64 ", "
	    "lease %" PRIu64 "s)", c->cluster, c->node, c->epoch,
	    c->lease / USEC_PER_SEC);
	snprintf(epoch, sizeof(epoch), "%" PRIu64, c->epoch);
	p[0] = c->cluster;
	p[1] = c->node;
	p[2] = c->hash;
	cluster_query(c, "SELECT name, config_hash FROM jobd_nodes WHERE "
	    "cluster = $1 AND name <> $2 AND state = 'alive' AND expires > "
	    "now() AND config_hash <> $3 ORDER BY name", 3, p,
	    cluster_others_cb, c);
	cluster_claims_resume(c);
	cluster_locks_rejoined(c);
}

/* A new epoch: whatever this node ran under an older one is over (jobd
 * restarted, or the others declared it dead). */
void
cluster_join(struct cluster *c)
{
	char lease[32];
	const char *p[5] = { c->cluster, c->node, lease, c->version, c->hash };

	if (c->state == CLUSTER_JOINING || c->closing)
		return;
	c->state = CLUSTER_JOINING;
	snprintf(lease, sizeof(lease), "%" PRIu64, (uint64_t)c->lease);
	cluster_query(c,
	    "WITH j AS (INSERT INTO jobd_nodes (cluster, name, epoch, state, "
	    "expires, renewed, joined, lease_usec, version, config_hash) "
	    "VALUES ($1, $2, 1, 'alive', now() + $3::bigint * interval "
	    "'1 microsecond', now(), now(), $3::bigint, $4, $5) "
	    "ON CONFLICT (cluster, name) DO UPDATE SET epoch = "
	    "jobd_nodes.epoch + 1, state = 'alive', expires = "
	    "EXCLUDED.expires, renewed = now(), joined = now(), lease_usec = "
	    "EXCLUDED.lease_usec, version = EXCLUDED.version, config_hash = "
	    "EXCLUDED.config_hash RETURNING epoch), "
	    "l AS (UPDATE jobd_runs r SET state = 'finished', result = "
	    "'lost', reason = 'jobd on node ' || r.node || ' joined again "
	    "(lease epoch ' || j.epoch || ')', ended_usec = (extract(epoch "
	    "FROM now()) * 1000000)::bigint FROM j WHERE r.cluster = $1 AND "
	    "r.node = $2 AND r.epoch < j.epoch AND r.state <> 'finished'), "
	    "q AS (UPDATE jobd_queue q SET state = 'queued', node = NULL, "
	    "epoch = NULL, run = NULL FROM j WHERE q.cluster = $1 AND q.node "
	    "= $2 AND q.epoch < j.epoch AND q.state = 'taken') "
	    "SELECT epoch FROM j", 5, p, cluster_joined_cb, c);
}

static void
cluster_schema_cb(void *data, const PGresult *res)
{
	struct cluster *c = data;
	int version;

	cluster_answered(c);
	if (c->freed || c->closing)
		return;
	if (!cluster_result_ok(res, "creating the tables") ||
	    PQntuples(res) != 1)
		return;		/* the next tick tries again */
	version = atoi(PQgetvalue(res, 0, 0));
	if (version > CLUSTER_SCHEMA_VERSION) {
		log_error("cluster: the database's schema is version %d, newer "
		    "than this jobd knows (%d): upgrade jobd on this node",
		    version, CLUSTER_SCHEMA_VERSION);
		return;
	}
	cluster_join(c);
}

static void
cluster_up(void *owner)
{
	struct cluster *c = owner;

	log_info("cluster '%s': connected to the database", c->cluster);
	if (c->state == CLUSTER_CONNECTING)
		cluster_query(c, cluster_schema_sql, 0, NULL,
		    cluster_schema_cb, c);
}

static void
cluster_down(void *owner, const char *why)
{
	struct cluster *c = owner;

	log_warning("cluster '%s': database unreachable: %s (runs go on; "
	    "writes wait; no slot is claimed once the lease may have run "
	    "out)", c->cluster, why);
}

static const struct pg_ops cluster_pg_ops = {
	.up = cluster_up, .down = cluster_down,
};

static void
cluster_renewed_cb(void *data, const PGresult *res)
{
	struct cluster *c = data;

	cluster_answered(c);
	c->tick_busy = false;
	if (c->freed || c->closing || !cluster_result_ok(res, "renewing"))
		return;
	if (PQntuples(res) == 1) {
		c->lease_until = now_monotonic() + c->lease;
		return;
	}
	/* The others found the lease expired: join with a new epoch. */
	log_warning("cluster '%s': node %s lost its lease (epoch %" PRIu64
	    "): its unfinished runs were recorded lost; joining again",
	    c->cluster, c->node, c->epoch);
	c->state = CLUSTER_CONNECTING;
	cluster_join(c);
}

static void
cluster_reaped_cb(void *data, const PGresult *res)
{
	struct cluster *c = data;
	int i;

	cluster_answered(c);
	if (c->freed || !cluster_result_ok(res, "finding dead nodes"))
		return;
	for (i = 0; i < PQntuples(res); i++)
		log_warning("cluster '%s': node %s stopped renewing its lease: "
		    "run %s of %s recorded lost", c->cluster,
		    PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		    PQgetvalue(res, i, 2));
}

/* Renew, then reap: nodes whose lease expired (by the database's clock)
 * are dead, and their unfinished runs lost; one node wins each row. */
static void
cluster_tick(struct cluster *c)
{
	char epoch[32], lease[32];
	const char *p[4] = { c->cluster, c->node, epoch, lease };

	if (c->state == CLUSTER_CONNECTING && pg_is_up(c->pg) &&
	    c->inflight == 0) {
		cluster_up(c);
		return;
	}
	if (c->state != CLUSTER_ALIVE || c->tick_busy)
		return;
	cluster_locks_tick(c);
	cluster_queue_tick(c);
	cluster_queue_waits_tick(c);
	cluster_cancels_tick(c);
	snprintf(epoch, sizeof(epoch), "%" PRIu64, c->epoch);
	snprintf(lease, sizeof(lease), "%" PRIu64, (uint64_t)c->lease);
	c->tick_busy = true;
	cluster_query(c, "UPDATE jobd_nodes SET expires = now() + "
	    "$4::bigint * interval '1 microsecond', renewed = now() WHERE "
	    "cluster = $1 AND name = $2 AND epoch = $3::bigint AND state = "
	    "'alive' AND expires > now() RETURNING epoch", 4, p,
	    cluster_renewed_cb, c);
	cluster_query(c, "WITH dead AS (UPDATE jobd_nodes SET state = 'dead' "
	    "WHERE cluster = $1 AND state = 'alive' AND expires < now() "
	    "RETURNING name), back AS (UPDATE jobd_queue q SET state = "
	    "'queued', node = NULL, epoch = NULL, run = NULL FROM dead WHERE "
	    "q.cluster = $1 AND q.node = dead.name AND q.state = 'taken') "
	    "UPDATE jobd_runs r SET state = 'finished', "
	    "result = 'lost', reason = 'node ' || r.node || ' stopped "
	    "renewing its lease', ended_usec = (extract(epoch FROM now()) * "
	    "1000000)::bigint FROM dead WHERE r.cluster = $1 AND r.node = "
	    "dead.name AND r.state <> 'finished' RETURNING r.node, r.id, "
	    "r.job", 1, p, cluster_reaped_cb, c);
}

static void
cluster_tick_cb(uv_timer_t *t)
{
	cluster_tick(t->data);
}

struct cluster *
cluster_new(const struct run_ctx *runs, struct units *units,
    const struct config_cluster *cfg, uint64_t units_hash,
    const struct cluster_ops *ops, char **cause)
{
	struct cluster *c;
	_cleanup_free_ char *app = NULL;

	/* The configuration names the node (node=, or the host name). */
	if (!cfg->node) {
		*cause = xstrdup("no node name");
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->runs = runs;
	c->units = units;
	c->ops = *ops;
	c->cluster = xstrdup(cfg->name ?: "default");
	c->node = xstrdup(cfg->node);
	c->version = xstrdup(JOBD_VERSION);
	c->hash = xstrfmt("%016" PRIx64, units_hash);
	c->lease = cfg->lease;
	c->rejoin = cluster_join;
	TAILQ_INIT(&c->deferred);
	TAILQ_INIT(&c->batch);
	TAILQ_INIT(&c->waits);
	TAILQ_INIT(&c->taken);
	TAILQ_INIT(&c->qwaits);
	app = xstrfmt("jobd-%s", c->node);
	c->pg = pg_new(runs->loop, cfg->database, app, &cluster_pg_ops, c);
	uv_timer_init(runs->loop, &c->tick);
	c->tick.data = c;
	uv_timer_init(runs->loop, &c->batch_timer);
	c->batch_timer.data = c;
	return c;
}

void
cluster_start(struct cluster *c)
{
	pg_start(c->pg);
	uv_timer_start(&c->tick, cluster_tick_cb,
	    cluster_tick_every(c) / USEC_PER_MSEC,
	    cluster_tick_every(c) / USEC_PER_MSEC);
}

static void
cluster_left_cb(void *data, const PGresult *res)
{
	struct cluster *c = data;

	cluster_answered(c);
	if (res && cluster_result_ok(res, "leaving"))
		log_info("cluster '%s': node %s left", c->cluster, c->node);
}

static void
cluster_leave_timeout_cb(uv_timer_t *t)
{
	struct cluster *c = t->data;

	log_warning("cluster '%s': the database did not take the last "
	    "writes within %ds; leaving without them", c->cluster,
	    CLUSTER_LEAVE_TIMEOUT);
	c->gave_up = true;
	if (c->ops.idle)
		c->ops.idle(c->ops.owner);
}

/* The lease given back at once, so the others need not wait it out; the
 * writes still queued get a few seconds. */
void
cluster_leave(struct cluster *c)
{
	char epoch[32];
	const char *p[3] = { c->cluster, c->node, epoch };

	if (c->closing)
		return;
	uv_timer_stop(&c->tick);
	uv_timer_start(&c->tick, cluster_leave_timeout_cb,
	    CLUSTER_LEAVE_TIMEOUT * 1000, 0);
	if (c->state == CLUSTER_ALIVE && pg_is_up(c->pg)) {
		snprintf(epoch, sizeof(epoch), "%" PRIu64, c->epoch);
		cluster_query(c, "UPDATE jobd_nodes SET state = 'left', "
		    "expires = now() WHERE cluster = $1 AND name = $2 AND "
		    "epoch = $3::bigint", 3, p, cluster_left_cb, c);
	}
	c->state = CLUSTER_LEAVING;
	c->closing = true;
}

/* Nothing more to wait for: every statement answered, or the database
 * is not there to answer. */
bool
cluster_idle(const struct cluster *c)
{
	return c->inflight == 0 || !pg_is_up(c->pg) || c->gave_up;
}

/* Two timers: the second to be closed frees. */
static void
cluster_tick_closed(uv_handle_t *h)
{
	struct cluster *c = h->data;

	if (++c->handles_closed < 2)
		return;
	free(c->cluster);
	free(c->node);
	free(c->version);
	free(c->hash);
	c->freed = true;
	if (c->inflight == 0)
		free(c);
}

void
cluster_free(struct cluster *c)
{
	if (!c)
		return;
	c->closing = true;
	c->ops.idle = NULL;
	cluster_claims_free(c);
	/* Callbacks of statements never sent come with NULL now. */
	pg_close(c->pg);
	cluster_locks_free(c);
	cluster_queue_free(c);
	uv_close((uv_handle_t *)&c->batch_timer, cluster_tick_closed);
	uv_close((uv_handle_t *)&c->tick, cluster_tick_closed);
}

static void
cluster_hash_cb(void *data, const PGresult *res)
{
	struct cluster *c = data;

	cluster_answered(c);
	if (res && !c->freed)
		cluster_result_ok(res, "updating the definitions' hash");
}

void
cluster_definitions(struct cluster *c, uint64_t units_hash)
{
	const char *p[3] = { c->cluster, c->node, NULL };

	free(c->hash);
	c->hash = xstrfmt("%016" PRIx64, units_hash);
	p[2] = c->hash;
	if (c->state == CLUSTER_ALIVE)
		cluster_query(c, "UPDATE jobd_nodes SET config_hash = $3 WHERE "
		    "cluster = $1 AND name = $2", 3, p, cluster_hash_cb, c);
}

const char *
cluster_node(const struct cluster *c)
{
	return c->node;
}

const char *
cluster_name(const struct cluster *c)
{
	return c->cluster;
}

bool
cluster_lease_held(const struct cluster *c)
{
	return c->state == CLUSTER_ALIVE && now_monotonic() < c->lease_until;
}

uint64_t
cluster_epoch(const struct cluster *c)
{
	return c->epoch;
}
