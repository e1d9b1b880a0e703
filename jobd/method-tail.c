/* The Tail method: the output of several units in one call, each line
 * tagged with its unit and run (`jobctl logs NAME...`, `logs --follow`
 * with several names or none).  First the backlog: each unit's latest run,
 * a reply per unit, in name order, sent only as fast as the client reads;
 * then, with follow, every line of those units' runs as it comes, new
 * runs included, in batches (logs-hub.c brings them).  A unit's lines are
 * followed from the moment its backlog is taken, so none is sent twice. */
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "control.h"
#include "job.h"
#include "logs-hub.h"
#include "logs-json.h"
#include "logs-past.h"
#include "method.h"
#include "run-ctx.h"
#include "run.h"
#include "strv.h"
#include "units.h"
#include "xmalloc.h"

/* The backlog goes on while less than this waits in the write queue. */
#define TAIL_PACE (64 * 1024)
/* Units looked at in one turn of the loop, with or without output. */
#define TAIL_UNITS_PER_TURN 256

/* One Tail call.  Its memory is held by its timer and by a read of a past
 * run (holds); it is freed when both are done. */
struct tailer {
	struct logs_follower follower;	/* first: container_of */
	struct method_ctx *methods;
	struct conn *conn;		/* NULL once the call ended */
	char **names;			/* sorted: the units of the backlog */
	size_t nnames;
	size_t done;			/* names[0..done) are followed */
	bool all;			/* no names asked: every unit */
	bool follow, following;		/* following: on the hub */
	size_t lines;			/* per unit; 0: all kept */
	uv_timer_t timer;		/* the batch, the backlog's next turn */
	bool backlog_due;
	bool fetching;			/* a past run is being read */
	json_t *batch;			/* lines not sent yet, or NULL */
	size_t batch_size;
	bool cached;			/* index of cache_run's unit: */
	uint64_t cache_run;
	ssize_t cache_index;		/* -1: not among names */
	unsigned holds;
	bool ended;
};

static void tailer_backlog(struct tailer *);

static void
tailer_free(struct tailer *t)
{
	json_decref(t->batch);
	strv_free(t->names);
	free(t);
}

static void
tailer_close_cb(uv_handle_t *h)
{
	struct tailer *t = h->data;

	if (--t->holds == 0)
		tailer_free(t);
}

/* The call ended: its last reply went, or the connection closed.
 * Idempotent: a reply written here may close the connection, which ends
 * it again. */
static void
tailer_end(struct tailer *t)
{
	if (t->ended)
		return;
	t->ended = true;
	t->conn = NULL;
	if (t->following) {
		t->following = false;
		logs_hub_remove(t->methods->logs, &t->follower);
	}
	uv_close((uv_handle_t *)&t->timer, tailer_close_cb);
}

static void
tailer_cancel(void *ctx)
{
	tailer_end(ctx);
}

/* Sends one reply that continues; the client may be closed for not
 * reading, which ends t (still valid until the loop's next turn). */
static void
tailer_send(struct tailer *t, json_t *params)
{
	if (t->ended) {
		json_decref(params);
		return;
	}
	ctl_reply(t->conn, params, true);
}

static void
tailer_flush(struct tailer *t)
{
	json_t *lines = t->batch;

	if (!lines)
		return;
	t->batch = NULL;
	t->batch_size = 0;
	tailer_send(t, json_pack("{s:o}", "lines", lines));
}

/* The last reply: the batch, then no lines. */
static void
tailer_finish(struct tailer *t)
{
	struct conn *c;

	tailer_flush(t);
	if (t->ended)
		return;
	c = t->conn;
	tailer_end(t);
	ctl_reply(c, json_pack("{s:[]}", "lines"), false);
}

static void
tailer_timer_cb(uv_timer_t *timer)
{
	struct tailer *t = timer->data;

	tailer_flush(t);
	if (t->backlog_due && !t->ended) {
		t->backlog_due = false;
		tailer_backlog(t);
	}
}

static void
tailer_later(struct tailer *t)
{
	t->backlog_due = true;
	uv_timer_start(&t->timer, tailer_timer_cb, 0, 0);
}

static void
tailer_drain_cb(void *ctx)
{
	tailer_backlog(ctx);
}

/* One unit's backlog reply: the last lines of tail (nothing when it has
 * none). */
static void
tailer_send_lines(struct tailer *t, const struct tail *tail,
    const char *job, uint64_t run)
{
	size_t omitted;
	json_t *lines = logs_lines_json(tail, t->lines, job, run, &omitted),
	    *p;

	if (json_array_size(lines) == 0 && omitted == 0) {
		json_decref(lines);
		return;
	}
	p = json_pack("{s:o, s:s, s:I}", "lines", lines, "job", job, "run",
	    (json_int_t)run);
	if (omitted > 0)
		json_object_set_new(p, "omitted", json_integer(
		    (json_int_t)omitted));
	tailer_send(t, p);
}

/* A past run was read: its lines, then those of a run that started
 * meanwhile (followed since the unit's backlog was taken: from now). */
static void
tailer_past_cb(void *ctx, int r, const char *job, uint64_t run,
    const struct tail *lines)
{
	struct tailer *t = ctx;
	struct job *j;
	struct run *now;

	t->fetching = false;
	if (!t->ended) {
		if (r == 0)
			tailer_send_lines(t, lines, job, run);
		j = units_find(t->methods->units, t->names[t->done]);
		if (!t->ended && j && (now = job_last_run(j)))
			tailer_send_lines(t, &now->tail, now->name, now->id);
		t->done++;
		/* Not from here: this may run inside tailer_backlog. */
		if (!t->ended)
			tailer_later(t);
	}
	if (--t->holds == 0)
		tailer_free(t);
}

