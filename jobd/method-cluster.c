/* Methods of a cluster: Nodes (every node's lease, runs in flight,
 * version and whether its definitions match this node's), and History
 * read from the shared table, each run with its node.  The answers come
 * from the database, asynchronously; when it cannot answer, History
 * falls back to this node's own ledger and says so. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "config.h"
#include "control.h"
#include "job.h"
#include "logs-json.h"
#include "strv.h"
#include "tail.h"
#include "macro.h"
#include "method.h"
#include "xmalloc.h"

static json_int_t
cell_int(const PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static void
no_answer(struct conn *c, const PGresult *res)
{
	ctl_error(c, IFACE_ERROR("ClusterUnavailable"), json_pack("{s:s}",
	    "reason", res ? PQresultErrorMessage(res) :
	    "no answer from the database"));
}

static bool
rows_ok(const PGresult *res)
{
	return res && PQresultStatus(res) == PGRES_TUPLES_OK;
}

/* The call waiting for res, when it is still there and res has rows;
 * else NULL, the client told why if it waits. */
static struct conn *
answered(struct ctl_deferred *d, const PGresult *res)
{
	struct conn *c = ctl_resume(d);

	if (c && !rows_ok(res)) {
		no_answer(c, res);
		return NULL;
	}
	return c;
}

static void
nodes_done(void *data, const PGresult *res)
{
	struct conn *c = answered(data, res);
	struct cluster *cl;
	json_t *a;
	int i;

	if (!c)
		return;
	cl = ctl_ctx(c)->cluster;
	a = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		const char *hash = PQgetvalue(res, i, 5);

		json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:I,s:s,s:s,"
		    "s:I,s:I,s:b}", "name", PQgetvalue(res, i, 0), "state",
		    PQgetvalue(res, i, 1), "lease_expires_usec",
		    cell_int(res, i, 2), "epoch", cell_int(res, i, 3),
		    "version", PQgetvalue(res, i, 4), "config_hash", hash,
		    "running", cell_int(res, i, 6), "joined_usec",
		    cell_int(res, i, 7), "this",
		    !strcmp(PQgetvalue(res, i, 0), cluster_node(cl))));
	}
	ctl_reply(c, json_pack("{s:s,s:s,s:o}", "cluster", cluster_name(cl),
	    "node", cluster_node(cl), "nodes", a), false);
}

static void
not_in_cluster(struct conn *c)
{
	ctl_error(c, IFACE_ERROR("NotInCluster"), json_object());
}

void
method_nodes(struct conn *c, json_t *params)
{
	struct cluster *cl = ctl_ctx(c)->cluster;
	struct ctl_deferred *d;

	if (ctl_params(c, params, NULL, 0, NULL) < 0)
		return;
	if (!cl) {
		not_in_cluster(c);
		return;
	}
	d = ctl_defer(c);
	if (cluster_nodes(cl, nodes_done, d) < 0)
		nodes_done(d, NULL);
}

/* A row of jobd_runs in the shape of the interface's Run, with its
 * node. */
static json_t *
cluster_run_json(const PGresult *res, int i)
{
	json_t *o = json_pack("{s:s,s:I,s:s,s:s,s:s,s:I}", "node",
	    PQgetvalue(res, i, 0), "id", cell_int(res, i, 1), "job",
	    PQgetvalue(res, i, 2), "trigger", PQgetvalue(res, i, 3), "state",
	    PQgetvalue(res, i, 5), "queued_usec", cell_int(res, i, 9));
	static const struct { int col; const char *key; } opt[] = {
		{ 4, "scheduled_usec" }, { 7, "exit_status" },
		{ 10, "started_usec" }, { 11, "ended_usec" },
	};
	size_t k;

	for (k = 0; k < ELEMENTSOF(opt); k++)
		if (!PQgetisnull(res, i, opt[k].col))
			json_object_set_new(o, opt[k].key,
			    json_integer(cell_int(res, i, opt[k].col)));
	if (!PQgetisnull(res, i, 6))
		json_object_set_new(o, "result",
		    json_string(PQgetvalue(res, i, 6)));
	if (!PQgetisnull(res, i, 8))
		json_object_set_new(o, "reason",
		    json_string(PQgetvalue(res, i, 8)));
	if (!PQgetisnull(res, i, 10) && !PQgetisnull(res, i, 11) &&
	    !PQgetisnull(res, i, 6) && strcmp(PQgetvalue(res, i, 6), "lost"))
		json_object_set_new(o, "runtime_usec", json_integer(
		    cell_int(res, i, 11) - cell_int(res, i, 10)));
	return o;
}

