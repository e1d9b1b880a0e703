/* GET handlers of /api/v1: each is one call to jobd (two for jobs with
 * their recent results), its reply passed through or reshaped for the
 * path's contract (see openapi.json). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "vlcall.h"
#include "xmalloc.h"

#define IFACE "io.jobd.Manager."

/* Run ids are positive and fit jobd's int. */
bool
api_run_id(struct web_request *r, const char *s, json_int_t *ret)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || n == 0 ||
	    n > INT64_MAX) {
		web_respond_error(r, 404, "no such run: a run id is a "
		    "positive number", NULL, NULL);
		return false;
	}
	*ret = (json_int_t)n;
	return true;
}

static json_t *
shape_job(struct web_request *r, json_t *params)
{
	json_t *j = json_array_get(json_object_get(params, "jobs"), 0);

	if (!j) {
		web_respond_error(r, 404, "no such job", NULL, NULL);
		return NULL;
	}
	return json_pack("{s:O,s:O}", "job", json_object_get(j, "job"),
	    "runs", json_object_get(j, "runs"));
}

void
api_job(struct web *w, struct web_request *r, char **args)
{
	api_call(w, r, IFACE "Status", json_pack("{s:s}", "job", args[0]),
	    shape_job);
}

void
api_job_next(struct web *w, struct web_request *r, char **args)
{
	uint64_t count;

	if (!api_query_uint(r, "count", 1000, 5, &count))
		return;
	api_call(w, r, IFACE "Next", json_pack("{s:s,s:I}", "job", args[0],
	    "count", (json_int_t)(count ? count : 5)), NULL);
}

static json_t *
shape_services(struct web_request *r, json_t *params)
{
	json_t *out = json_array(), *j;
	size_t i;

	(void)r;
	json_array_foreach(json_object_get(params, "jobs"), i, j)
		if (!strcmp(json_string_value(json_object_get(j, "kind")) ?: "",
		    "service"))
			json_array_append(out, j);
	return json_pack("{s:o}", "services", out);
}

void
api_services(struct web *w, struct web_request *r, char **args)
{
	(void)args;
	api_call(w, r, IFACE "Summary", NULL, shape_services);
}

static json_t *
shape_sync(struct web_request *r, json_t *params)
{
	(void)r;
	return json_incref(json_object_get(params, "sync"));
}

void
api_sync(struct web *w, struct web_request *r, char **args)
{
	(void)args;
	api_call(w, r, IFACE "Summary", NULL, shape_sync);
}

/* since=: Unix seconds, or RFC 3339 (UTC "Z" or an offset). */
static bool
api_since(const char *s, int64_t *ret)
{
	struct tm tm = { 0 };
	const char *p;
	char *end;
	long long secs;
	int sign, hh, mm;

	errno = 0;
	secs = strtoll(s, &end, 10);
	if (*s && !*end && !errno && secs >= 0 && secs < INT64_MAX / 1000000) {
		*ret = secs * 1000000;
		return true;
	}
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return false;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	secs = timegm(&tm);
	if (*p == 'Z' || *p == 'z')
		p++;
	else if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &hh,
	    &mm) == 2 && strlen(p) == 6) {
		sign = *p == '+' ? 1 : -1;
		secs -= sign * (hh * 3600 + mm * 60);
		p += 6;
	} else
		return false;
	if (*p || secs < 0)
		return false;
	*ret = secs * 1000000;
	return true;
}

static const char *const api_results[] = {
	"success", "failed", "timeout", "cancelled", "lost", "skipped", "oom",
};

void
api_runs(struct web *w, struct web_request *r, char **args)
{
	const char *job = web_query(r, "job"), *result = web_query(r,
	    "result"), *since = web_query(r, "since");
	json_t *p = json_object();
	uint64_t limit;
	int64_t since_usec;
	size_t i;

	(void)args;
	if (!api_query_uint(r, "limit", 10000, 20, &limit)) {
		json_decref(p);
		return;
	}
	json_object_set_new(p, "limit", json_integer((json_int_t)limit));
	if (job && *job)
		json_object_set_new(p, "job", json_string(job));
	if (since && *since) {
		if (!api_since(since, &since_usec)) {
			web_respond_error(r, 400, "since: expected Unix "
			    "seconds or an RFC 3339 time such as "
			    "2026-12-07T10:00:00Z", NULL, NULL);
			json_decref(p);
			return;
		}
		json_object_set_new(p, "since_usec", json_integer(since_usec));
	}
	if (result && !strcmp(result, "notsuccess"))
		json_object_set_new(p, "failed", json_true());
	else if (result && *result) {
		for (i = 0; i < ELEMENTSOF(api_results); i++)
			if (!strcmp(result, api_results[i]))
				break;
		if (i == ELEMENTSOF(api_results)) {
			web_respond_error(r, 400, "result: expected success, "
			    "failed, timeout, cancelled, lost, skipped, oom "
			    "or notsuccess", NULL, NULL);
			json_decref(p);
			return;
		}
		json_object_set_new(p, "result", json_string(result));
	}
	api_call(w, r, IFACE "History", p, NULL);
}

void
api_run(struct web *w, struct web_request *r, char **args)
{
	json_int_t id;

	if (api_run_id(r, args[0], &id))
		api_call(w, r, IFACE "Show", json_pack("{s:I}", "run", id),
		    NULL);
}

void
api_alerts(struct web *w, struct web_request *r, char **args)
{
	const char *failed = web_query(r, "failed");
	json_t *p = json_object();
	uint64_t limit;

	(void)args;
	if (!api_query_uint(r, "limit", 10000, 50, &limit)) {
		json_decref(p);
		return;
	}
	json_object_set_new(p, "limit", json_integer((json_int_t)limit));
	if (failed && strcmp(failed, "0") && strcmp(failed, "false"))
		json_object_set_new(p, "failed", json_true());
	api_call(w, r, IFACE "Alerts", p, NULL);
}

void
api_daemon(struct web *w, struct web_request *r, char **args)
{
	(void)args;
	api_call(w, r, IFACE "Daemon", NULL, NULL);
}
