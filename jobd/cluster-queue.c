/* Runs for any node (jobctl start --anywhere, or an on-demand job with
 * run_on=any): a row in jobd_queue that a node with room takes with
 * SELECT ... FOR UPDATE SKIP LOCKED on its tick, and marks done when its
 * run finished.  A row taken by a node that lost its lease goes back to
 * the queue (the reaping and the join do it), so such a run may run
 * again elsewhere: at least once, unlike slots.  Callers waiting for rows
 * are answered from jobd_queue and jobd_runs on each tick. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
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

/* A run taken from the queue, until it finishes. */
struct cluster_taken {
	TAILQ_ENTRY(cluster_taken) entry;
	struct run *run;
	int64_t qid;
};

/* A caller waiting for queue rows to be run. */
struct cluster_qwait {
	TAILQ_ENTRY(cluster_qwait) entry;
	struct cluster *c;
	char *qids;			/* array literal */
	size_t n;
	cluster_rows_fn fn;
	void *data;
	bool asking, cancelled;
};

int
cluster_enqueue(struct cluster *c, char *const *jobs, const char *who,
    cluster_rows_fn fn, void *data)
{
	_cleanup_free_ char *list = NULL;
	const char *p[4];
	char now[32];
	size_t i;

	for (i = 0; jobs[i]; i++)
		list = cluster_array_add(list, jobs[i], true);
	list = cluster_array_end(list);
	snprintf(now, sizeof(now), "%" PRIu64, (uint64_t)now_realtime());
	p[0] = c->cluster;
	p[1] = who;
	p[2] = list;
	p[3] = now;
	return cluster_ask(c, "INSERT INTO jobd_queue (cluster, job, "
	    "requested_by, requested_usec) SELECT $1, j, $2, $4::bigint FROM "
	    "unnest($3::text[]) WITH ORDINALITY AS u(j, o) ORDER BY o "
	    "RETURNING qid, job", 4, p, fn, data);
}

/* The jobs this node may take: not services; without run_on=, with
 * run_on=any or all, or naming this node. */
static char *
takeable(const struct cluster *c)
{
	const struct job *j;
	char *s = NULL;

	TAILQ_FOREACH(j, &c->units->jobs, entry) {
		char *const *on = j->config ? j->config->run_on : NULL;

		if (!j->config || j->config->service || (on &&
		    strcmp(on[0], "any") && strcmp(on[0], "all") &&
		    !strv_contains(on, c->node)))
			continue;
		s = cluster_array_add(s, j->name, true);
	}
	return cluster_array_end(s);
}

static void
run_noted_cb(void *data, const PGresult *res)
{
	struct cluster *c = data;

	cluster_answered(c);
	if (res && !c->freed)
		cluster_result_ok(res, "noting a queued run");
}

static void
taken_cb(void *data, const PGresult *res)
{
	struct cluster *c = data;
	struct cluster_taken *t;
	char id[32], qid[32];
	const char *p[3] = { c->cluster, qid, id };
	struct run *r;
	struct job *j;
	int i;

	cluster_answered(c);
	c->taking = false;
	if (c->freed || c->closing || !cluster_result_ok(res, "taking a "
	    "queued run"))
		return;
	for (i = 0; i < PQntuples(res); i++) {
		j = units_find(c->units, PQgetvalue(res, i, 1));
		r = j ? c->ops.run_queued(c->ops.owner, j) : NULL;
		snprintf(qid, sizeof(qid), "%s", PQgetvalue(res, i, 0));
		snprintf(id, sizeof(id), "%" PRIu64, r ? r->id : 0);
		if (!r) {
			/* Gone with a reload, or refused: back in line. */
			cluster_query(c, "UPDATE jobd_queue SET state = "
			    "'queued', node = NULL, epoch = NULL WHERE cluster "
			    "= $1 AND qid = $2::bigint", 2, p, run_noted_cb, c);
			continue;
		}
		/* A run may end at once (a condition not met): done. */
		if (r->state != RUN_FINISHED) {
			t = xcalloc(1, sizeof(*t));
			t->run = r;
			t->qid = strtoll(qid, NULL, 10);
			TAILQ_INSERT_TAIL(&c->taken, t, entry);
		}
		cluster_query(c, r->state == RUN_FINISHED ? "UPDATE jobd_queue "
		    "SET run = $3::bigint, state = 'done' WHERE cluster = $1 AND "
		    "qid = $2::bigint" : "UPDATE jobd_queue SET run = $3::bigint "
		    "WHERE cluster = $1 AND qid = $2::bigint", 3, p,
		    run_noted_cb, c);
	}
}

/* On each tick, while this node has room: the oldest row of a job it
 * knows, one node each (SKIP LOCKED), under its lease. */