struct cluster_history_call {
	struct ctl_deferred *d;
	void (*fallback)(struct conn *, const char *why, void *);
	void *fallback_ctx;
};

static void
history_done(void *data, const PGresult *res)
{
	struct cluster_history_call *h = data;
	struct conn *c = ctl_resume(h->d);
	json_t *a;
	int i;

	if (c && !rows_ok(res)) {
		h->fallback(c, res ? PQresultErrorMessage(res) :
		    "no answer from the database", h->fallback_ctx);
		free(h);
		return;
	}
	if (c) {
		a = json_array();
		for (i = 0; i < PQntuples(res); i++)
			json_array_append_new(a, cluster_run_json(res, i));
		ctl_reply(c, json_pack("{s:o}", "runs", a), false);
	}
	/* Only frees what the caller handed over. */
	h->fallback(NULL, NULL, h->fallback_ctx);
	free(h);
}

int
method_cluster_history(struct conn *c, const struct cluster_history_query *q,
    void (*fallback)(struct conn *, const char *why, void *), void *ctx)
{
	struct cluster *cl = ctl_ctx(c)->cluster;
	struct cluster_history_call *h;

	if (!cl || !cluster_lease_held(cl))
		return -ENOTCONN;
	h = xmalloc(sizeof(*h));
	*h = (struct cluster_history_call){
		.fallback = fallback, .fallback_ctx = ctx,
	};
	h->d = ctl_defer(c);
	if (cluster_history(cl, q, history_done, h) < 0) {
		ctl_resume(h->d);
		free(h);
		return -ENOBUFS;
	}
	return 0;
}

/* Start --anywhere: the runs wait in the cluster's queue for a node with
 * room; with wait, the reply comes once every one finished somewhere. */
struct anywhere_call {
	struct ctl_deferred *d;
	struct cluster *cl;
	struct cluster_qwait *w;
	json_t *queued;
	bool wait;
};

static void
anywhere_free(struct anywhere_call *a)
{
	json_decref(a->queued);
	free(a);
}

static json_t *
anywhere_run_json(const PGresult *res, int i)
{
	json_t *o = json_pack("{s:s,s:s,s:I}", "job", PQgetvalue(res, i, 1),
	    "state", "finished", "queue_id", cell_int(res, i, 0));

	if (!PQgetisnull(res, i, 3))
		json_object_set_new(o, "node",
		    json_string(PQgetvalue(res, i, 3)));
	if (!PQgetisnull(res, i, 4))
		json_object_set_new(o, "id", json_integer(cell_int(res, i, 4)));
	if (!PQgetisnull(res, i, 5))
		json_object_set_new(o, "result",
		    json_string(PQgetvalue(res, i, 5)));
	if (!PQgetisnull(res, i, 7))
		json_object_set_new(o, "exit_status",
		    json_integer(cell_int(res, i, 7)));
	if (!PQgetisnull(res, i, 8))
		json_object_set_new(o, "reason",
		    json_string(PQgetvalue(res, i, 8)));
	return o;
}

static void
anywhere_finished(void *data, const PGresult *res)
{
	struct anywhere_call *a = data;
	struct conn *c = ctl_resume(a->d);
	json_t *runs;
	int i;

	if (c && !rows_ok(res))
		no_answer(c, res);
	else if (c) {
		runs = json_array();
		for (i = 0; i < PQntuples(res); i++)
			json_array_append_new(runs, anywhere_run_json(res, i));
		ctl_reply(c, json_pack("{s:o,s:O}", "runs", runs, "queued",
		    a->queued), false);
	}
	anywhere_free(a);
}

static void
anywhere_cancel(void *ctx)
{
	struct anywhere_call *a = ctx;

	cluster_queue_wait_cancel(a->w);
	ctl_resume(a->d);
	anywhere_free(a);
}

