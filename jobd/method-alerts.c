/* Methods of the alerts: Alerts (the newest delivery attempts from the
 * ledger's alert log, readable like History) and AlertTest (a test event
 * to every sink of an alert: outbound traffic, so for administrators
 * only, as method-table.c says). */
#include <errno.h>
#include <string.h>

#include "alerts.h"
#include "config.h"
#include "control.h"
#include "ledger.h"
#include "macro.h"
#include "method.h"
#include "record.h"
#include "run-ctx.h"

static json_t *
alert_attempt_json(const struct ledger_alert *a)
{
	json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:i, s:s}",
	    "id", (json_int_t)a->id, "at_usec", (json_int_t)a->at,
	    "alert", a->alert ? a->alert : "", "sink", a->sink ? a->sink : "",
	    "event", a->event ? a->event : "", "attempt", (int)a->attempt,
	    "status", a->status ? a->status : "");
	json_t *d = NULL;

	if (a->job)
		json_object_set_new(o, "job", json_string(a->job));
	if (a->run)
		json_object_set_new(o, "run", json_integer((json_int_t)a->run));
	/* A receiver's words may be anything: jansson refuses bad UTF-8. */
	if (a->detail && !(d = json_string(a->detail)))
		d = json_string("?");
	if (d)
		json_object_set_new(o, "detail", d);
	return o;
}

static void
alerts_done(void *ctx, int r, const struct ledger_alert *rows, size_t n)
{
	struct conn *c = ctl_resume(ctx);
	json_t *a;
	size_t i;

	if (!c)
		return;
	if (r < 0) {
		ctl_error(c, IFACE_ERROR("LedgerUnavailable"),
		    json_pack("{s:s}", "reason", strerror(-r)));
		return;
	}
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, alert_attempt_json(&rows[i]));
	ctl_reply(c, json_pack("{s:o, s:I}", "attempts", a, "pending",
	    (json_int_t)alerts_pending(ctl_ctx(c)->alerts)), false);
}

struct alerts_params {
	int64_t limit;
	bool failed;
};

void
method_alerts(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "limit", CTL_INT, false, offsetof(struct alerts_params,
		    limit) },
		{ "failed", CTL_BOOL, false, offsetof(struct alerts_params,
		    failed) },
	};
	struct alerts_params p;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0)
		return;
	record_query_alerts(ctl_ctx(c)->record, p.failed, p.limit >= 0 ?
	    (size_t)p.limit : 20, alerts_done, ctl_defer(c));
}

void
method_alert_test(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "name", CTL_STRING, true, 0 },
	};
	struct method_ctx *m = ctl_ctx(c);
	const struct config_alert *a;
	const char *name;
	json_t *sinks;
	int r;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &name) < 0)
		return;
	if ((r = alerts_test(m->alerts, name)) == -ENOENT) {
		ctl_error(c, IFACE_ERROR("NoSuchAlert"), json_pack("{s:s}",
		    "alert", name));
		return;
	}
	if (r < 0) {
		ctl_error(c, IFACE_ERROR("ShuttingDown"), NULL);
		return;
	}
	a = config_find_alert(m->runs->config, name);
	sinks = json_array();
	if (a->webhook)
		json_array_append_new(sinks, json_string("webhook"));
	if (a->mail)
		json_array_append_new(sinks, json_string("mail"));
	if (a->command_job)
		json_array_append_new(sinks, json_string("command"));
	ctl_reply(c, json_pack("{s:s, s:o}", "name", name, "sinks", sinks),
	    false);
}
