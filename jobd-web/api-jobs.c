/* GET /api/v1/jobs: every job and service as jobd's Summary gives them,
 * and with ?recent=N the last N finished runs of each (jobd's Recent),
 * merged by name for the dashboard's strip of results. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "vlcall.h"
#include "xmalloc.h"

#define API_MAX_RECENT 30

struct api_jobs {
	struct web *web;
	struct web_request *req;
	json_t *summary;
	uint64_t recent;
};

static void
api_jobs_release(struct web_request *r)
{
	struct api_jobs *a = r->data;

	json_decref(a->summary);
	free(a);
	r->data = NULL;
}

static void
api_jobs_finish(struct web_request *r)
{
	r->call = NULL;
	r->release = NULL;
	api_jobs_release(r);
}

/* Each job gets "recent" (oldest first), [] when it has none on record. */
static void
api_jobs_merge(json_t *summary, json_t *recent)
{
	json_t *by_name = json_object(), *j, *x;
	size_t i;

	json_array_foreach(json_object_get(recent, "jobs"), i, x)
		json_object_set(by_name, json_string_value(json_object_get(x,
		    "job")) ?: "", json_object_get(x, "runs"));
	json_array_foreach(json_object_get(summary, "jobs"), i, j) {
		x = json_object_get(by_name, json_string_value(
		    json_object_get(j, "name")) ?: "");
		json_object_set_new(j, "recent", x ? json_incref(x) :
		    json_array());
	}
	json_decref(by_name);
}

static void
api_jobs_recent(void *data, json_t *params, const char *error,
    bool continues)
{
	struct api_jobs *a = data;
	struct web_request *r = a->req;

	(void)continues;
	if (error)
		api_error_reply(r, error, params);
	else {
		api_jobs_merge(a->summary, params);
		web_respond_json(r, 200, json_incref(a->summary));
	}
	api_jobs_finish(r);
}

static void
api_jobs_summary(void *data, json_t *params, const char *error,
    bool continues)
{
	struct api_jobs *a = data;
	struct web_request *r = a->req;

	(void)continues;
	if (error) {
		api_error_reply(r, error, params);
		api_jobs_finish(r);
		return;
	}
	if (!a->recent) {
		web_respond_json(r, 200, json_incref(params));
		api_jobs_finish(r);
		return;
	}
	a->summary = json_incref(params);
	r->call = NULL;
	if (!api_vlcall(a->web, r, "io.jobd.Manager.Recent",
	    json_pack("{s:I}", "count", (json_int_t)a->recent),
	    api_jobs_recent, a))
		api_jobs_finish(r);
}

void
api_jobs(struct web *w, struct web_request *r, char **args)
{
	struct api_jobs *a;
	uint64_t recent;

	(void)args;
	if (!api_query_uint(r, "recent", API_MAX_RECENT, 0, &recent))
		return;
	a = xcalloc(1, sizeof(*a));
	a->web = w;
	a->req = r;
	a->recent = recent;
	r->data = a;
	r->release = api_jobs_release;
	if (!api_vlcall(w, r, "io.jobd.Manager.Summary", NULL,
	    api_jobs_summary, a))
		api_jobs_finish(r);
}
