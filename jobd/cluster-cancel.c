/* Cancelling a run of another node (jobctl cancel NODE:RUN) or a run
 * still in the cluster's queue (jobctl cancel qN): a row in jobd_cancels
 * that the run's node takes on its next tick (within a second) and acts
 * on as jobctl cancel there would; a queued run that no node took yet is
 * marked cancelled at once. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster-internal.h"
#include "log.h"
#include "run.h"
#include "units.h"
#include "xmalloc.h"

/* targets: "NODE:RUN" or "qN", as an array literal; the answer's rows
 * are the targets that were found (target, node, run). */
int
cluster_cancel(struct cluster *c, const char *targets, const char *who,
    cluster_rows_fn fn, void *data)
{
	const char *p[3] = { c->cluster, targets, who };

	return cluster_ask(c,
	    "WITH t AS (SELECT x, split_part(x, ':', 1) AS node, "
	    "CASE WHEN x ~ '^q[0-9]+$' THEN substr(x, 2)::bigint END AS qid, "
	    "CASE WHEN x ~ ':[0-9]+$' THEN split_part(x, ':', 2)::bigint END "
	    "AS run FROM unnest($2::text[]) x), "
	    "q AS (UPDATE jobd_queue SET state = 'cancelled' FROM t WHERE "
	    "jobd_queue.cluster = $1 AND jobd_queue.qid = t.qid AND "
	    "jobd_queue.state = 'queued' RETURNING t.x, '' AS node, 0::bigint "
	    "AS run), "
	    "qt AS (SELECT t.x, jq.node, jq.run FROM t JOIN jobd_queue jq ON "
	    "jq.cluster = $1 AND jq.qid = t.qid AND jq.state = 'taken' AND "
	    "jq.run IS NOT NULL), "
	    "r AS (SELECT t.x, t.node, t.run FROM t JOIN jobd_runs jr ON "
	    "jr.cluster = $1 AND jr.node = t.node AND jr.id = t.run AND "
	    "jr.state <> 'finished' UNION ALL SELECT * FROM qt), "
	    "ins AS (INSERT INTO jobd_cancels (cluster, node, run, "
	    "requested_by) SELECT $1, node, run, $3 FROM r ON CONFLICT DO "
	    "NOTHING) "
	    "SELECT x, node, run FROM r UNION ALL SELECT * FROM q", 3, p, fn,
	    data);
}

static void
cancels_taken_cb(void *data, const PGresult *res)
{
	struct cluster *c = data;
	struct run *r;
	int i;

	cluster_answered(c);
	if (c->freed || c->closing || !cluster_result_ok(res, "taking the "
	    "cancels asked of this node"))
		return;
	for (i = 0; i < PQntuples(res); i++) {
		r = units_find_run(c->units, strtoull(PQgetvalue(res, i, 0),
		    NULL, 10));
		if (!r || r->state == RUN_FINISHED)
			continue;
		log_info("cluster '%s': run %" PRIu64 " of %s cancelled as %s "
		    "asked", c->cluster, r->id, r->name, PQgetvalue(res, i,
		    1));
		run_event(r, RUN_EV_CANCEL);
	}
}

/* On each tick: the cancels other nodes asked of this one. */
void
cluster_cancels_tick(struct cluster *c)
{
	const char *p[2] = { c->cluster, c->node };

	cluster_query(c, "DELETE FROM jobd_cancels WHERE cluster = $1 AND "
	    "node = $2 RETURNING run, requested_by", 2, p, cancels_taken_cb,
	    c);
}
