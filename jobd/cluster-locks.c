/* Cluster-wide locks and semaphores (lock_scope=cluster, [semaphore NAME]
 * scope=cluster): before its local admission a run that needs some waits
 * in jobd_waiters and is granted all of them at once by jobd_acquire()
 * (FIFO across nodes, holds of nodes without a lease not counted); its
 * holds go when it finishes, or when its node loses its lease.  Waiters
 * try again on every tick and whenever a run of this node gave some back. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster-internal.h"
#include "config.h"
#include "job.h"
#include "log.h"
#include "run-ctx.h"
#include "run.h"
#include "strv.h"
#include "xmalloc.h"

enum wait_state {
	WAIT_JOINING,		/* waiting for a lease to queue at all */
	WAIT_QUEUING,		/* the waiter row on its way */
	WAIT_QUEUED,		/* in line */
	WAIT_TRYING,		/* jobd_acquire() in flight */
	WAIT_HELD,
};

struct cluster_wait {
	TAILQ_ENTRY(cluster_wait) entry;
	struct cluster *c;
	struct run *run;		/* NULL once it finished */
	uint64_t id;
	char *names, *limits;		/* PostgreSQL array literals */
	int64_t seq;
	enum wait_state state;
};

/* The names, or (limits) the numbers, as an array literal. */
static char *
array_literal(char **v, const unsigned *limits)
{
	char *s = NULL, num[16];
	size_t i;

	for (i = 0; v[i]; i++) {
		if (limits)
			snprintf(num, sizeof(num), "%u", limits[i]);
		s = cluster_array_add(s, limits ? num : v[i], !limits);
	}
	return cluster_array_end(s);
}

/* What run r needs of the cluster: names and limits, or false. */
static bool
wants(const struct cluster *c, const struct run *r, char ***names,
    unsigned **limits)
{
	const struct config *cfg = c->runs->config;
	const struct job_config *jc = r->job ? r->job->config : NULL;
	const struct config_semaphore *s;
	size_t i, n = 0;

	*names = NULL;
	*limits = NULL;
	if (!jc)
		return false;
	for (i = 0; jc->policy.locks_cluster && jc->policy.locks &&
	    jc->policy.locks[i]; i++) {
		*names = strv_append(*names, jc->policy.locks[i]);
		*limits = xreallocarray(*limits, n + 1, sizeof(**limits));
		(*limits)[n++] = 1;
	}
	for (i = 0; jc->policy.semaphores && jc->policy.semaphores[i]; i++) {
		s = config_find_semaphore(cfg, jc->policy.semaphores[i]);
		if (!s || !s->cluster)
			continue;
		*names = strv_append(*names, s->name);
		*limits = xreallocarray(*limits, n + 1, sizeof(**limits));
		(*limits)[n++] = s->limit;
	}
	return n > 0;
}

static void
wait_free(struct cluster_wait *w)
{
	free(w->names);
	free(w->limits);
	free(w);
}

static void
wait_remove(struct cluster_wait *w)
{
	TAILQ_REMOVE(&w->c->waits, w, entry);
	wait_free(w);
}

static void try_acquire(struct cluster_wait *);

static void
acquired_cb(void *data, const PGresult *res)
{
	struct cluster_wait *w = data;
	struct cluster *c = w->c;

	cluster_answered(c);
	if (c->freed || c->closing || !res) {
		if (!c->freed)
			wait_remove(w);
		return;
	}
	w->state = WAIT_QUEUED;
	if (!w->run) {
		cluster_locks_release(c, w);
		return;
	}
	if (!cluster_result_ok(res, "taking a cluster lock") ||
	    PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "t"))
		return;		/* in line: the next tick tries again */
	w->state = WAIT_HELD;
	c->ops.admit(c->ops.owner, w->run);
}

static void
try_acquire(struct cluster_wait *w)
{
	struct cluster *c = w->c;
	char seq[32], id[32];
	const char *p[4] = { c->cluster, seq, c->node, id };

	if (w->state != WAIT_QUEUED || c->state != CLUSTER_ALIVE)
		return;
	snprintf(seq, sizeof(seq), "%" PRId64, w->seq);
	snprintf(id, sizeof(id), "%" PRIu64, w->id);
	w->state = WAIT_TRYING;
	if (cluster_query(c, "SELECT jobd_acquire($1, $2::bigint, $3, "
	    "$4::bigint)", 4, p, acquired_cb, w) < 0)
		w->state = WAIT_QUEUED;
}

