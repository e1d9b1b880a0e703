/* The Logs method: a run's output tail, and with follow the lines as they
 * arrive until the run ends.  What a job prints is its user's to choose,
 * so no reply grows past LOGS_REPLY_MAX (logs-json.c), and a follower
 * gets its lines in batches.  A run no longer in memory is read back by
 * logs-past.c; several units at once are Tail's (method-tail.c). */
#include <errno.h>
#include <stdlib.h>

#include "control.h"
#include "job.h"
#include "logs-json.h"
#include "logs-past.h"
#include "method.h"
#include "run-ctx.h"
#include "run.h"
#include "units.h"
#include "xmalloc.h"

struct logs_params {
	const char *job, *node;
	int64_t run, lines;
	bool follow;
};

static json_t *
logs_reply(uint64_t run, json_t *lines, bool finished, size_t omitted)
{
	json_t *o = json_pack("{s:I, s:o, s:b}", "run", (json_int_t)run,
	    "lines", lines, "finished", finished);

	if (omitted > 0)
		json_object_set_new(o, "omitted", json_integer(
		    (json_int_t)omitted));
	return o;
}

/* A follower gets the lines that came during one turn of the loop as one
 * reply (or LOGS_BATCH_MAX bytes of them), not a reply per line: each
 * reply queued for a client that reads slowly costs some 300 bytes
 * besides its text, many times an empty line's share.  Freed in the
 * close callback of its timer. */
struct logs_follow {
	struct run_observer observer;	/* first: container_of */
	struct conn *conn;		/* NULL once closing */
	uv_timer_t flush;		/* sends the batch on the next turn */
	json_t *batch;			/* lines not sent yet, or NULL */
	size_t batch_size;		/* logs_line_size of the batch */
	uint64_t run;
	bool closing;
};

static void
logs_follow_close_cb(uv_handle_t *h)
{
	struct logs_follow *f = h->data;

	json_decref(f->batch);
	free(f);
}

/* Ends following: the run finished or the connection went.  Idempotent:
 * a reply written here may close the connection, which cancels again. */
static void
logs_follow_end(struct logs_follow *f)
{
	if (f->closing)
		return;
	f->closing = true;
	f->conn = NULL;
	run_unobserve(&f->observer);
	uv_close((uv_handle_t *)&f->flush, logs_follow_close_cb);
}

static void
logs_follow_send(struct logs_follow *f)
{
	json_t *lines = f->batch;

	if (!lines || f->closing)
		return;
	f->batch = NULL;
	f->batch_size = 0;
	uv_timer_stop(&f->flush);
	/* A client over its write queue is closed here: f is then
	 * closing, and still valid until the loop's next turn. */
	ctl_reply(f->conn, logs_reply(f->run, lines, false, 0), true);
}

static void
logs_flush_cb(uv_timer_t *t)
{
	logs_follow_send(t->data);
}

static void
logs_line_cb(struct run_observer *o, const struct tail_line *l)
{
	struct logs_follow *f = (struct logs_follow *)o;

	if (!f->batch) {
		f->batch = json_array();
		uv_timer_start(&f->flush, logs_flush_cb, 0, 0);
	}
	json_array_append_new(f->batch, logs_line_json(l));
	f->batch_size += logs_line_size(l, NULL);
	if (f->batch_size >= LOGS_BATCH_MAX)
		logs_follow_send(f);
}

static void
logs_done_cb(struct run_observer *o, struct run *r)
{
	struct logs_follow *f = (struct logs_follow *)o;
	struct conn *c;

	logs_follow_send(f);
	c = f->conn;
	logs_follow_end(f);
	if (c)
		ctl_reply(c, logs_reply(r->id, json_array(), true, 0), false);
}

static void
logs_cancel(void *ctx)
{
	logs_follow_end(ctx);
}

static void
logs_follow(struct conn *c, struct run *r)
{
	struct logs_follow *f = xcalloc(1, sizeof(*f));

	f->conn = c;
	f->run = r->id;
	uv_timer_init(ctl_ctx(c)->runs->loop, &f->flush);
	f->flush.data = f;
	f->observer.line_cb = logs_line_cb;
	f->observer.done_cb = logs_done_cb;
	run_observe(r, &f->observer);
	ctl_set_cancel(c, logs_cancel, f);
}

/* A run no longer in memory: from the ledger and the journal. */
static void
logs_past_done(void *ctx, int r, const char *job, uint64_t run,
    const struct tail *out)
{
	struct conn *c = ctl_resume(ctx);
	size_t omitted;
	json_t *lines;

	if (!c)
		return;
	if (r == -ENOENT)
		ctl_error(c, IFACE_ERROR("NoRuns"), json_pack("{s:s}", "job",
		    job));
	else if (r < 0)
		ctl_error(c, IFACE_ERROR("NoSuchRun"), json_pack("{s:I}", "run",
		    (json_int_t)run));
	else {
		lines = logs_lines_json(out, 0, NULL, 0, &omitted);
		ctl_reply(c, logs_reply(run, lines, true, omitted), false);
	}
}

static void
logs_past(struct conn *c, const struct logs_params *p)
{
	logs_past_fetch(ctl_ctx(c), p->job, p->run, p->lines > 0 ?
	    (size_t)p->lines : 0, logs_past_done, ctl_defer(c));
}

/* The run in memory, or NULL: then the ledger is asked (or an error
 * was sent, when the job does not exist). */
static struct run *
logs_find_run(struct conn *c, const struct logs_params *p)
{
	struct method_ctx *m = ctl_ctx(c);
	struct job *j = p->job ? units_find(m->units, p->job) : NULL;
	struct run *r;

	/* Without job, the run alone says which (jobd-web knows only the
	 * run id of a page's run). */
	if (!p->job && p->run < 0) {
		ctl_error(c, "org.varlink.service.InvalidParameter",
		    json_pack("{s:s}", "parameter", "job"));
		return NULL;
	}
	if (!p->job) {
		r = units_find_run(m->units, p->run);
		if (!r)
			logs_past(c, p);
		return r;
	}
	if (!j) {
		ctl_error(c, IFACE_ERROR("NoSuchJob"),
		    json_pack("{s:s}", "job", p->job));
		return NULL;
	}
	r = p->run >= 0 ? units_find_run(m->units, p->run) : job_last_run(j);
	if (r && r->job != j) {
		ctl_error(c, IFACE_ERROR("NoSuchRun"),
		    json_pack("{s:I}", "run", (json_int_t)p->run));
		return NULL;
	}
	if (!r)
		logs_past(c, p);
	return r;
}

void
method_logs(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "job", CTL_STRING, false, offsetof(struct logs_params,
		    job) },
		{ "run", CTL_INT, false, offsetof(struct logs_params, run) },
		{ "lines", CTL_INT, false, offsetof(struct logs_params,
		    lines) },
		{ "follow", CTL_BOOL, false, offsetof(struct logs_params,
		    follow) },
		{ "node", CTL_STRING, false, offsetof(struct logs_params,
		    node) },
	};
	struct logs_params p;
	struct run *r;
	size_t omitted;
	json_t *lines;
	bool follow;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0)
		return;
	if (method_logs_remote(c, p.node, p.run, p.lines))
		return;
	if (!(r = logs_find_run(c, &p)))
		return;
	lines = logs_lines_json(&r->tail, p.lines > 0 ? (size_t)p.lines : 0,
	    NULL, 0, &omitted);
	follow = p.follow && ctl_more(c) && run_is_active(r);
	ctl_reply(c, logs_reply(r->id, lines, !run_is_active(r), omitted),
	    follow);
	if (follow)
		logs_follow(c, r);
}