void
cluster_queue_tick(struct cluster *c)
{
	_cleanup_free_ char *jobs = NULL;
	char epoch[32], room[32];
	const char *p[5];

	unsigned max = c->runs->config->max_running ?
	    c->runs->config->max_running : CLUSTER_QUEUE_ROOM;

	if (c->taking || c->state != CLUSTER_ALIVE ||
	    c->units->nruns_open >= max)
		return;
	jobs = takeable(c);
	if (!strcmp(jobs, "{}"))
		return;
	snprintf(epoch, sizeof(epoch), "%" PRIu64, c->epoch);
	snprintf(room, sizeof(room), "%u", max - c->units->nruns_open);
	p[0] = c->cluster;
	p[1] = c->node;
	p[2] = epoch;
	p[3] = jobs;
	p[4] = room;
	c->taking = true;
	if (cluster_query(c, "UPDATE jobd_queue q SET state = 'taken', node = "
	    "$2, epoch = $3::bigint, taken_usec = (extract(epoch FROM now()) "
	    "* 1000000)::bigint WHERE q.qid IN (SELECT qid FROM jobd_queue "
	    "WHERE cluster = $1 AND state = 'queued' AND job = ANY($4::text[]) "
	    "AND EXISTS (SELECT 1 FROM jobd_nodes WHERE cluster = $1 AND name "
	    "= $2 AND epoch = $3::bigint AND state = 'alive' AND expires > "
	    "now()) ORDER BY qid LIMIT $5::bigint FOR UPDATE SKIP LOCKED) "
	    "RETURNING q.qid, q.job", 5, p, taken_cb, c) < 0)
		c->taking = false;
}

/* A run from the queue finished: its row is done. */
void
cluster_queue_finished(struct cluster *c, struct run *r)
{
	struct cluster_taken *t;
	char qid[32];
	const char *p[2] = { c->cluster, qid };

	TAILQ_FOREACH(t, &c->taken, entry)
		if (t->run == r)
			break;
	if (!t)
		return;
	snprintf(qid, sizeof(qid), "%" PRId64, t->qid);
	cluster_query(c, "UPDATE jobd_queue SET state = 'done' WHERE cluster "
	    "= $1 AND qid = $2::bigint AND state = 'taken'", 2, p,
	    run_noted_cb, c);
	TAILQ_REMOVE(&c->taken, t, entry);
	free(t);
}

int64_t
cluster_queue_id(const struct cluster *c, const struct run *r)
{
	const struct cluster_taken *t;

	TAILQ_FOREACH(t, &c->taken, entry)
		if (t->run == r)
			return t->qid;
	return 0;
}

static void
qwait_free(struct cluster_qwait *w)
{
	free(w->qids);
	free(w);
}

static void
qwait_cb(void *data, const PGresult *res)
{
	struct cluster_qwait *w = data;
	struct cluster *c = w->c;
	int i, done = 0;

	cluster_answered(c);
	w->asking = false;
	if (w->cancelled || c->freed) {
		qwait_free(w);
		return;
	}
	if (!res || c->closing) {
		TAILQ_REMOVE(&c->qwaits, w, entry);
		w->fn(w->data, NULL);
		qwait_free(w);
		return;
	}
	if (!cluster_result_ok(res, "waiting for queued runs"))
		return;
	for (i = 0; i < PQntuples(res); i++)
		done += !strcmp(PQgetvalue(res, i, 6), "finished");
	if ((size_t)done < w->n)
		return;
	TAILQ_REMOVE(&c->qwaits, w, entry);
	w->fn(w->data, res);
	qwait_free(w);
}

static void
qwait_ask(struct cluster_qwait *w)
{
	const char *p[2] = { w->c->cluster, w->qids };

	if (w->asking)
		return;
	w->asking = true;
	if (cluster_query(w->c, "SELECT q.qid, q.job, q.state, q.node, q.run, "
	    "r.result, COALESCE(r.state, ''), r.exit_status, r.reason FROM "
	    "jobd_queue q LEFT JOIN jobd_runs r ON r.cluster = q.cluster AND "
	    "r.node = q.node AND r.id = q.run WHERE q.cluster = $1 AND q.qid "
	    "= ANY($2::bigint[]) ORDER BY q.qid", 2, p, qwait_cb, w) < 0)
		w->asking = false;
}

struct cluster_qwait *
cluster_queue_wait(struct cluster *c, const char *qids, size_t n,
    cluster_rows_fn fn, void *data)
{
	struct cluster_qwait *w = xcalloc(1, sizeof(*w));

	w->c = c;
	w->qids = xstrdup(qids);
	w->n = n;
	w->fn = fn;
	w->data = data;
	TAILQ_INSERT_TAIL(&c->qwaits, w, entry);
	return w;
}

void
cluster_queue_wait_cancel(struct cluster_qwait *w)
{
	TAILQ_REMOVE(&w->c->qwaits, w, entry);
	if (w->asking)
		w->cancelled = true;
	else
		qwait_free(w);
}

void
cluster_queue_waits_tick(struct cluster *c)
{
	struct cluster_qwait *w;

	TAILQ_FOREACH(w, &c->qwaits, entry)
		qwait_ask(w);
}

void
cluster_queue_free(struct cluster *c)
{
	struct cluster_taken *t;
	struct cluster_qwait *w;

	while ((t = TAILQ_FIRST(&c->taken))) {
		TAILQ_REMOVE(&c->taken, t, entry);
		free(t);
	}
	while ((w = TAILQ_FIRST(&c->qwaits))) {
		TAILQ_REMOVE(&c->qwaits, w, entry);
		w->fn(w->data, NULL);
		qwait_free(w);
	}
}
