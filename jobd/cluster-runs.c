/* This node's runs in the shared table (a row when a run starts, its end
 * when it finishes, never over a row the others recorded lost), and the
 * reads of the Nodes and History methods.  While the database is away
 * the rows wait in pg.c's queue, in order, and go once it is back. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cluster-internal.h"
#include "log.h"
#include "run.h"
#include "xmalloc.h"

static void
cluster_row_cb(void *data, const PGresult *res)
{
	struct cluster *c = data;

	cluster_answered(c);
	if (res && !c->freed)
		cluster_result_ok(res, "writing a run");
}

/* The run's output tail as a bytea literal (hex), lines ended by
 * newlines, for jobctl logs NODE:RUN from any node. */
static char *
output_hex(const struct run *r)
{
	static const char digits[] = "0123456789abcdef";
	const struct tail_line *l;
	size_t len = 0, i;
	char *s, *p;

	TAILQ_FOREACH(l, &r->tail.lines, entry)
		len += l->len + 1;
	s = p = xmalloc(2 * len + 3);
	*p++ = '\\';
	*p++ = 'x';
	TAILQ_FOREACH(l, &r->tail.lines, entry) {
		for (i = 0; i <= l->len; i++) {
			unsigned char ch = i < l->len ?
			    (unsigned char)l->data[i] : '\n';

			*p++ = digits[ch >> 4];
			*p++ = digits[ch & 15];
		}
	}
	*p = '\0';
	return s;
}

#define NUM(buf, v) (snprintf(buf, sizeof(buf), "%" PRIu64, (uint64_t)(v)), \
	buf)

/* One statement for both news: a row that exists is ended only while it
 * still says running (a row recorded lost stays lost). */
static void
cluster_write_run(struct cluster *c, struct run *r, bool finished)
{
	char id[32], epoch[32], slot[32], queued[32], started[32], ended[32];
	char status[32];
	_cleanup_free_ char *output = finished ? output_hex(r) : NULL;
	const char *p[15] = {
		c->cluster, c->node, NUM(id, r->id), NUM(epoch, c->epoch),
		r->name, run_trigger_name[r->trigger],
		r->scheduled ? NUM(slot, r->scheduled) : NULL,
		finished ? "finished" : "running",
		finished ? run_result_name[r->result] : NULL,
		finished && r->exited && !r->signal ?
		    (snprintf(status, sizeof(status), "%d", r->exit_code),
		    status) : NULL,
		finished ? r->reason : NULL,
		NUM(queued, r->queued),
		r->started ? NUM(started, r->started) : NULL,
		finished ? NUM(ended, r->ended ? r->ended : now_realtime()) :
		    NULL,
		output,
	};

	if (c->closing || c->epoch == 0)
		return;
	cluster_query(c, "INSERT INTO jobd_runs (cluster, node, id, epoch, "
	    "job, trigger, slot, state, result, exit_status, reason, "
	    "queued_usec, started_usec, ended_usec, output) VALUES ($1, $2, "
	    "$3::bigint, $4::bigint, $5, $6, $7::bigint, $8, $9, "
	    "$10::integer, $11, $12::bigint, $13::bigint, $14::bigint, "
	    "$15::bytea) "
	    "ON CONFLICT (cluster, node, id) DO UPDATE SET state = "
	    "EXCLUDED.state, result = EXCLUDED.result, exit_status = "
	    "EXCLUDED.exit_status, reason = EXCLUDED.reason, started_usec = "
	    "COALESCE(EXCLUDED.started_usec, jobd_runs.started_usec), "
	    "ended_usec = EXCLUDED.ended_usec, output = EXCLUDED.output "
	    "WHERE jobd_runs.state = 'running'", 15, p, cluster_row_cb, c);
}

static void
cluster_run_started(struct run_subscriber *s, struct run *r)
{
	cluster_write_run(container_of(s, struct cluster, sub), r, false);
}

static void
cluster_run_finished(struct run_subscriber *s, struct run *r)
{
	struct cluster *c = container_of(s, struct cluster, sub);

	cluster_write_run(c, r, true);
	cluster_locks_finished(c, r);
	cluster_queue_finished(c, r);
}

void
cluster_subscribe(struct cluster *c, struct run_hub *hub)
{
	c->sub = (struct run_subscriber){
		.started = cluster_run_started,
		.finished = cluster_run_finished,
	};
	run_hub_subscribe(hub, &c->sub);
}

int
cluster_output(struct cluster *c, const char *node, uint64_t run,
    cluster_rows_fn fn, void *data)
{
	char id[32];
	const char *p[3] = { c->cluster, node, id };

	snprintf(id, sizeof(id), "%" PRIu64, run);
	return cluster_ask(c, "SELECT job, state, output, "
	    "COALESCE(ended_usec, 0) FROM jobd_runs WHERE cluster = $1 AND "
	    "node = $2 AND id = $3::bigint", 3, p, fn, data);
}

int
cluster_nodes(struct cluster *c, cluster_rows_fn fn, void *data)
{
	const char *p[1] = { c->cluster };

	return cluster_ask(c, "SELECT n.name, CASE WHEN n.state = 'alive' "
	    "AND n.expires < now() THEN 'expired' ELSE n.state END, "
	    "(extract(epoch FROM n.expires) * 1000000)::bigint, n.epoch, "
	    "n.version, n.config_hash, (SELECT count(*) FROM jobd_runs r "
	    "WHERE r.cluster = n.cluster AND r.node = n.name AND r.state = "
	    "'running'), (extract(epoch FROM n.joined) * 1000000)::bigint "
	    "FROM jobd_nodes n WHERE n.cluster = $1 ORDER BY n.name", 1, p,
	    fn, data);
}

int
cluster_history(struct cluster *c, const struct cluster_history_query *q,
    cluster_rows_fn fn, void *data)
{
	char lim[32], since[32];
	const char *p[6] = { c->cluster, q->job, q->result,
	    q->failed ? "1" : "0", since, lim };

	snprintf(lim, sizeof(lim), "%" PRId64, q->limit > 0 ? q->limit :
	    INT64_MAX);
	snprintf(since, sizeof(since), "%" PRIu64, (uint64_t)q->since);
	return cluster_ask(c, "SELECT node, id, job, trigger, slot, state, "
	    "result, exit_status, reason, queued_usec, started_usec, "
	    "ended_usec FROM jobd_runs WHERE cluster = $1 AND ($2::text IS "
	    "NULL OR job = $2) AND ($3::text IS NULL OR result = $3) AND "
	    "($4 = '0' OR (state = 'finished' AND result <> 'success')) AND "
	    "queued_usec >= $5::bigint ORDER BY queued_usec DESC, node, "
	    "id DESC LIMIT $6::bigint", 6, p, fn, data);
}
