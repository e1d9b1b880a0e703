/* The Logs method: a run's output tail, and with follow the lines as they
 * arrive until the run ends.  Lines are bytes: valid UTF-8 goes out as
 * text, anything else as base64 of the exact bytes. */
#include <stdlib.h>
#include <string.h>
#include <string.h>

#include "control.h"
#include "daemon.h"
#include "job.h"
#include "journal-read.h"
#include "method.h"
#include "record.h"
#include "run.h"
#include "xmalloc.h"

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

static json_t *
logs_reply(const struct run *r, json_t *lines, bool finished)
{
	return json_pack("{s:I, s:o, s:b}", "run", (json_int_t)r->id, "lines",
	    lines, "finished", finished);
}

struct logs_follow {
	struct run_observer observer;	/* first: container_of */
	struct conn *conn;
};

static void
logs_line_cb(struct run_observer *o, const struct tail_line *l)
{
	struct logs_follow *f = (struct logs_follow *)o;
	json_t *lines = json_array();

	json_array_append_new(lines, log_line_json(l));
	ctl_reply(f->conn, logs_reply(o->run, lines, false), true);
}

static void
logs_done_cb(struct run_observer *o, struct run *r)
{
	struct logs_follow *f = (struct logs_follow *)o;
	struct conn *c = f->conn;

	free(f);
	ctl_reply(c, logs_reply(r, json_array(), true), false);
}

static void
logs_cancel(void *ctx)
{
	struct logs_follow *f = ctx;

	run_unobserve(&f->observer);
	free(f);
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
	struct daemon *daemon;
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

	q->found = journal_read_run(q->job, q->id, &q->out);
}

static void
logs_past_journal_done(void *data, int status)
{
	struct logs_past *q = data;
	struct conn *c = ctl_resume(q->deferred);
	const struct tail_line *l;
	json_t *lines;
	char *p, *nl, *end;

	(void)status;
	if (!c)
		goto out;
	if (q->found <= 0) {
		/* Not in the journal: the ledger's tail, line by line; the
		 * stream of each line was not kept. */
		for (p = q->tail, end = q->tail + q->tail_len; p && p < end;
		    p = nl + 1) {
			nl = memchr(p, '\n', end - p);
			if (!nl)
				nl = end;
			tail_append(&q->out, TAIL_STDOUT, 0, p, nl - p);
		}
	}
	lines = json_array();
	for (l = tail_last(&q->out, q->lines); l; l = TAILQ_NEXT(l, entry))
		json_array_append_new(lines, log_line_json(l));
	ctl_reply(c, json_pack("{s:I, s:o, s:b}", "run", (json_int_t)q->id,
	    "lines", lines, "finished", true), false);
out:
	logs_past_free(q);
}

static void
logs_past_row_cb(void *ctx, int r, struct ledger_run *runs, size_t n)
{
	struct logs_past *q = ctx;
	struct conn *c;

	if (r < 0 || n == 0 || strcmp(runs[0].job, q->job)) {
		c = ctl_resume(q->deferred);
		if (c)
			ctl_error(c, IFACE_ERROR("NoSuchRun"),
			    json_pack("{s:I}", "run", (json_int_t)q->id));
		logs_past_free(q);
		return;
	}
	if (runs[0].tail_len) {
		q->tail = xmalloc(runs[0].tail_len);
		memcpy(q->tail, runs[0].tail, runs[0].tail_len);
		q->tail_len = runs[0].tail_len;
	}
	executor_submit(&q->daemon->executor, logs_past_journal_work,
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
	record_get_run(&q->daemon->record, q->id, logs_past_row_cb, q);
}

static void
logs_past(struct conn *c, const struct logs_params *p)
{
	struct logs_past *q = xcalloc(1, sizeof(*q));
	struct ledger_filter f = { .job = p->job, .limit = 1 };

	q->daemon = ctl_daemon(c);
	q->job = xstrdup(p->job);
	q->lines = p->lines > 0 ? (size_t)p->lines : 0;
	tail_init(&q->out, q->daemon->config->tail_size);
	q->deferred = ctl_defer(c);
	if (p->run >= 0) {
		q->id = p->run;
		record_get_run(&q->daemon->record, q->id, logs_past_row_cb, q);
	} else {
		record_query(&q->daemon->record, &f, logs_past_latest_cb, q);
	}
}

/* The run in memory, or NULL: then the ledger is asked (or an error
 * was sent, when the job does not exist). */
static struct run *
logs_find_run(struct conn *c, const struct logs_params *p)
{
	struct daemon *d = ctl_daemon(c);
	struct job *j = daemon_find_job(d, p->job);
	struct run *r;

	if (!j) {
		ctl_error(c, IFACE_ERROR("NoSuchJob"),
		    json_pack("{s:s}", "job", p->job));
		return NULL;
	}
	r = p->run >= 0 ? daemon_find_run(d, p->run) : job_last_run(j);
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
		{ "job", CTL_STRING, true, offsetof(struct logs_params, job) },
		{ "run", CTL_INT, false, offsetof(struct logs_params, run) },
		{ "lines", CTL_INT, false, offsetof(struct logs_params,
		    lines) },
		{ "follow", CTL_BOOL, false, offsetof(struct logs_params,
		    follow) },
	};
	const struct tail_line *l;
	struct logs_params p;
	struct logs_follow *f;
	struct run *r;
	json_t *lines;
	bool follow;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0)
		return;
	if (!(r = logs_find_run(c, &p)))
		return;
	lines = json_array();
	for (l = tail_last(&r->tail, p.lines > 0 ? (size_t)p.lines : 0); l;
	    l = TAILQ_NEXT(l, entry))
		json_array_append_new(lines, log_line_json(l));
	follow = p.follow && ctl_more(c) && run_is_active(r);
	ctl_reply(c, logs_reply(r, lines, !run_is_active(r)), follow);
	if (!follow)
		return;
	f = xcalloc(1, sizeof(*f));
	f->conn = c;
	f->observer.line_cb = logs_line_cb;
	f->observer.done_cb = logs_done_cb;
	run_observe(r, &f->observer);
	ctl_set_cancel(c, logs_cancel, f);
}
