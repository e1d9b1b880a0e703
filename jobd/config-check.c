/* The checks across units, once every file is read: dependencies name
 * real units and form no cycle, semaphores and alerts have a section,
 * hooks name jobs.  Units come sorted by name; errors go to the caller's
 * callback, which reports them at the unit's own section. */
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "xmalloc.h"

static int
unit_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(struct job_config *const *)elem)->name);
}

/* The unit named name, or NULL. */
static struct job_config **
unit_find(struct job_config **units, size_t n, const char *name)
{
	return bsearch(name, units, n, sizeof(*units), unit_cmp);
}

struct deps_walk {
	struct job_config **units;
	size_t n;
	unsigned char *color;		/* 0 white, 1 on the path, 2 done */
	size_t *path, npath;
	bool cycle_found;
	void (*error)(void *, const struct job_config *, const char *);
	void *ctx;
};

/* Index of the unit named name, or -1. */
static long
deps_find(const struct deps_walk *w, const char *name)
{
	struct job_config **u = unit_find(w->units, w->n, name);

	return u ? u - w->units : -1;
}

static void
deps_report_cycle(struct deps_walk *w, size_t from)
{
	_cleanup_free_ char *msg = xstrdup("dependency cycle:");
	size_t i, start = 0;
	char *tmp;

	for (i = 0; i < w->npath; i++)
		if (w->path[i] == from)
			start = i;
	for (i = start; i < w->npath; i++) {
		tmp = xstrfmt("%s %s ->", msg, w->units[w->path[i]]->name);
		free(msg);
		msg = tmp;
	}
	tmp = xstrfmt("%s %s (after= and requires= order units)", msg,
	    w->units[from]->name);
	free(msg);
	msg = tmp;
	w->error(w->ctx, w->units[from], msg);
	w->cycle_found = true;
}

static void
deps_visit(struct deps_walk *w, size_t i)
{
	char **lists[2] = { w->units[i]->after, w->units[i]->requires };
	size_t k, m;
	long t;

	w->color[i] = 1;
	w->path[w->npath++] = i;
	for (k = 0; k < 2 && !w->cycle_found; k++) {
		for (m = 0; lists[k] && lists[k][m]; m++) {
			t = deps_find(w, lists[k][m]);
			if (t < 0)
				continue;
			if (w->color[t] == 1) {
				deps_report_cycle(w, t);
				break;
			}
			if (w->color[t] == 0)
				deps_visit(w, t);
			if (w->cycle_found)
				break;
		}
	}
	w->npath--;
	w->color[i] = 2;
}

static void
deps_check_names(struct deps_walk *w, const struct job_config *u)
{
	char **lists[3] = { u->after, u->wants, u->requires };
	static const char *const keys[3] = { "after", "wants", "requires" };
	size_t k, m;
	char *msg;

	for (k = 0; k < 3; k++) {
		for (m = 0; lists[k] && lists[k][m]; m++) {
			if (deps_find(w, lists[k][m]) >= 0 &&
			    strcmp(lists[k][m], u->name))
				continue;
			msg = !strcmp(lists[k][m], u->name) ?
			    xstrfmt("%s: '%s' names itself", keys[k],
			    u->name) : xstrfmt("%s: unknown unit '%s'",
			    keys[k], lists[k][m]);
			w->error(w->ctx, u, msg);
			free(msg);
		}
	}
}

void
config_check_deps(struct job_config **units, size_t n,
    void (*error)(void *, const struct job_config *, const char *),
    void *ctx)
{
	struct deps_walk w = { .units = units, .n = n, .error = error,
	    .ctx = ctx };
	size_t i;

	w.color = xcalloc(n + 1, 1);
	w.path = xcalloc(n + 1, sizeof(*w.path));
	for (i = 0; i < n; i++)
		deps_check_names(&w, units[i]);
	/* One cycle is reported: fixing it often fixes the rest. */
	for (i = 0; i < n && !w.cycle_found; i++)
		if (w.color[i] == 0)
			deps_visit(&w, i);
	free(w.color);
	free(w.path);
}

/* A job (not a service) among units. */
static bool
units_has_job(struct job_config **units, size_t n, const char *name)
{
	struct job_config **u = unit_find(units, n, name);

	return u && !(*u)->service;
}

static void
check_hooks(struct job_config **units, size_t n, struct job_config *u,
    char **hooks, const char *key,
    void (*error)(void *, const struct job_config *, const char *),
    void *ctx)
{
	char *msg;
	size_t k;

	for (k = 0; hooks && hooks[k]; k++) {
		if (units_has_job(units, n, hooks[k]))
			continue;
		msg = xstrfmt("%s: unknown job '%s'", key, hooks[k]);
		error(ctx, u, msg);
		free(msg);
	}
}

/* alert=: each name has its [alert NAME] section. */
static void
check_alerts(const struct config *c, struct job_config *u,
    void (*error)(void *, const struct job_config *, const char *),
    void *ctx)
{
	char **alerts = u->policy.alerts;
	char *msg;
	size_t k;

	for (k = 0; alerts && alerts[k]; k++) {
		if (config_find_alert(c, alerts[k]))
			continue;
		msg = xstrfmt("alert: no [alert %s] section", alerts[k]);
		error(ctx, u, msg);
		free(msg);
	}
}

/* Names that must refer to something: semaphores, hook jobs and alerts. */
void
config_check_policy(const struct config *c, struct job_config **units,
    size_t n, void (*error)(void *, const struct job_config *,
    const char *), void *ctx)
{
	const struct job_policy *p;
	char *msg;
	size_t i, k;

	for (i = 0; i < n; i++) {
		p = &units[i]->policy;
		for (k = 0; p->semaphores && p->semaphores[k]; k++) {
			if (config_find_semaphore(c, p->semaphores[k]))
				continue;
			msg = xstrfmt("semaphore: no [semaphore %s] section",
			    p->semaphores[k]);
			error(ctx, units[i], msg);
			free(msg);
		}
		if (p->locks_cluster && !c->cluster.database)
			error(ctx, units[i], "lock_scope=cluster needs a "
			    "[cluster] section with database= in the main file");
		for (k = 0; p->semaphores && p->semaphores[k]; k++) {
			const struct config_semaphore *s =
			    config_find_semaphore(c, p->semaphores[k]);

			if (s && s->cluster && !c->cluster.database) {
				msg = xstrfmt("semaphore %s has scope=cluster, "
				    "which needs a [cluster] section with "
				    "database= in the main file", s->name);
				error(ctx, units[i], msg);
				free(msg);
			}
		}
		check_alerts(c, units[i], error, ctx);
		check_hooks(units, n, units[i], p->on_failure, "on_failure",
		    error, ctx);
		check_hooks(units, n, units[i], p->on_success, "on_success",
		    error, ctx);
	}
}
