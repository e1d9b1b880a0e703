/* Path triggers.  A watch on the path (or, while it does not exist, on
 * its directory) wakes us; level conditions (exists, not empty) are then
 * checked off the loop (uv_fs_stat / uv_fs_scandir on the thread pool),
 * also right after the watch is armed, so a file that was already there
 * counts.  Each job has one gate that starts at most one run per
 * path_trigger_interval=: a flood of changes is coalesced, not queued. */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "job.h"
#include "run-ctx.h"
#include "units.h"
#include "job.h"
#include "log.h"
#include "watch.h"
#include "xmalloc.h"

enum watch_kind {
	WATCH_CHANGED,
	WATCH_EXISTS,
	WATCH_NOT_EMPTY,
};

/* The rate limit of one job's path triggers, whichever path fired. */
struct watch_gate {
	struct watches *ws;
	char *job;
	usec_t interval;
	usec_t last_fired;		/* monotonic; 0: never */
	const struct watch *changed;	/* a change waits for the interval */
	bool recheck;			/* a level hit waits for it */
	bool closing;
	unsigned refs;			/* its watches, and its timer */
	uv_timer_t timer;		/* the end of the interval */
};

struct watch {
	struct watch_gate *gate;
	char *path;
	enum watch_kind kind;
	uv_fs_event_t event;
	bool closing;
	unsigned refs;			/* the handle, and a check in flight */
	bool checking;			/* a check is in flight */
	bool again;			/* another event came meanwhile */
	uv_fs_t req;
	struct watch *next;
};

static void watch_check(struct watch *);
static void gate_timer_cb(uv_timer_t *);

static void
gate_unref(struct watch_gate *g)
{
	if (--g->refs > 0)
		return;
	free(g->job);
	free(g);
}

static void
gate_close_cb(uv_handle_t *h)
{
	gate_unref(h->data);
}

static void
watch_unref(struct watch *w)
{
	if (--w->refs > 0)
		return;
	gate_unref(w->gate);
	free(w->path);
	free(w);
}

/* The handle and a check in flight both hold the watch. */
static void
watch_close_cb(uv_handle_t *h)
{
	watch_unref(h->data);
}

/* The job, if a trigger may start it now: none while it has an unfinished
 * run (its end looks again, watch_job_idle) or jobd is stopping. */
static struct job *
gate_job(struct watch_gate *g)
{
	struct job *j = units_find(g->ws->units, g->job);

	if (!j || g->ws->runs->stopping || j->nactive > 0)
		return NULL;
	return j;
}

/* Whether the interval since the last run is over; if not, the timer is
 * armed for its end. */
static bool
gate_open(struct watch_gate *g)
{
	usec_t now = now_monotonic(), left;

	if (!g->last_fired || now - g->last_fired >= g->interval)
		return true;
	left = g->interval - (now - g->last_fired);
	if (!uv_is_active((uv_handle_t *)&g->timer))
		uv_timer_start(&g->timer, gate_timer_cb,
		    left / USEC_PER_MSEC + 1, 0);
	return false;
}

static void
gate_fire(struct watch_gate *g, struct job *j, const struct watch *w)
{
	g->last_fired = now_monotonic();
	g->changed = NULL;
	g->recheck = false;
	log_full(LOG_INFO, j->name, 0, "job '%s': '%s' %s", j->name, w->path,
	    w->kind == WATCH_CHANGED ? "changed" : w->kind == WATCH_EXISTS ?
	    "exists" : "is not empty");
	job_trigger(j, TRIGGER_EVENT);
}

/* Looks at every level condition of the gate's job again. */
static void
gate_recheck(struct watch_gate *g)
{
	struct watch *w;

	g->recheck = false;
	for (w = g->ws->list; w; w = w->next)
		if (w->gate == g && w->kind != WATCH_CHANGED)
			watch_check(w);
}

/* The interval is over: a change that came within it starts its run now,
 * and level conditions that held within it are looked at again (they may
 * have stopped holding). */
static void
gate_timer_cb(uv_timer_t *t)
{
	struct watch_gate *g = t->data;
	struct job *j = gate_job(g);

	if (!j) {
		g->changed = NULL;
		return;
	}
	if (g->changed)
		gate_fire(g, j, g->changed);
	else if (g->recheck)
		gate_recheck(g);
}

/* A change (on_path_changed=) or a condition that holds (the others). */
static void
gate_hit(struct watch_gate *g, const struct watch *w)
{
	struct job *j = gate_job(g);

	if (!j)
		return;
	if (gate_open(g)) {
		gate_fire(g, j, w);
		return;
	}
	/* Within the interval: one run at its end stands for every change
	 * meanwhile; a level condition is looked at again then. */
	if (w->kind == WATCH_CHANGED)
		g->changed = w;
	else
		g->recheck = true;
}

static void
watch_check_cb(uv_fs_t *req)
{
	struct watch *w = req->data;
	bool hit = false;
	uv_dirent_t ent;

	if (w->kind == WATCH_EXISTS)
		hit = req->result >= 0;
	else if (w->kind == WATCH_NOT_EMPTY && req->result > 0) {
		/* Read to the end: libuv 1.44 leaks the last entry handed
		 * out when the cleanup finds none left to free. */
		hit = true;
		while (uv_fs_scandir_next(req, &ent) != UV_EOF)
			;
	}
	uv_fs_req_cleanup(req);
	w->checking = false;
	if (w->closing) {
		watch_unref(w);
		return;
	}
	w->refs--;
	if (hit)
		gate_hit(w->gate, w);
	if (w->again) {
		w->again = false;
		watch_check(w);
	}
}

