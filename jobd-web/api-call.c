/* One call to jobd on behalf of a request, and how jobd's errors read over
 * HTTP.  The request holds the call, so a client that goes away cancels
 * it (httpd frees the request and the call with it). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "vlcall.h"
#include "xmalloc.h"

struct api_pending {
	struct web_request *req;
	api_shape_fn shape;
};

static const struct {
	const char *error;
	unsigned status;
} api_errors[] = {
	{ "io.jobd.Manager.NoSuchJob", 404 },
	{ "io.jobd.Manager.NoSuchRun", 404 },
	{ "io.jobd.Manager.NotService", 404 },
	{ "io.jobd.Manager.NoSuchAlert", 404 },
	{ "io.jobd.Manager.RunFinished", 409 },
	{ "io.jobd.Manager.NoRuns", 409 },
	{ "io.jobd.Manager.NotPeriodic", 409 },
	{ "io.jobd.Manager.IsService", 409 },
	{ "io.jobd.Manager.NotRunning", 409 },
	{ "io.jobd.Manager.TooManyRuns", 409 },
	{ "io.jobd.Manager.ServiceFailed", 409 },
	{ "io.jobd.Manager.InvalidSchedule", 400 },
	{ "io.jobd.Manager.BadParameters", 400 },
	{ "org.varlink.service.InvalidParameter", 400 },
	{ "org.varlink.service.PermissionDenied", 403 },
	{ "io.jobd.Manager.ShuttingDown", 503 },
	{ "io.jobd.Manager.LedgerUnavailable", 503 },
	{ VLCALL_UNREACHABLE, 503 },
};

unsigned
api_error_status(const char *error)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(api_errors); i++)
		if (!strcmp(api_errors[i].error, error))
			return api_errors[i].status;
	return 502;
}

/* The message says what happened in words; the Varlink error and its
 * parameters follow for scripts. */
void
api_error_reply(struct web_request *r, const char *error, json_t *params)
{
	const char *reason = json_string_value(json_object_get(params,
	    "reason"));
	unsigned status = api_error_status(error);
	char *msg;

	if (!strcmp(error, VLCALL_UNREACHABLE))
		msg = xstrdup(reason ? reason : "jobd is not reachable");
	else if (status == 403)
		msg = xstrdup("jobd refused: jobd-web's user may not do this "
		    "(see admin_group= and allow_start= in jobd.conf(5))");
	else if (reason)
		msg = xstrfmt("%s: %s", strrchr(error, '.') + 1, reason);
	else
		msg = xstrfmt("jobd answered %s", strrchr(error, '.') + 1);
	web_respond_error(r, status, msg, strcmp(error, VLCALL_UNREACHABLE) ?
	    error : NULL, params);
	free(msg);
}

static void
api_replied(void *data, json_t *params, const char *error, bool continues)
{
	struct api_pending *p = data;
	struct web_request *r = p->req;
	json_t *out;

	(void)continues;
	r->call = NULL;
	r->release = NULL;
	r->data = NULL;
	if (error)
		api_error_reply(r, error, params);
	else if (!p->shape)
		web_respond_json(r, 200, json_incref(params));
	else if ((out = p->shape(r, params)))
		web_respond_json(r, 200, out);
	free(p);
}

static void
api_release(struct web_request *r)
{
	free(r->data);
	r->data = NULL;
}

bool
api_vlcall(struct web *w, struct web_request *r, const char *method,
    json_t *params, vlcall_reply_fn fn, void *data)
{
	r->call = vlcall_start(&w->calls, w->loop, w->socket, method, params,
	    false, fn, data);
	if (r->call)
		return true;
	web_respond_error(r, 503, "jobd-web is busy: too many requests wait "
	    "for jobd", NULL, NULL);
	return false;
}

void
api_call(struct web *w, struct web_request *r, const char *method,
    json_t *params, api_shape_fn shape)
{
	struct api_pending *p = xcalloc(1, sizeof(*p));

	p->req = r;
	p->shape = shape;
	r->data = p;
	r->release = api_release;
	api_vlcall(w, r, method, params, api_replied, p);
}

json_t *
api_body(struct web_request *r)
{
	json_error_t err;
	json_t *o;
	char *msg;

	if (!r->body_len)
		return json_object();
	o = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
	if (!o || !json_is_object(o)) {
		msg = xstrfmt("the body is not a JSON object%s%s",
		    o ? "" : ": ", o ? "" : err.text);
		web_respond_error(r, 400, msg, NULL, NULL);
		free(msg);
		json_decref(o);
		return NULL;
	}
	return o;
}

bool
api_query_uint(struct web_request *r, const char *name, uint64_t max,
    uint64_t def, uint64_t *ret)
{
	const char *v = web_query(r, name);
	char *end, *msg;
	uint64_t n;

	if (!v) {
		*ret = def;
		return true;
	}
	errno = 0;
	n = strtoull(v, &end, 10);
	if (!*v || *v == '-' || *v == '+' || *end || errno || n > max) {
		msg = xstrfmt("%s: expected a whole number from 0 to %" PRIu64
		    ", not \"%.40s\"", name, max, v);
		web_respond_error(r, 400, msg, NULL, NULL);
		free(msg);
		return false;
	}
	*ret = n;
	return true;
}