/* Takes the backlog of names[done]: its latest run in memory now, or
 * the one the ledger recorded (then done moves when it is read). */
static void
tailer_unit(struct tailer *t)
{
	const char *name = t->names[t->done];
	struct job *j = units_find(t->methods->units, name);
	struct run *r = j ? job_last_run(j) : NULL;

	if (r || !j) {		/* !j: removed by a reload since */
		if (r)
			tailer_send_lines(t, &r->tail, r->name, r->id);
		t->done++;
		return;
	}
	t->fetching = true;
	t->holds++;
	logs_past_fetch(t->methods, name, -1, t->lines, tailer_past_cb, t);
}

/* The backlog, unit after unit, while the client keeps up; then the end
 * (without follow) or the lines as they come. */
static void
tailer_backlog(struct tailer *t)
{
	unsigned n = 0;

	while (!t->ended && !t->fetching && t->done < t->nnames) {
		if (ctl_queued(t->conn) > TAIL_PACE) {
			ctl_on_drain(t->conn, tailer_drain_cb, t);
			return;
		}
		if (++n > TAIL_UNITS_PER_TURN) {
			tailer_later(t);
			return;
		}
		tailer_unit(t);
	}
	if (t->ended || t->fetching)
		return;
	if (!t->follow) {
		tailer_finish(t);
	} else if (t->all) {
		/* Every unit is followed now, those of a reload too. */
		strv_free(t->names);
		t->names = NULL;
		t->nnames = t->done = 0;
		t->cached = false;
	}
}

static int
tailer_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether a line of run r goes out: its unit is followed (its backlog
 * went out, or it is not among the names of an all). */
static bool
tailer_takes(struct tailer *t, const struct run *r)
{
	const char *key = r->name;
	char **found;

	if (!t->cached || t->cache_run != r->id) {
		found = t->nnames ? bsearch(&key, t->names, t->nnames,
		    sizeof(*t->names), tailer_name_cmp) : NULL;
		t->cache_index = found ? found - t->names : -1;
		t->cache_run = r->id;
		t->cached = true;
	}
	if (t->cache_index < 0)
		return t->all;
	return (size_t)t->cache_index < t->done;
}

static void
tailer_line_cb(struct logs_follower *f, struct logs_hub_line *hl)
{
	struct tailer *t = (struct tailer *)f;

	if (t->ended || !tailer_takes(t, hl->run))
		return;
	if (!t->batch) {
		t->batch = json_array();
		uv_timer_start(&t->timer, tailer_timer_cb, 0, 0);
	}
	json_array_append(t->batch, logs_hub_line_json(hl));
	t->batch_size += hl->size;
	if (t->batch_size >= LOGS_BATCH_MAX)
		tailer_flush(t);
}

static void
tailer_hub_close_cb(struct logs_follower *f)
{
	struct tailer *t = (struct tailer *)f;

	t->following = false;	/* the hub let go of it */
	tailer_finish(t);
}

/* The names to follow, sorted and once each: those asked for (each must
 * be a unit: NoSuchJob), or every unit.  -1 when an error was sent. */
static int
tailer_names(struct conn *c, json_t *jobs, char ***ret)
{
	struct method_ctx *m = ctl_ctx(c);
	char **names = NULL;
	struct job *j;
	json_t *v;
	size_t i;

	if (!jobs) {
		TAILQ_FOREACH(j, &m->units->jobs, entry)
			if (j->config)
				names = strv_append(names, j->name);
	}
	json_array_foreach(jobs, i, v) {
		if (!units_find(m->units, json_string_value(v))) {
			ctl_error(c, IFACE_ERROR("NoSuchJob"), json_pack(
			    "{s:s}", "job", json_string_value(v)));
			strv_free(names);
			return -1;
		}
		if (!strv_contains(names, json_string_value(v)))
			names = strv_append(names, json_string_value(v));
	}
	if (names)
		qsort(names, strv_length(names), sizeof(*names),
		    tailer_name_cmp);
	*ret = names;
	return 0;
}

struct tail_params {
	json_t *jobs;
	int64_t lines;
	bool follow;
};

void
method_tail(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "jobs", CTL_STRINGS, false, offsetof(struct tail_params,
		    jobs) },
		{ "lines", CTL_INT, false, offsetof(struct tail_params,
		    lines) },
		{ "follow", CTL_BOOL, false, offsetof(struct tail_params,
		    follow) },
	};
	struct method_ctx *m = ctl_ctx(c);
	struct tail_params p;
	struct tailer *t;
	char **names;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0)
		return;
	if (p.jobs && json_array_size(p.jobs) == 0) {
		ctl_error_invalid_parameter(c, "jobs");
		return;
	}
	if (!ctl_more(c)) {
		ctl_error(c, "org.varlink.service.ExpectedMore", NULL);
		return;
	}
	if (tailer_names(c, p.jobs, &names) < 0)
		return;
	t = xcalloc(1, sizeof(*t));
	t->methods = m;
	t->conn = c;
	t->names = names;
	t->nnames = strv_length(names);
	t->all = !p.jobs;
	t->follow = p.follow;
	t->lines = p.lines > 0 ? (size_t)p.lines : 0;
	t->holds = 1;			/* the timer */
	uv_timer_init(m->runs->loop, &t->timer);
	t->timer.data = t;
	t->follower = (struct logs_follower){ .line = tailer_line_cb,
	    .close = tailer_hub_close_cb };
	ctl_set_cancel(c, tailer_cancel, t);
	if (t->follow) {
		t->following = true;
		logs_hub_add(m->logs, &t->follower);
	}
	tailer_backlog(t);
}
