/* jobctl's ledger verbs: `history` (recorded runs, newest first, with the
 * filters) and `show RUN` (every field and the output tail).  Both say
 * when rows wait to be written and the answer may lack them. */
#include <stdio.h>

#include "jobctl.h"
#include "print.h"
#include "varlink.h"

/* History and Show answer from the ledger: rows jobd could not write yet
 * (a full or read-only disk) are not in it, and the reply says so. */
static void
warn_pending_writes(json_t *p)
{
	long long n = json_integer_value(json_object_get(p, "pending_writes"));
	json_t *why = json_object_get(p, "ledger_error");

	if (n <= 0)
		return;
	fprintf(stderr, "jobctl: warning: %lld run%s not yet written to the "
	    "ledger%s%s%s; this list may be incomplete\n", n, n == 1 ? "" :
	    "s", json_is_string(why) ? " (" : "", json_is_string(why) ?
	    json_string_value(why) : "", json_is_string(why) ? ")" : "");
}

static int
reply_history(json_t *p, bool continues UNUSED, void *data)
{
	struct ctx *c = data;
	json_t *runs = reply_array(p, "runs");

	if (!runs)
		return client_mismatch("reply has no 'runs' array");
	if (c->opts & OPT_JSON)
		print_json(p);
	else
		print_history(runs);
	warn_pending_writes(p);
	if (json_is_string(json_object_get(p, "cluster_error")))
		fprintf(stderr, "jobctl: warning: %s\n", json_string_value(
		    json_object_get(p, "cluster_error")));
	return 0;
}

int
verbs_history(struct ctx *c)
{
	json_t *p = json_object();

	if (c->nargs > 0)
		json_object_set_new(p, "job", json_string(c->args[0]));
	if (c->opts & OPT_FAILED)
		json_object_set_new(p, "failed", json_true());
	if (c->opts & OPT_SINCE)
		json_object_set_new(p, "since_usec",
		    json_integer((json_int_t)c->since));
	if (c->opts & OPT_RESULT)
		json_object_set_new(p, "result", json_string(c->result));
	if (c->opts & OPT_LOCAL)
		json_object_set_new(p, "local", json_true());
	json_object_set_new(p, "limit", json_integer(c->opts & OPT_LINES ?
	    c->lines : 20));
	return jobctl_call(c, VARLINK_INTERFACE ".History", p, false,
	    reply_history);
}

static int
reply_show(json_t *p, bool continues UNUSED, void *data)
{
	struct ctx *c = data;

	if (!json_is_object(json_object_get(p, "run")))
		return client_mismatch("reply has no 'run' object");
	if (c->opts & OPT_JSON)
		print_json(p);
	else
		print_show(p);
	warn_pending_writes(p);
	return 0;
}

int
verbs_show(struct ctx *c)
{
	json_int_t id;

	if (!parse_number(c->args[0], &id))
		return jobctl_usage_error(c->verb, "invalid run id '%s'",
		    c->args[0]);
	return jobctl_call(c, VARLINK_INTERFACE ".Show", json_pack("{s:I}",
	    "run", id), false, reply_show);
}