static void
anywhere_queued(void *data, const PGresult *res)
{
	struct anywhere_call *a = data;
	struct conn *c = answered(a->d, res);
	char *ids = NULL, *t;
	int i;

	if (!c) {
		anywhere_free(a);
		return;
	}
	a->queued = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_array_append_new(a->queued, json_pack("{s:s,s:I}", "job",
		    PQgetvalue(res, i, 1), "queue_id", cell_int(res, i, 0)));
		ids = cluster_array_add(ids, PQgetvalue(res, i, 0), false);
	}
	if (!a->wait) {
		ctl_reply(c, json_pack("{s:[],s:O}", "runs", "queued",
		    a->queued), false);
		anywhere_free(a);
		free(ids);
		return;
	}
	if (ctl_more(c))
		ctl_reply(c, json_pack("{s:[],s:O}", "runs", "queued",
		    a->queued), true);
	t = cluster_array_end(ids);
	a->d = ctl_defer(c);
	a->w = cluster_queue_wait(a->cl, t, (size_t)PQntuples(res),
	    anywhere_finished, a);
	free(t);
	ctl_set_cancel(c, anywhere_cancel, a);
}

/* Whether the jobs go to the queue: asked, or every one an on-demand
 * job with run_on=any. */
static bool
anywhere_wanted(struct job **jobs, size_t n, bool asked)
{
	size_t i;

	if (asked)
		return true;
	for (i = 0; i < n; i++) {
		char *const *on = jobs[i]->config->run_on;

		if (job_config_is_periodic(jobs[i]->config) || !on ||
		    strcmp(on[0], "any"))
			return false;
	}
	return n > 0;
}

bool
method_start_anywhere(struct conn *c, struct job **jobs, size_t n,
    bool asked, bool wait)
{
	struct cluster *cl = ctl_ctx(c)->cluster;
	_cleanup_(strv_freep) char **names = NULL;
	_cleanup_free_ char *who = NULL;
	struct anywhere_call *a;
	size_t i;

	if (!anywhere_wanted(jobs, n, asked) || (!cl && !asked))
		return false;
	if (!cl) {
		not_in_cluster(c);
		return true;
	}
	for (i = 0; i < n; i++)
		names = strv_append(names, jobs[i]->config->name);
	who = xstrfmt("uid %u on %s", (unsigned)ctl_peer_uid(c),
	    cluster_node(cl));
	a = xcalloc(1, sizeof(*a));
	a->cl = cl;
	a->wait = wait;
	a->d = ctl_defer(c);
	if (cluster_enqueue(cl, names, who, anywhere_queued, a) < 0) {
		c = ctl_resume(a->d);
		anywhere_free(a);
		ctl_error(c, IFACE_ERROR("ClusterUnavailable"), json_pack(
		    "{s:s}", "reason", "the cluster's database is not "
		    "reachable now"));
	}
	return true;
}

/* Cancel of runs on other nodes and of queued runs: "NODE:RUN", "qN". */
static bool
remote_target(const struct cluster *cl, const char *t)
{
	const char *colon = strchr(t, ':');

	if (t[0] == 'q' && t[1] && !t[1 + strspn(t + 1, "0123456789")])
		return true;
	/* NODE is a name: nothing else reaches the array literal. */
	if (colon && strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
	    "tuvwxyz0123456789_.@-") != (size_t)(colon - t))
		return false;
	return colon && colon[1] && !colon[1 + strspn(colon + 1,
	    "0123456789")] && (!cl || strncmp(t, cluster_node(cl),
	    (size_t)(colon - t)) || strlen(cluster_node(cl)) !=
	    (size_t)(colon - t));
}

static void
cancel_done(void *data, const PGresult *res)
{
	struct conn *c = answered(data, res);
	json_t *a;
	int i;

	if (!c)
		return;
	a = json_array();
	for (i = 0; i < PQntuples(res); i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:I}", "target",
		    PQgetvalue(res, i, 0), "node", PQgetvalue(res, i, 1),
		    "run", cell_int(res, i, 2)));
	ctl_reply(c, json_pack("{s:[],s:o}", "runs", "requested", a), false);
}