static void
queued_cb(void *data, const PGresult *res)
{
	struct cluster_wait *w = data;
	struct cluster *c = w->c;

	cluster_answered(c);
	if (c->freed || c->closing || !res) {
		if (!c->freed)
			wait_remove(w);
		return;
	}
	if (!cluster_result_ok(res, "queuing for a cluster lock") ||
	    PQntuples(res) != 1) {
		w->state = WAIT_JOINING;	/* the next tick queues again */
		return;
	}
	w->seq = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	w->state = WAIT_QUEUED;
	if (!w->run)
		cluster_locks_release(c, w);
	else
		try_acquire(w);
}

/* In line once per run: a resent row finds its own (same node, run). */
static void
queue_waiter(struct cluster_wait *w)
{
	struct cluster *c = w->c;
	char epoch[32], id[32];
	const char *p[6] = { c->cluster, c->node, epoch, id, w->names,
	    w->limits };

	if (c->state != CLUSTER_ALIVE)
		return;
	snprintf(epoch, sizeof(epoch), "%" PRIu64, c->epoch);
	snprintf(id, sizeof(id), "%" PRIu64, w->id);
	w->state = WAIT_QUEUING;
	if (cluster_query(c, "INSERT INTO jobd_waiters (cluster, node, epoch, "
	    "run, names, limits) VALUES ($1, $2, $3::bigint, $4::bigint, "
	    "$5::text[], $6::integer[]) ON CONFLICT (cluster, node, run) DO "
	    "UPDATE SET epoch = EXCLUDED.epoch RETURNING seq", 6, p,
	    queued_cb, w) < 0)
		w->state = WAIT_JOINING;
}

bool
cluster_admit(struct cluster *c, struct run *r)
{
	_cleanup_(strv_freep) char **names = NULL;
	_cleanup_free_ unsigned *limits = NULL;
	struct cluster_wait *w;

	if (!wants(c, r, &names, &limits))
		return false;
	w = xcalloc(1, sizeof(*w));
	w->c = c;
	w->run = r;
	w->id = r->id;
	w->names = array_literal(names, NULL);
	w->limits = array_literal(names, limits);
	w->state = WAIT_JOINING;
	TAILQ_INSERT_TAIL(&c->waits, w, entry);
	queue_waiter(w);
	return true;
}

static void
released_cb(void *data, const PGresult *res)
{
	struct cluster *c = data;
	struct cluster_wait *w;

	cluster_answered(c);
	if (c->freed || !res || !cluster_result_ok(res, "giving back a "
	    "cluster lock"))
		return;
	/* Ours may be next in line. */
	TAILQ_FOREACH(w, &c->waits, entry)
		try_acquire(w);
}

/* Gives back what w holds and leaves the line (a statement in flight
 * for it finishes first: then its callback comes here). */
void
cluster_locks_release(struct cluster *c, struct cluster_wait *w)
{
	char id[32];
	const char *p[3] = { c->cluster, c->node, id };

	w->run = NULL;
	if (w->state == WAIT_QUEUING || w->state == WAIT_TRYING)
		return;
	snprintf(id, sizeof(id), "%" PRIu64, w->id);
	if (w->state != WAIT_JOINING)
		cluster_query(c, "WITH h AS (DELETE FROM jobd_holds WHERE "
		    "cluster = $1 AND node = $2 AND run = $3::bigint) DELETE "
		    "FROM jobd_waiters WHERE cluster = $1 AND node = $2 AND "
		    "run = $3::bigint", 3, p, released_cb, c);
	wait_remove(w);
}

/* A run of this node finished: what it held or waited for goes. */
void
cluster_locks_finished(struct cluster *c, struct run *r)
{
	struct cluster_wait *w;

	TAILQ_FOREACH(w, &c->waits, entry)
		if (w->run == r) {
			cluster_locks_release(c, w);
			return;
		}
}

/* Every tick: waiters not yet in line get in, those in line try. */
void
cluster_locks_tick(struct cluster *c)
{
	struct cluster_wait *w;

	TAILQ_FOREACH(w, &c->waits, entry) {
		if (w->state == WAIT_JOINING)
			queue_waiter(w);
		else
			try_acquire(w);
	}
}

/* A new epoch: the lines we stood in were the old epoch's. */
void
cluster_locks_rejoined(struct cluster *c)
{
	struct cluster_wait *w;

	TAILQ_FOREACH(w, &c->waits, entry)
		if (w->state == WAIT_QUEUED)
			w->state = WAIT_JOINING;
	cluster_locks_tick(c);
}

void
cluster_locks_free(struct cluster *c)
{
	struct cluster_wait *w;

	while ((w = TAILQ_FIRST(&c->waits)))
		wait_remove(w);
}
