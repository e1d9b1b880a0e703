/* The Logs method: a run's output tail, and with follow the lines as they
 * arrive until the run ends.  Lines are bytes: valid UTF-8 goes out as
 * text, anything else as base64 of the exact bytes.  What a job prints is
 * its user's to choose, so no reply grows past LOGS_REPLY_MAX, and a
 * follower gets its lines in batches. */
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "config.h"
#include "job.h"
#include "run-ctx.h"
#include "units.h"
#include "job.h"
#include "journal-read.h"
#include "method.h"
#include "record.h"
#include "run.h"
#include "xmalloc.h"

/* The lines of one reply, as log_line_size counts them: the newest that
 * fit, with the number left out.  As much as a slow client may have
 * queued (CONTROL_MAX_WRITE_QUEUE); the default output_tail= never
 * comes near it. */
#define LOGS_REPLY_MAX CONTROL_MAX_WRITE_QUEUE
/* A follower's batch is sent when it reaches this many bytes. */
#define LOGS_BATCH_MAX (64 * 1024)

static char *
base64_encode(const unsigned char *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = xmalloc(4 * ((n + 2) / 3) + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*o++ = tab[p[i] >> 2];
		*o++ = tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		*o++ = tab[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		*o++ = tab[p[i + 2] & 63];
	}
	if (i < n) {
		*o++ = tab[p[i] >> 2];
		if (i + 1 < n) {
			*o++ = tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
			*o++ = tab[(p[i + 1] & 15) << 2];
		} else {
			*o++ = tab[(p[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static json_t *
log_line_json(const struct tail_line *l)
{
	json_t *o = json_object();
	json_t *text;
	char *b64;

	json_object_set_new(o, "stream",
	    json_string(l->stream == TAIL_STDOUT ? "stdout" : "stderr"));
	json_object_set_new(o, "usec", json_integer((json_int_t)l->usec));
	/* json_stringn refuses invalid UTF-8, which is the test we want. */
	text = json_stringn(l->data, l->len);
	if (text) {
		json_object_set_new(o, "text", text);
	} else {
		b64 = base64_encode((const unsigned char *)l->data, l->len);
		json_object_set_new(o, "base64", json_string(b64));
		free(b64);
	}
	return o;
}

/* An upper bound of the bytes a line takes in a reply: the fields around
 * it, and its text with JSON's escapes (six bytes for a control byte) or
 * as base64. */
static size_t
log_line_size(const struct tail_line *l)
{
	const unsigned char *p = (const unsigned char *)l->data;
	size_t n = 0, i;

	for (i = 0; i < l->len; i++)
		n += p[i] < 0x20 ? 6 : p[i] == '"' || p[i] == '\\' ? 2 : 1;
	return 64 + MAX(n, 4 * ((l->len + 2) / 3));
}

/* The last n lines of t (n == 0: all) that fit in one reply, oldest
 * first; *ret_omitted: how many of those n did not fit. */
static json_t *
logs_lines(const struct tail *t, size_t n, size_t *ret_omitted)
{
	const struct tail_line *first = tail_last(t, n), *l;
	json_t *lines = json_array();
	size_t size = 0;

	for (l = first; l; l = TAILQ_NEXT(l, entry))
		size += log_line_size(l);
	/* The oldest go first: a reply holds the end of the output. */
	*ret_omitted = 0;
	for (; first && size > LOGS_REPLY_MAX; first = TAILQ_NEXT(first,
	    entry)) {
		size -= log_line_size(first);
		(*ret_omitted)++;
	}
	for (l = first; l; l = TAILQ_NEXT(l, entry))
		json_array_append_new(lines, log_line_json(l));
	return lines;
}

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
	size_t batch_size;		/* log_line_size of the batch */
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
	json_array_append_new(f->batch, log_line_json(l));
	f->batch_size += log_line_size(l);
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

struct logs_params {
	const char *job;
	int64_t run, lines;
	bool follow;
};

/* A run no longer in memory: its row from the ledger, then its lines
 * from the journal, else the tail the ledger kept. */
struct logs_past {
	struct ctl_deferred *deferred;
	struct method_ctx *methods;
	char *job;
	uint64_t id;
	size_t lines;
	char *tail;			/* from the ledger */
	size_t tail_len;
	int found;			/* lines read from the journal */
	struct tail out;
};

static void
logs_past_free(struct logs_past *q)
{
	free(q->job);
	free(q->tail);
	tail_done(&q->out);
	free(q);
}

static void
logs_past_journal_work(void *data)
{
	struct logs_past *q = data;

	q->found = journal_read_run(q->job, q->id, q->lines, &q->out);
}

/* The ledger's tail, newest line first, until q->out is full or has the
 * lines asked for; the stream of each line was not kept. */
static void
logs_past_ledger_lines(struct logs_past *q)
{
	char *start = q->tail, *end = q->tail + q->tail_len, *nl, *line;

	if (q->tail_len == 0)
		return;
	if (end[-1] == '\n')
		end--;			/* every line ends with one */
	for (;;) {
		nl = memrchr(start, '\n', end - start);
		line = nl ? nl + 1 : start;
		if ((q->lines && q->out.nlines == q->lines) ||
		    !tail_prepend(&q->out, TAIL_STDOUT, 0, line, end - line))
			return;
		if (!nl)
			return;
		end = nl;
	}
}

static void
logs_past_journal_done(void *data, int status)
{
	struct logs_past *q = data;
	struct conn *c = ctl_resume(q->deferred);
	size_t omitted;
	json_t *lines;

	(void)status;
	if (c) {
		if (q->found <= 0)
			logs_past_ledger_lines(q);
		lines = logs_lines(&q->out, q->lines, &omitted);
		ctl_reply(c, logs_reply(q->id, lines, true, omitted), false);
	}
	logs_past_free(q);
}

/* Keeps the end of the ledger's tail, as much as the tail's bound could
 * hold: a line costs more than its bytes.  Rows written before lines were
 * charged their bookkeeping can be far longer. */
static void
logs_past_keep_row(struct logs_past *q, const struct ledger_run *row)
{
	const char *p = row->tail, *nl;
	size_t len = row->tail_len;

	if (len > q->out.max_cost) {
		p += len - q->out.max_cost;
		len = q->out.max_cost;
		/* Whole lines only: skip the one cut. */
		if ((nl = memchr(p, '\n', len)) != NULL) {
			len -= nl + 1 - p;
			p = nl + 1;
		}
	}
	if (len == 0)
		return;
	q->tail = xmalloc(len);
	memcpy(q->tail, p, len);
	q->tail_len = len;
}

static void
logs_past_row_cb(void *ctx, int r, struct ledger_run *runs, size_t n)
{
	struct logs_past *q = ctx;
	struct conn *c;

	if (r < 0 || n == 0 || (q->job && strcmp(runs[0].job, q->job))) {
		c = ctl_resume(q->deferred);
		if (c)
			ctl_error(c, IFACE_ERROR("NoSuchRun"),
			    json_pack("{s:I}", "run", (json_int_t)q->id));
		logs_past_free(q);
		return;
	}
	if (!q->job)
		q->job = xstrdup(runs[0].job);
	logs_past_keep_row(q, &runs[0]);
	executor_submit(q->methods->runs->executor, logs_past_journal_work,
	    logs_past_journal_done, q);
}

static void
logs_past_latest_cb(void *ctx, int r, struct ledger_run *runs, size_t n)
{
	struct logs_past *q = ctx;
	struct conn *c;

	if (r < 0 || n == 0) {
		c = ctl_resume(q->deferred);
		if (c)
			ctl_error(c, IFACE_ERROR("NoRuns"),
			    json_pack("{s:s}", "job", q->job));
		logs_past_free(q);
		return;
	}
	q->id = runs[0].id;
	record_get_run(q->methods->record, q->id, logs_past_row_cb, q);
}

static void
logs_past(struct conn *c, const struct logs_params *p)
{
	struct logs_past *q = xcalloc(1, sizeof(*q));
	struct ledger_filter f = { .job = p->job, .limit = 1 };

	q->methods = ctl_ctx(c);
	q->job = p->job ? xstrdup(p->job) : NULL;
	q->lines = p->lines > 0 ? (size_t)p->lines : 0;
	tail_init(&q->out, q->methods->runs->config->tail_size);
	q->deferred = ctl_defer(c);
	if (p->run >= 0) {
		q->id = p->run;
		record_get_run(q->methods->record, q->id, logs_past_row_cb, q);
	} else {
		record_query(q->methods->record, &f, logs_past_latest_cb, q);
	}
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
	};
	struct logs_params p;
	struct run *r;
	size_t omitted;
	json_t *lines;
	bool follow;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0)
		return;
	if (!(r = logs_find_run(c, &p)))
		return;
	lines = logs_lines(&r->tail, p.lines > 0 ? (size_t)p.lines : 0,
	    &omitted);
	follow = p.follow && ctl_more(c) && run_is_active(r);
	ctl_reply(c, logs_reply(r->id, lines, !run_is_active(r), omitted),
	    follow);
	if (follow)
		logs_follow(c, r);
}
