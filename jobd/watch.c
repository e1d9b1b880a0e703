/* Path triggers.  A watch on the path (or, while it does not exist, on
 * its directory) wakes us; the condition is then checked off the loop
 * (uv_fs_stat / uv_fs_scandir run on the thread pool).  The check also
 * runs right after the watch is armed, so a file that was already there
 * counts: nothing slips between "look" and "watch".  Level conditions
 * (exists, not empty) start the job again when its run ends and they
 * still hold, at most once a second, as systemd's path units do. */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "job.h"
#include "log.h"
#include "watch.h"
#include "xmalloc.h"

#define WATCH_MIN_INTERVAL USEC_PER_SEC

enum watch_kind {
	WATCH_CHANGED,
	WATCH_EXISTS,
	WATCH_NOT_EMPTY,
};

struct watch {
	struct daemon *daemon;
	char *job;
	char *path;
	enum watch_kind kind;
	uv_fs_event_t event;
	bool closing;
	unsigned refs;			/* the handle, and a check in flight */
	bool checking;			/* a check is in flight */
	bool again;			/* another event came meanwhile */
	usec_t last_fired;		/* monotonic */
	uv_fs_t req;
	uv_timer_t later;		/* the re-check after the rate limit */
	struct watch *next;
};

static void watch_check(struct watch *);

static void
watch_unref(struct watch *w)
{
	if (--w->refs > 0)
		return;
	free(w->job);
	free(w->path);
	free(w);
}

/* The handle and a check in flight both hold the watch. */
static void
watch_close_cb(uv_handle_t *h)
{
	watch_unref(h->data);
}

static void
watch_later_cb(uv_timer_t *t)
{
	watch_check(t->data);
}

static void
watch_fire(struct watch *w)
{
	struct job *j = daemon_find_job(w->daemon, w->job);
	usec_t now = now_monotonic();

	if (!j || w->daemon->stopping || j->nactive > 0)
		return;
	if (w->kind != WATCH_CHANGED && w->last_fired &&
	    now - w->last_fired < WATCH_MIN_INTERVAL) {
		/* Look again once the second is over, or nothing would. */
		uv_timer_start(&w->later, watch_later_cb,
		    (WATCH_MIN_INTERVAL - (now - w->last_fired)) /
		    USEC_PER_MSEC + 1, 0);
		return;
	}
	w->last_fired = now;
	log_full(LOG_INFO, j->name, 0, "job '%s': '%s' %s", j->name, w->path,
	    w->kind == WATCH_CHANGED ? "changed" : w->kind == WATCH_EXISTS ?
	    "exists" : "is not empty");
	job_trigger(j, TRIGGER_EVENT);
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
		watch_fire(w);
	if (w->again) {
		w->again = false;
		watch_check(w);
	}
}

/* Looks at the path, off the loop; a change needs no look. */
static void
watch_check(struct watch *w)
{
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
		uv_fs_stat(w->daemon->loop, &w->req, w->path, watch_check_cb);
	else
		uv_fs_scandir(w->daemon->loop, &w->req, w->path, 0,
		    watch_check_cb);
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
		watch_fire(w);
	else
		watch_check(w);
}

static void
watch_add(struct daemon *d, struct job *j, const char *path,
    enum watch_kind kind)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	_cleanup_free_ char *dir = xstrdup(path);
	const char *target;
	int r;

	w->daemon = d;
	w->job = xstrdup(j->name);
	w->path = xstrdup(path);
	w->kind = kind;
	w->refs = 2;			/* the fs event and the timer */
	uv_fs_event_init(d->loop, &w->event);
	w->event.data = w;
	uv_timer_init(d->loop, &w->later);
	w->later.data = w;
	/* A directory to fill is watched itself; a file is watched through
	 * its directory, which also sees it appear. */
	target = kind == WATCH_NOT_EMPTY ? path : dirname(dir);
	r = uv_fs_event_start(&w->event, watch_event_cb, target, 0);
	if (r < 0)
		log_full(LOG_WARNING, j->name, 0, "job '%s': cannot watch "
		    "'%s': %s", j->name, target, uv_strerror(r));
	w->next = d->watches;
	d->watches = w;
	watch_check(w);
}

void
watch_stop(struct daemon *d)
{
	struct watch *w;

	while ((w = d->watches)) {
		d->watches = w->next;
		w->closing = true;
		if (w->checking)
			uv_cancel((uv_req_t *)&w->req);
		uv_close((uv_handle_t *)&w->event, watch_close_cb);
		uv_close((uv_handle_t *)&w->later, watch_close_cb);
	}
}

void
watch_apply(struct daemon *d)
{
	const struct job_policy *p;
	struct job *j;
	size_t i;

	watch_stop(d);
	TAILQ_FOREACH(j, &d->jobs, entry) {
		if (!j->config)
			continue;
		p = &j->config->policy;
		for (i = 0; p->on_path_changed && p->on_path_changed[i]; i++)
			watch_add(d, j, p->on_path_changed[i], WATCH_CHANGED);
		for (i = 0; p->on_path_exists && p->on_path_exists[i]; i++)
			watch_add(d, j, p->on_path_exists[i], WATCH_EXISTS);
		for (i = 0; p->on_directory_not_empty &&
		    p->on_directory_not_empty[i]; i++)
			watch_add(d, j, p->on_directory_not_empty[i],
			    WATCH_NOT_EMPTY);
	}
}

void
watch_job_idle(struct daemon *d, struct job *j)
{
	struct watch *w;

	if (j->nactive > 0)
		return;
	for (w = d->watches; w; w = w->next)
		if (!strcmp(w->job, j->name) && w->kind != WATCH_CHANGED)
			watch_check(w);
}
