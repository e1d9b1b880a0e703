/* jobctl logs: one unit's latest run as it always was (the Logs call, no
 * prefix), or several units in one Tail call, each line after NAME[RUN]
 * as supervisorctl's maintail prints it: several names, a glob, all, or
 * none.  --follow follows a job's run until it ends; a service, or
 * several units, until interrupted (SIGINT and SIGTERM end it with 0),
 * through the runs that start meanwhile. */
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "jobctl.h"
#include "print.h"
#include "strv-json.h"
#include "varlink.h"

/* A logs call: the invocation, and whether lines carry NAME[RUN]. */
struct logs_call {
	struct ctx *c;
	bool tagged;
	bool service;			/* the kind reply: a service */
};

static int
logs_call(struct logs_call *l, const char *method, json_t *params,
    bool more, client_reply_fn fn)
{
	return client_call(&(struct client_request){
		.socket = l->c->socket,
		.method = method,
		.params = params,
		.more = more,
		.reply = fn,
		.data = l,
	});
}

/* "jobctl: N older lines (of NAME[RUN]) left out". */
static void
logs_omitted(json_t *p, bool tagged)
{
	json_t *v = json_object_get(p, "omitted");

	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return;
	fprintf(stderr, "jobctl: %" JSON_INTEGER_FORMAT " older lines ",
	    json_integer_value(v));
	if (tagged && json_is_string(json_object_get(p, "job")))
		fprintf(stderr, "of %s[%" JSON_INTEGER_FORMAT "] ",
		    json_string_value(json_object_get(p, "job")),
		    json_integer_value(json_object_get(p, "run")));
	fprintf(stderr, "left out: a reply holds at most 4 MiB\n");
}

/* Logs and Tail replies stream with --follow; a reader that went away
 * (| head) ends jobctl quietly. */
static int
logs_reply(json_t *p, bool continues, void *data)
{
	struct logs_call *l = data;
	json_t *lines = reply_array(p, "lines");

	if (!lines)
		return client_mismatch("reply has no 'lines' array");
	logs_omitted(p, l->tagged);
	if (print_log_lines(lines, l->c->opts & OPT_JSON, l->tagged) < 0)
		return client_mismatch("log line with invalid base64");
	if (fflush(stdout) == EOF)
		return 0;
	return continues ? -1 : 0;
}

/* One unit (or one run, with --run): Logs. */
static int
logs_one(struct logs_call *l, const char *job)
{
	struct ctx *c = l->c;
	json_t *p = json_object();
	bool follow = c->opts & OPT_FOLLOW;

	if (job)
		json_object_set_new(p, "job", json_string(job));
	if (c->opts & OPT_RUN)
		json_object_set_new(p, "run", json_integer(c->run));
	if (c->run_node)
		json_object_set_new(p, "node", json_string(c->run_node));
	/* Without lines jobd sends every line it kept. */
	if (c->lines > 0)
		json_object_set_new(p, "lines", json_integer(c->lines));
	if (follow)
		json_object_set_new(p, "follow", json_true());
	return logs_call(l, VARLINK_INTERFACE ".Logs", p, follow, logs_reply);
}

/* The units in c->args (none: every unit) in one Tail call. */
static int
logs_tail(struct logs_call *l)
{
	struct ctx *c = l->c;
	json_t *p = json_object();

	if (c->nargs > 0)
		json_object_set_new(p, "jobs", strv_json(c->args));
	if (c->lines > 0)
		json_object_set_new(p, "lines", json_integer(c->lines));
	if (c->opts & OPT_FOLLOW)
		json_object_set_new(p, "follow", json_true());
	return logs_call(l, VARLINK_INTERFACE ".Tail", p, true, logs_reply);
}

static int
logs_kind_reply(json_t *p, bool continues, void *data)
{
	struct logs_call *l = data;
	json_t *jobs = reply_array(p, "jobs");
	const char *kind;

	(void)continues;
	if (!jobs || json_array_size(jobs) != 1)
		return client_mismatch("reply has no 'jobs' array of one");
	kind = json_string_value(json_object_get(json_array_get(jobs, 0),
	    "kind"));
	l->service = kind && !strcmp(kind, "service");
	return 0;
}

int
verbs_logs(struct ctx *c)
{
	struct logs_call l = { .c = c };
	const char *typed = c->nargs == 1 ? c->args[0] : NULL;
	bool follow = c->opts & OPT_FOLLOW;
	int r;

	if (follow)
		client_stop_on_signals();
	if (c->opts & OPT_RUN) {
		if (c->nargs > 1)
			return jobctl_usage_error(c->verb, "--run takes one "
			    "job");
		return logs_one(&l, typed);
	}
	if ((r = names_expand(c, NAMES_LOGS)) >= 0)
		return r;
	/* One unit, named as it is: as logs always printed it. */
	if (typed && c->nargs == 1 && !strcmp(c->args[0], typed)) {
		if (!follow)
			return logs_one(&l, typed);
		/* A service is followed across its restarts. */
		r = logs_call(&l, VARLINK_INTERFACE ".Summary",
		    json_pack("{s:s}", "job", typed), false, logs_kind_reply);
		if (r != 0)
			return r;
		return l.service ? logs_tail(&l) : logs_one(&l, typed);
	}
	l.tagged = true;
	return logs_tail(&l);
}
