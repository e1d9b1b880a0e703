/* Which handler answers which method and path, and whether the path
 * reads or acts (and so which token it needs).  Paths are matched segment
 * by segment; a "{}" segment is a parameter handed to the handler, and a
 * "{a|b}" one matches one of its words and is handed on too. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "assets.h"
#include "auth.h"
#include "routes.h"
#include "xmalloc.h"

#define ROUTE_MAX_ARGS 4
#define ROUTE_MAX_SEGMENTS 8

enum access { OPEN, READ, WRITE };

static const struct route {
	const char *method, *pattern;
	enum access access;
	api_handler_fn handler;
} routes[] = {
	{ "GET", "/healthz", OPEN, api_healthz },
	{ "GET", "/metrics", READ, api_metrics },
	{ "GET", "/api/v1/jobs", READ, api_jobs },
	{ "GET", "/api/v1/jobs/{}", READ, api_job },
	{ "GET", "/api/v1/jobs/{}/next", READ, api_job_next },
	{ "POST", "/api/v1/jobs/{}/{start|pause|resume|skip}", WRITE,
	    api_job_action },
	{ "GET", "/api/v1/services", READ, api_services },
	{ "POST", "/api/v1/services/{}/{start|stop|restart}", WRITE,
	    api_service_action },
	{ "GET", "/api/v1/runs", READ, api_runs },
	{ "GET", "/api/v1/runs/{}", READ, api_run },
	{ "GET", "/api/v1/runs/{}/output", READ, api_run_output },
	{ "POST", "/api/v1/runs/{}/cancel", WRITE, api_run_cancel },
	{ "GET", "/api/v1/sync", READ, api_sync },
	{ "POST", "/api/v1/events/{}/{set|clear}", WRITE, api_event_action },
	{ "GET", "/api/v1/events", READ, api_events },
	{ "GET", "/api/v1/alerts", READ, api_alerts },
	{ "GET", "/api/v1/daemon", READ, api_daemon },
};

/* Splits path into at most max segments (modifies it); -1 if more. */
static int
route_split(char *path, char **seg, int max)
{
	int n = 0;
	char *p;

	for (p = strtok(path, "/"); p; p = strtok(NULL, "/")) {
		if (n == max)
			return -1;
		seg[n++] = p;
	}
	return n;
}

static bool
route_word(const char *choices, const char *word)
{
	size_t len = strlen(word);
	const char *p = choices;

	while (*p && *p != '}') {
		size_t n = strcspn(p, "|}");

		if (n == len && !strncmp(p, word, len))
			return true;
		p += n + (p[n] == '|');
	}
	return false;
}

/* Whether pattern matches the segments; args gets its parameters. */
static bool
route_match(const char *pattern, char **seg, int nseg, char **args)
{
	char *pat[ROUTE_MAX_SEGMENTS], *copy = xstrdup(pattern);
	int n = route_split(copy, pat, ROUTE_MAX_SEGMENTS), i, a = 0;
	bool ok = n == nseg;

	for (i = 0; ok && i < n; i++) {
		if (!strcmp(pat[i], "{}"))
			args[a++] = seg[i];
		else if (pat[i][0] == '{' && route_word(pat[i] + 1, seg[i]))
			args[a++] = seg[i];
		else if (strcmp(pat[i], seg[i]))
			ok = false;
	}
	free(copy);
	return ok;
}

/* The static files, the session and the API; everything else 404. */
void
routes_dispatch(void *owner, struct web_request *r)
{
	struct web *w = owner;
	char *path, *seg[ROUTE_MAX_SEGMENTS], *args[ROUTE_MAX_ARGS] = { 0 };
	bool other_method = false;
	int nseg;
	size_t i;

	if (!strcmp(r->path, "/api/v1/session")) {
		if (!strcmp(r->method, "POST"))
			auth_session_post(w->auth, r);
		else if (!strcmp(r->method, "GET"))
			auth_session_get(w->auth, r);
		else if (!strcmp(r->method, "DELETE"))
			auth_session_delete(w->auth, r);
		else
			web_respond_error(r, 405, "method not allowed", NULL,
			    NULL);
		return;
	}
	if (assets_serve(r))
		return;
	path = xstrdup(r->path);
	nseg = route_split(path, seg, ROUTE_MAX_SEGMENTS);
	for (i = 0; nseg >= 0 && i < ELEMENTSOF(routes); i++) {
		if (!route_match(routes[i].pattern, seg, nseg, args))
			continue;
		if (strcmp(routes[i].method, r->method) &&
		    !(!strcmp(r->method, "HEAD") &&
		    !strcmp(routes[i].method, "GET"))) {
			other_method = true;
			continue;
		}
		if (routes[i].access == OPEN ||
		    auth_allow(w->auth, r, routes[i].access == WRITE))
			routes[i].handler(w, r, args);
		free(path);
		return;
	}
	free(path);
	if (other_method)
		web_respond_error(r, 405, "method not allowed", NULL, NULL);
	else
		web_respond_error(r, 404, "no such path", NULL, NULL);
}