bool
method_cancel_remote(struct conn *c, json_t *targets)
{
	struct cluster *cl = ctl_ctx(c)->cluster;
	char *list = NULL, *t, *who;
	size_t i, remote = 0;
	struct ctl_deferred *d;
	json_t *v;

	json_array_foreach(targets, i, v)
		remote += remote_target(cl, json_string_value(v));
	if (remote == 0) {
		/* "THISNODE:RUN" is this node's run RUN. */
		json_array_foreach(targets, i, v) {
			const char *s = json_string_value(v), *colon;

			if (cl && (colon = strchr(s, ':')))
				json_array_set_new(targets, i,
				    json_string(colon + 1));
		}
		return false;
	}
	if (!cl || remote != json_array_size(targets)) {
		if (!cl)
			not_in_cluster(c);
		else
			ctl_error_invalid_parameter(c, "targets");
		return true;
	}
	json_array_foreach(targets, i, v)
		list = cluster_array_add(list, json_string_value(v), true);
	t = cluster_array_end(list);
	who = xstrfmt("uid %u on %s", (unsigned)ctl_peer_uid(c),
	    cluster_node(cl));
	d = ctl_defer(c);
	if (cluster_cancel(cl, t, who, cancel_done, d) < 0)
		cancel_done(d, NULL);
	free(t);
	free(who);
	return true;
}

/* Logs of a run of another node: its output tail from the shared table,
 * once it finished (live output is on its node). */
struct remote_logs {
	struct ctl_deferred *d;
	uint64_t run;
	size_t lines;
};

static json_t *
remote_lines(const unsigned char *out, size_t len, usec_t usec, size_t n,
    size_t *omitted)
{
	struct tail t;
	size_t i, start = 0;
	json_t *lines;

	tail_init(&t, len + 64 * (len + 1) + 1024);
	for (i = 0; i < len; i++)
		if (out[i] == '\n') {
			tail_append(&t, TAIL_STDOUT, usec,
			    (const char *)out + start, i - start);
			start = i + 1;
		}
	lines = logs_lines_json(&t, n, NULL, 0, omitted);
	tail_done(&t);
	return lines;
}

static void
remote_logs_done(void *data, const PGresult *res)
{
	struct remote_logs *q = data;
	struct conn *c = answered(q->d, res);
	unsigned char *out = NULL;
	size_t len = 0, omitted = 0;
	json_t *lines, *o;

	if (!c) {
		free(q);
		return;
	}
	if (PQntuples(res) != 1)
		ctl_error(c, IFACE_ERROR("NoSuchRun"), json_pack("{s:I}", "run",
		    (json_int_t)q->run));
	else {
		if (!PQgetisnull(res, 0, 2))
			out = PQunescapeBytea((const unsigned char *)
			    PQgetvalue(res, 0, 2), &len);
		lines = remote_lines(out ? out : (unsigned char *)"", len,
		    (usec_t)cell_int(res, 0, 3), q->lines, &omitted);
		o = json_pack("{s:I,s:o,s:b}", "run", (json_int_t)q->run,
		    "lines", lines, "finished", !strcmp(PQgetvalue(res, 0, 1),
		    "finished"));
		if (omitted)
			json_object_set_new(o, "omitted",
			    json_integer((json_int_t)omitted));
		ctl_reply(c, o, false);
		PQfreemem(out);
	}
	free(q);
}

bool
method_logs_remote(struct conn *c, const char *node, int64_t run,
    int64_t lines)
{
	struct cluster *cl = ctl_ctx(c)->cluster;
	struct remote_logs *q;

	if (!node || (cl && !strcmp(node, cluster_node(cl))))
		return false;
	if (!cl) {
		not_in_cluster(c);
		return true;
	}
	if (run < 0) {
		ctl_error_invalid_parameter(c, "run");
		return true;
	}
	q = xcalloc(1, sizeof(*q));
	q->run = (uint64_t)run;
	q->lines = lines > 0 ? (size_t)lines : 0;
	q->d = ctl_defer(c);
	if (cluster_output(cl, node, q->run, remote_logs_done, q) < 0)
		remote_logs_done(q, NULL);
	return true;
}
