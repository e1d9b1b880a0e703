/* The checks across units, once every file is read: dependencies name
 * real units and form no cycle, semaphores and alerts have a section,
 * hooks name jobs and form no cycle (a hook's run starts its own hooks).
 * Units come sorted by name; errors go to the caller's callback, which
 * reports them at the unit's own section. */
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

/* A depth-first walk of one kind of edges between units, looking for a
 * cycle: after= and requires= (dependencies), or on_success= and
 * on_failure= (hooks, which chain).  via[i] is the key of the edge from
 * path[i] to path[i + 1]. */
struct deps_walk {
	struct job_config **units;
	size_t n;
	const char *const *keys;	/* nkeys names of the edges' keys */
	unsigned nkeys;
	char **(*edges)(const struct job_config *, unsigned key);
	void (*report)(struct deps_walk *, size_t start, size_t to);
	bool jobs_only;			/* edges to services go nowhere */
	unsigned char *color;		/* 0 white, 1 on the path, 2 done */
	size_t *path, npath;
	unsigned *via;
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

/* "a -> b -> a" from path[start] on, back to unit to; with labels,
 * each arrow says its key ("a -on_success-> b"). */
static char *
deps_cycle_text(const struct deps_walk *w, size_t start, size_t to,
    bool labels)
{
	char *msg = xstrdup(""), *tmp;
	size_t i;

	for (i = start; i < w->npath; i++) {
		if (labels)
			tmp = xstrfmt("%s%s -%s-> ", msg,
			    w->units[w->path[i]]->name, w->keys[w->via[i]]);
		else
			tmp = xstrfmt("%s%s -> ", msg,
			    w->units[w->path[i]]->name);
		free(msg);
		msg = tmp;
	}
	tmp = xstrfmt("%s%s", msg, w->units[to]->name);
	free(msg);
	return tmp;
}

static void
deps_report_cycle(struct deps_walk *w, size_t start, size_t to)
{
	_cleanup_free_ char *path = deps_cycle_text(w, start, to, false);
	_cleanup_free_ char *msg = xstrfmt("dependency cycle: %s (after= "
	    "and requires= order units)", path);

	w->error(w->ctx, w->units[to], msg);
}

/* "on_success: a -> b -> a forms a cycle"; with both keys on the way,
 * each arrow names its own. */
static void
hooks_report_cycle(struct deps_walk *w, size_t start, size_t to)
{
	_cleanup_free_ char *path = NULL, *msg = NULL;
	bool mixed = false;
	size_t i;

	for (i = start + 1; i < w->npath; i++)
		mixed |= w->via[i] != w->via[start];
	path = deps_cycle_text(w, start, to, mixed);
	msg = xstrfmt("%s: %s forms a cycle (hooks chain: each would start "
	    "the next without end)", mixed ? "on_success/on_failure" :
	    w->keys[w->via[start]], path);
	w->error(w->ctx, w->units[to], msg);
}

static void
deps_visit(struct deps_walk *w, size_t i)
{
	char **list;
	unsigned k;
	size_t m;
	long t;

	w->color[i] = 1;
	w->path[w->npath++] = i;
	for (k = 0; k < w->nkeys && !w->cycle_found; k++) {
		list = w->edges(w->units[i], k);
		for (m = 0; list && list[m] && !w->cycle_found; m++) {
			if ((t = deps_find(w, list[m])) < 0 ||
			    (w->jobs_only && w->units[t]->service))
				continue;
			w->via[w->npath - 1] = k;
			if (w->color[t] == 1) {
				size_t s = 0;

				while (w->path[s] != (size_t)t)
					s++;
				w->report(w, s, (size_t)t);
				w->cycle_found = true;
			} else if (w->color[t] == 0)
				deps_visit(w, (size_t)t);
		}
	}
	w->npath--;
	w->color[i] = 2;
}

/* Reports the first cycle found: fixing it often fixes the rest. */
static void
deps_walk_all(struct deps_walk *w)
{
	size_t i;

	w->color = xcalloc(w->n + 1, 1);
	w->path = xcalloc(w->n + 1, sizeof(*w->path));
	w->via = xcalloc(w->n + 1, sizeof(*w->via));
	for (i = 0; i < w->n && !w->cycle_found; i++)
		if (w->color[i] == 0)
			deps_visit(w, i);
	free(w->color);
	free(w->path);
	free(w->via);
}

static char **
deps_edges(const struct job_config *u, unsigned key)
{
	return key == 0 ? u->after : u->requires;
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
	static const char *const keys[] = { "after", "requires" };
	struct deps_walk w = { .units = units, .n = n, .keys = keys,
	    .nkeys = 2, .edges = deps_edges, .report = deps_report_cycle,
	    .error = error, .ctx = ctx };
	size_t i;

	for (i = 0; i < n; i++)
		deps_check_names(&w, units[i]);
	deps_walk_all(&w);
}

static char **
hooks_edges(const struct job_config *u, unsigned key)
{
	return key == 0 ? u->policy.on_success : u->policy.on_failure;
}

void
config_check_hook_cycles(struct job_config **units, size_t n,
    void (*error)(void *, const struct job_config *, const char *),
    void *ctx)
{
	static const char *const keys[] = { "on_success", "on_failure" };
	struct deps_walk w = { .units = units, .n = n, .keys = keys,
	    .nkeys = 2, .edges = hooks_edges, .report = hooks_report_cycle,
	    .jobs_only = true, .error = error, .ctx = ctx };

	deps_walk_all(&w);
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
