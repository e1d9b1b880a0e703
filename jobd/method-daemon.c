/* Methods about the daemon itself: Reload, Daemon, and the
 * org.varlink.service introspection that any Varlink client can call. */
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "macro.h"
#include "config.h"
#include "job.h"
#include "executor.h"
#include "record.h"
#include "looplag.h"
#include "run-ctx.h"
#include "units.h"
#include "log.h"
#include "method.h"
#include "strv-json.h"
#include "xmalloc.h"

#ifndef JOBD_VERSION
#define JOBD_VERSION "0.1.0"
#endif

extern const char varlink_idl_text[];

static const char varlink_service_idl[] =
    "# The Varlink service interface\n"
    "interface org.varlink.service\n"
    "\n"
    "method GetInfo() -> (\n"
    "  vendor: string,\n"
    "  product: string,\n"
    "  version: string,\n"
    "  url: string,\n"
    "  interfaces: []string\n"
    ")\n"
    "\n"
    "method GetInterfaceDescription(interface: string) -> "
    "(description: string)\n"
    "\n"
    "error InterfaceNotFound (interface: string)\n"
    "error MethodNotFound (method: string)\n"
    "error MethodNotImplemented (method: string)\n"
    "error InvalidParameter (parameter: string)\n"
    "error PermissionDenied ()\n"
    "error ExpectedMore ()\n";

struct reload_ctx {
	struct conn *conn;		/* NULL once the client went away */
};

static void
reload_done(void *ctx, int r, char **errors, const struct reload_plan *p)
{
	struct reload_ctx *q = ctx;
	struct conn *c = q->conn;

	free(q);
	if (!c)
		return;
	if (r < 0 && errors)
		ctl_error(c, IFACE_ERROR("ConfigInvalid"),
		    json_pack("{s:o}", "errors", strv_json(errors)));
	else if (r < 0)
		ctl_error(c, IFACE_ERROR("ShuttingDown"), NULL);
	else
		ctl_reply(c, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
		    "added", strv_json(p->added),
		    "removed", strv_json(p->removed),
		    "changed", strv_json(p->changed),
		    "unchanged", strv_json(p->unchanged),
		    "restarted", strv_json(p->restarted),
		    "updated", strv_json(p->updated)), false);
}

static void
reload_cancel(void *ctx)
{
	struct reload_ctx *q = ctx;

	q->conn = NULL;
}

void
method_reload(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "dry_run", CTL_BOOL, false, 0 },
	};
	struct method_ctx *m = ctl_ctx(c);
	struct reload_ctx *q;
	bool dry_run;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &dry_run) < 0)
		return;
	q = xcalloc(1, sizeof(*q));
	q->conn = c;
	ctl_set_cancel(c, reload_cancel, q);
	m->reload(m->owner, dry_run, reload_done, q);
}

/* Ledger health: where it is, whether writes succeed, what waits. */
static json_t *
daemon_ledger_json(const struct record *rec)
{
	json_t *o;

	o = json_pack("{s:s, s:b, s:I, s:I, s:I}",
	    "path", rec->state_dir ? rec->state_dir : "",
	    "ok", rec->ledger && rec->error == 0,
	    "queued", (json_int_t)rec->nqueue,
	    "dropped", (json_int_t)rec->dropped,
	    "written", (json_int_t)rec->written);
	if (rec->error_text)
		json_object_set_new(o, "error", json_string(rec->error_text));
	return o;
}

void
method_daemon(struct conn *c, json_t *params)
{
	struct method_ctx *m = ctl_ctx(c);
	unsigned running = 0;
	struct job *j;

	if (ctl_params(c, params, NULL, 0, NULL) < 0)
		return;
	TAILQ_FOREACH(j, &m->units->jobs, entry)
		running += j->nactive;
	ctl_reply(c, json_pack("{s:s, s:i, s:I, s:s, s:s, s:I, s:i, s:{s:I, "
	    "s:I, s:I}, s:{s:i, s:I}, s:{s:i, s:I}, s:o}",
	    "version", JOBD_VERSION, "pid", (int)getpid(),
	    "started_usec", (json_int_t)m->started, "config", m->config_path,
	    "socket", m->socket_path,
	    "jobs", (json_int_t)m->runs->config->njobs, "running", running,
	    "loop_lag", "current_usec", (json_int_t)m->looplag->last,
	    "p99_usec", (json_int_t)looplag_percentile(m->looplag, 99),
	    "max_usec", (json_int_t)m->looplag->max,
	    "executor", "queued", m->runs->executor->queued,
	    "completed", (json_int_t)m->runs->executor->completed,
	    "ledger_thread", "queued", m->record->lane.queued,
	    "completed", (json_int_t)m->record->lane.completed,
	    "ledger", daemon_ledger_json(m->record)), false);
}

void
method_get_info(struct conn *c, json_t *params)
{
	if (ctl_params(c, params, NULL, 0, NULL) < 0)
		return;
	ctl_reply(c, json_pack("{s:s, s:s, s:s, s:s, s:[s, s]}",
	    "vendor", "jobd", "product", "jobd", "version", JOBD_VERSION,
	    "url", "https://github.com/jobd/jobd",
	    "interfaces", VARLINK_SERVICE, VARLINK_INTERFACE), false);
}

void
method_get_interface_description(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "interface", CTL_STRING, true, 0 },
	};
	const char *iface;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &iface) < 0)
		return;
	if (!strcmp(iface, VARLINK_INTERFACE))
		ctl_reply(c, json_pack("{s:s}", "description",
		    varlink_idl_text), false);
	else if (!strcmp(iface, VARLINK_SERVICE))
		ctl_reply(c, json_pack("{s:s}", "description",
		    varlink_service_idl), false);
	else
		ctl_error(c, "org.varlink.service.InterfaceNotFound",
		    json_pack("{s:s}", "interface", iface));
}
