/* Stopping what left a run's process group.  Every request since the last
 * scan is served by one pass over /proc on the executor: a stop of 10,000
 * services is one scan, not 10,000.  A process in the run's own process
 * group is left alone (kill(-pgid) already signalled it, and a second
 * SIGTERM means "now" to some daemons). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "executor.h"
#include "procfs.h"
#include "xmalloc.h"

struct escape_hit {
	uint64_t run;
	int sig;
	pid_t pid;
	char comm[17];
};

/* A key (session, run id or pipe inode) and the target it names. */
struct escape_key {
	uint64_t key;
	const struct escape_target *target;
};

struct escape_req {
	struct escape *escape;
	struct escape_target *targets;
	size_t n, cap;
	char *instance;
	/* Built on the worker: the targets by session, run and pipe. */
	struct escape_key *by_sid, *by_run, *by_pipe;
	size_t npipes;
	const struct escape_target *found;	/* escape_pipe's answer */
	struct escape_hit *hits;
	size_t nhits, hits_cap;
};

void
escape_init(struct escape *e, struct executor *ex,
    const char *(*instance)(void *), escape_report_fn report, void *ctx)
{
	*e = (struct escape){ .executor = ex, .instance = instance,
	    .report = report, .ctx = ctx };
}

static int
key_cmp(const void *a, const void *b)
{
	const struct escape_key *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static const struct escape_target *
key_find(const struct escape_key *v, size_t n, uint64_t key)
{
	struct escape_key k = { .key = key }, *f;

	f = bsearch(&k, v, n, sizeof(*v), key_cmp);
	return f ? f->target : NULL;
}

/* The three indexes: a scan of N processes costs N lookups, not N times
 * the number of runs being stopped (10,000 at shutdown). */
static void
escape_index(struct escape_req *q)
{
	size_t i, k;

	q->by_sid = xcalloc(q->n + 1, sizeof(*q->by_sid));
	q->by_run = xcalloc(q->n + 1, sizeof(*q->by_run));
	q->by_pipe = xcalloc(2 * q->n + 1, sizeof(*q->by_pipe));
	for (i = 0; i < q->n; i++) {
		q->by_sid[i] = (struct escape_key){ (uint64_t)q->targets[i].sid,
		    &q->targets[i] };
		q->by_run[i] = (struct escape_key){ q->targets[i].run,
		    &q->targets[i] };
		for (k = 0; k < 2; k++)
			if (q->targets[i].pipes[k])
				q->by_pipe[q->npipes++] = (struct escape_key){
				    (uint64_t)q->targets[i].pipes[k],
				    &q->targets[i] };
	}
	qsort(q->by_sid, q->n, sizeof(*q->by_sid), key_cmp);
	qsort(q->by_run, q->n, sizeof(*q->by_run), key_cmp);
	qsort(q->by_pipe, q->npipes, sizeof(*q->by_pipe), key_cmp);
}

static bool
escape_pipe(ino_t ino, void *ctx)
{
	struct escape_req *q = ctx;

	q->found = key_find(q->by_pipe, q->npipes, (uint64_t)ino);
	return q->found == NULL;
}

/* The target one process belongs to, or NULL: by session, then by the
 * run in its environment (this instance's), then by the pipes it holds. */
static const struct escape_target *
escape_match(struct escape_req *q, const struct procfs_stat *st)
{
	const struct escape_target *t;
	struct procfs_env env;

	if ((t = key_find(q->by_sid, q->n, (uint64_t)st->sid)))
		return t;
	if (q->instance && *q->instance && procfs_env(st->pid, &env) &&
	    !strcmp(env.instance, q->instance) &&
	    (t = key_find(q->by_run, q->n, env.run)))
		return t;
	q->found = NULL;
	if (q->npipes)
		procfs_each_pipe(st->pid, escape_pipe, q);
	return q->found;
}

static bool
escape_visit(pid_t pid, void *ctx)
{
	struct escape_req *q = ctx;
	const struct escape_target *t;
	struct procfs_stat st;
	struct escape_hit *h;

	if (!procfs_stat(pid, &st) || st.state == 'Z' ||
	    !(t = escape_match(q, &st)) || st.pgrp == t->sid)
		return true;
	if (kill(pid, t->sig) < 0)
		return true;
	if (t->sig != SIGKILL && t->sig != SIGCONT)
		kill(pid, SIGCONT);
	if (q->nhits == q->hits_cap) {
		q->hits_cap = q->hits_cap ? q->hits_cap * 2 : 8;
		q->hits = xreallocarray(q->hits, q->hits_cap, sizeof(*h));
	}
	h = &q->hits[q->nhits++];
	*h = (struct escape_hit){ .run = t->run, .sig = t->sig, .pid = pid };
	memcpy(h->comm, st.comm, sizeof(h->comm));
	return true;
}

/* Worker thread. */
static void
escape_work(void *data)
{
	escape_index(data);
	procfs_each(escape_visit, data);
}

static void escape_next(struct escape *);

static void
escape_done(void *data, int status)
{
	struct escape_req *q = data;
	struct escape *e = q->escape;
	size_t i;

	(void)status;
	e->busy = false;
	for (i = 0; i < q->nhits; i++)
		e->report(e->ctx, q->hits[i].run, q->hits[i].sig,
		    q->hits[i].pid, q->hits[i].comm);
	free(q->targets);
	free(q->instance);
	free(q->by_sid);
	free(q->by_run);
	free(q->by_pipe);
	free(q->hits);
	free(q);
	escape_next(e);
}

static void
escape_next(struct escape *e)
{
	struct escape_req *q = e->pending;
	const char *instance;

	if (e->busy || !q)
		return;
	e->pending = NULL;
	e->busy = true;
	instance = e->instance ? e->instance(e->ctx) : NULL;
	q->instance = instance ? xstrdup(instance) : NULL;
	executor_submit(e->executor, escape_work, escape_done, q);
}

void
escape_request(struct escape *e, const struct escape_target *t)
{
	struct escape_req *q = e->pending;

	if (t->sid <= 1)
		return;
	if (!q) {
		q = e->pending = xcalloc(1, sizeof(*q));
		q->escape = e;
	}
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 8;
		q->targets = xreallocarray(q->targets, q->cap,
		    sizeof(*q->targets));
	}
	q->targets[q->n++] = *t;
	escape_next(e);
}

bool
escape_busy(const struct escape *e)
{
	return e->busy || e->pending;
}
