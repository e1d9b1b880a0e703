/* Several jobd nodes sharing a PostgreSQL database ([cluster]): this node
 * holds a lease it renews (fenced by an epoch), finds nodes whose lease
 * ran out and records their unfinished runs lost, claims each periodic
 * slot with one INSERT ... ON CONFLICT DO NOTHING so that one node runs
 * it, and writes its runs to the shared table.  Every statement goes
 * through pg.c, on the loop; while the database is unreachable they wait
 * (runs go on) and a slot is claimed only under a lease the database
 * still vouches for. */
#ifndef JOBD_CLUSTER_H
#define JOBD_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "run-events.h"
#include "timeutil.h"

struct cluster;
struct config_cluster;
struct job;
struct run_ctx;
struct units;

/* Rows from the database, or NULL when jobd stops first. */
typedef void (*cluster_rows_fn)(void *data, const PGresult *);

struct cluster_ops {
	/* The slot is this node's to run. */
	void (*run_slot)(void *owner, struct job *, int trigger, usec_t slot);
	/* A run taken from the queue: start it (NULL: refused). */
	struct run *(*run_queued)(void *owner, struct job *);
	/* A run that waited for cluster locks holds them: admit it here. */
	void (*admit)(void *owner, struct run *);
	/* After cluster_leave: nothing more to wait for. */
	void (*idle)(void *owner);
	void *owner;
};

/* NULL with *cause when the node has no valid name. */
struct cluster *cluster_new(const struct run_ctx *, struct units *,
    const struct config_cluster *, uint64_t units_hash,
    const struct cluster_ops *, char **cause);
/* Connects, creates or migrates the schema, joins, and renews. */
void cluster_start(struct cluster *);
/* Its runs' rows, from the hub. */
void cluster_subscribe(struct cluster *, struct run_hub *);
/* The scheduler's claim hook (struct sched's claim): a slot of j is due
 * here; run_on= decides whether it needs a claim; ops->run_slot runs it
 * when this node may. */
void cluster_claim(void *cluster, struct job *j, int trigger, usec_t slot);
/* The run context's admit: true when the run needs cluster-wide locks
 * or semaphores and waits for them (ops.admit follows), false when it
 * needs none (admit it locally now). */
struct run;
bool cluster_admit(struct cluster *, struct run *);
/* Queues a run of each job for whichever node has room first; fn gets
 * the rows (qid, job) or the error.  -ENOTCONN: the database is not
 * there now. */
int cluster_enqueue(struct cluster *, char *const *jobs, const char *who,
    cluster_rows_fn fn, void *data);
/* Waits until the queued runs qids (an array literal, n of them) have
 * finished on some node: fn gets their rows (qid, job, state, node, run,
 * result, run state, exit_status, reason), or NULL when jobd stops. */
struct cluster_qwait;
struct cluster_qwait *cluster_queue_wait(struct cluster *, const char *qids,
    size_t n, cluster_rows_fn fn, void *data);
void cluster_queue_wait_cancel(struct cluster_qwait *);
/* Cancels runs of other nodes ("NODE:RUN") and queued runs ("qN"),
 * targets an array literal: fn gets the rows (target, node, run) of
 * those found unfinished; their nodes act within a second.  -ENOTCONN:
 * the database is not there now. */
int cluster_cancel(struct cluster *, const char *targets, const char *who,
    cluster_rows_fn fn, void *data);
/* PostgreSQL array literals for the functions above: items added to
 * list (NULL: a new one), quoted as names (of A-Za-z0-9_.@-: nothing to
 * escape) or not (numbers); then ended. */
char *cluster_array_add(char *list, const char *item, bool quote);
char *cluster_array_end(char *list);
/* The queue row a run of this node came from, or 0. */
int64_t cluster_queue_id(const struct cluster *, const struct run *);
/* A run of this node finished (its holds go). */
void cluster_locks_finished(struct cluster *, struct run *);
/* Leaves (the lease given back) and closes; done once nothing waits. */
void cluster_leave(struct cluster *);
bool cluster_idle(const struct cluster *);
void cluster_free(struct cluster *);

const char *cluster_node(const struct cluster *);
const char *cluster_name(const struct cluster *);
/* What a Nodes call reads: one row per node (cluster-runs.c). */
int cluster_nodes(struct cluster *, cluster_rows_fn, void *data);
/* A run of any node: (job, state, output bytea, ended_usec), no row
 * when there is none. */
int cluster_output(struct cluster *, const char *node, uint64_t run,
    cluster_rows_fn fn, void *data);
/* Runs of the whole cluster, newest first (History in cluster mode). */
struct cluster_history_query {
	const char *job, *result;	/* NULL: any */
	bool failed;			/* finished, not a success */
	usec_t since;			/* queued since; 0: any time */
	int64_t limit;			/* 0: all */
};
int cluster_history(struct cluster *, const struct cluster_history_query *,
    cluster_rows_fn, void *data);
/* The job definitions changed (a reload): the others see the new hash. */
void cluster_definitions(struct cluster *, uint64_t units_hash);
/* The database answers now, and this node holds its lease. */
bool cluster_lease_held(const struct cluster *);
uint64_t cluster_epoch(const struct cluster *);

#endif