/* Looks at the path, off the loop; a change needs no look. */
static void
watch_check(struct watch *w)
{
	uv_loop_t *loop = w->gate->ws->runs->loop;

	if (w->kind == WATCH_CHANGED)
		return;
	if (w->checking) {
		w->again = true;
		return;
	}
	w->checking = true;
	w->refs++;
	w->req.data = w;
	if (w->kind == WATCH_EXISTS)
		uv_fs_stat(loop, &w->req, w->path, watch_check_cb);
	else
		uv_fs_scandir(loop, &w->req, w->path, 0, watch_check_cb);
}

static void
watch_event_cb(uv_fs_event_t *h, const char *name, int events, int status)
{
	struct watch *w = h->data;
	const char *base = strrchr(w->path, '/');

	(void)events;
	if (status < 0)
		return;
	/* A file is watched through its directory: only its own name
	 * counts (a directory watched itself reports its entries). */
	if (w->kind != WATCH_NOT_EMPTY && name && base &&
	    strcmp(name, base + 1))
		return;
	if (w->kind == WATCH_CHANGED)
		gate_hit(w->gate, w);
	else
		watch_check(w);
}

static void
watch_add(struct watches *d, struct watch_gate *g, const char *path,
    enum watch_kind kind)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	_cleanup_free_ char *dir = xstrdup(path);
	const char *target;
	int r;

	w->gate = g;
	g->refs++;
	w->path = xstrdup(path);
	w->kind = kind;
	w->refs = 1;			/* the fs event */
	uv_fs_event_init(d->runs->loop, &w->event);
	w->event.data = w;
	/* A directory to fill is watched itself; a file is watched through
	 * its directory, which also sees it appear. */
	target = kind == WATCH_NOT_EMPTY ? path : dirname(dir);
	r = uv_fs_event_start(&w->event, watch_event_cb, target, 0);
	if (r < 0)
		log_full(LOG_WARNING, g->job, 0, "job '%s': cannot watch "
		    "'%s': %s", g->job, target, uv_strerror(r));
	w->next = d->list;
	d->list = w;
	watch_check(w);
}

static struct watch_gate *
gate_new(struct watches *d, const struct job *j)
{
	struct watch_gate *g = xcalloc(1, sizeof(*g));

	g->ws = d;
	g->job = xstrdup(j->name);
	g->interval = j->config->policy.path_interval;
	g->refs = 1;			/* the timer */
	uv_timer_init(d->runs->loop, &g->timer);
	g->timer.data = g;
	return g;
}

void
watch_stop(struct watches *d)
{
	struct watch *w;

	while ((w = d->list)) {
		d->list = w->next;
		w->closing = true;
		if (!w->gate->closing) {
			w->gate->closing = true;
			uv_close((uv_handle_t *)&w->gate->timer, gate_close_cb);
		}
		if (w->checking)
			uv_cancel((uv_req_t *)&w->req);
		uv_close((uv_handle_t *)&w->event, watch_close_cb);
	}
}

static void
watch_add_each(struct watches *d, struct watch_gate *g, char **paths,
    enum watch_kind kind)
{
	size_t i;

	for (i = 0; paths && paths[i]; i++)
		watch_add(d, g, paths[i], kind);
}

void
watch_apply(struct watches *d)
{
	const struct job_policy *p;
	struct watch_gate *g;
	struct job *j;

	watch_stop(d);
	TAILQ_FOREACH(j, &d->units->jobs, entry) {
		if (!j->config)
			continue;
		p = &j->config->policy;
		if (!p->on_path_changed && !p->on_path_exists &&
		    !p->on_directory_not_empty)
			continue;
		g = gate_new(d, j);
		watch_add_each(d, g, p->on_path_changed, WATCH_CHANGED);
		watch_add_each(d, g, p->on_path_exists, WATCH_EXISTS);
		watch_add_each(d, g, p->on_directory_not_empty,
		    WATCH_NOT_EMPTY);
		/* No path after all: only the timer holds the gate. */
		if (g->refs == 1) {
			g->closing = true;
			uv_close((uv_handle_t *)&g->timer, gate_close_cb);
		}
	}
}

static void
watch_finished_cb(struct run_subscriber *sub, struct run *r)
{
	struct watches *d = container_of(sub, struct watches, sub);
	struct job *j = r->job;
	struct watch *w;

	if (!d->list || j->nactive > 0)
		return;
	for (w = d->list; w; w = w->next)
		if (!strcmp(w->gate->job, j->name)) {
			gate_recheck(w->gate);
			return;
		}
}

void
watch_init(struct watches *d, struct units *u, const struct run_ctx *runs,
    struct run_hub *hub)
{
	*d = (struct watches){ .units = u, .runs = runs };
	d->sub = (struct run_subscriber){ .finished = watch_finished_cb };
	run_hub_subscribe(hub, &d->sub);
}
