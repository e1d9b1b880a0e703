/* What the files of the cluster module share: cluster-node.c (the node's
 * life and lease), cluster-io.c (statements), cluster-claim.c (slots),
 * cluster-locks.c, cluster-queue.c, cluster-cancel.c, cluster-runs.c (run
 * rows, the reads of Nodes and History) and cluster-schema.c. */
#ifndef JOBD_CLUSTER_INTERNAL_H
#define JOBD_CLUSTER_INTERNAL_H

#include <sys/queue.h>

#include "cluster.h"
#include "pg.h"

enum cluster_state {
	CLUSTER_CONNECTING,	/* until the schema is there */
	CLUSTER_JOINING,	/* the join statement in flight */
	CLUSTER_ALIVE,		/* holding a lease */
	CLUSTER_LEAVING,
};

/* A claim waiting for a lease (the node joins again). */
struct cluster_claim {
	TAILQ_ENTRY(cluster_claim) entry;
	struct cluster *c;
	char *job;
	int trigger;
	usec_t slot;
};

struct cluster {
	const struct run_ctx *runs;
	struct units *units;
	struct cluster_ops ops;
	struct pg *pg;
	char *cluster, *node, *version, *hash;
	usec_t lease;
	enum cluster_state state;
	uint64_t epoch;
	usec_t lease_until;		/* monotonic: renewed until then */
	uv_timer_t tick;
	bool tick_busy;			/* renew or reap in flight */
	unsigned inflight;		/* statements this module waits for */
	TAILQ_HEAD(, cluster_claim) deferred;
	TAILQ_HEAD(, cluster_claim) batch;	/* this loop turn's claims */
	size_t nbatch;
	uv_timer_t batch_timer;		/* sends them (0 ms) */
	int handles_closed;		/* of the two timers */
	TAILQ_HEAD(, cluster_wait) waits;	/* runs and cluster locks */
	TAILQ_HEAD(, cluster_taken) taken;	/* runs from the queue */
	TAILQ_HEAD(, cluster_qwait) qwaits;	/* callers of queued runs */
	bool taking;			/* a take statement in flight */
	size_t ndeferred;
	struct run_subscriber sub;
	bool closing, freed;
	bool gave_up;			/* leaving took too long */
	/* Join again (cluster-node.c's; the claims find the lease gone). */
	void (*rejoin)(struct cluster *);
};

/* At most this many claims wait for a lease; older ones are dropped
 * (the other nodes claim those slots). */
#define CLUSTER_MAX_DEFERRED 100000
/* Runs a node has open past which it takes nothing from the queue
 * (without [jobd] max_running=). */
#define CLUSTER_QUEUE_ROOM 64
/* Seconds a stopping jobd waits for its last writes. */
#define CLUSTER_LEAVE_TIMEOUT 3

/* cluster-schema.c: creates or migrates the tables (one statement). */
extern const char cluster_schema_sql[];
#define CLUSTER_SCHEMA_VERSION 1

/* cluster-node.c */
void cluster_join(struct cluster *);
/* cluster-io.c: a statement of this module was queued / answered. */
int cluster_query(struct cluster *, const char *sql, int n,
    const char *const *params, pg_result_fn, void *data);
void cluster_answered(struct cluster *);
bool cluster_result_ok(const PGresult *, const char *what);
/* A read (or a write a client waits for) whose rows go to fn; not sent
 * while the database is away (-ENOTCONN), not sent twice. */
int cluster_ask(struct cluster *, const char *sql, int n,
    const char *const *params, cluster_rows_fn fn, void *data);


/* cluster-locks.c */
struct cluster_wait;
void cluster_locks_release(struct cluster *, struct cluster_wait *);
void cluster_locks_tick(struct cluster *);
void cluster_locks_rejoined(struct cluster *);
void cluster_locks_free(struct cluster *);

/* cluster-queue.c */
struct cluster_taken;
void cluster_queue_tick(struct cluster *);
void cluster_queue_waits_tick(struct cluster *);
void cluster_queue_finished(struct cluster *, struct run *);
void cluster_queue_free(struct cluster *);

/* cluster-cancel.c */
void cluster_cancels_tick(struct cluster *);

/* cluster-claim.c: claims that waited for the lease go again. */
void cluster_claims_resume(struct cluster *);
void cluster_claims_flush_cb(uv_timer_t *);
void cluster_claims_free(struct cluster *);

#endif
