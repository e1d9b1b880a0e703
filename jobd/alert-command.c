/* The command sink: a run of the job alert:NAME (its command=, user=,
 * group=, timeout=) with trigger "alert", the event's JSON on its stdin
 * and JOBD_ALERT* in its environment.  It is an ordinary run: recorded,
 * in the history, its output in the journal.  The attempt's result is the
 * run's: success is sent, anything else failed. */
#include <stdio.h>
#include <stdlib.h>

#include "alert-event.h"
#include "alerts-internal.h"
#include "job.h"
#include "strv.h"
#include "units.h"
#include "xmalloc.h"

static void
command_done_cb(struct run_observer *o, struct run *r)
{
	struct alert_delivery *d = container_of(o, struct alert_delivery,
	    observer);
	_cleanup_free_ char *detail = NULL;
	int status = run_exit_status(r);

	if (status >= 0)
		detail = xstrfmt("run %llu: %s (exit status %d)",
		    (unsigned long long)r->id, run_result_name[r->result],
		    status);
	else
		detail = xstrfmt("run %llu: %s%s%s", (unsigned long long)r->id,
		    run_result_name[r->result], r->reason ? ": " : "",
		    r->reason ? r->reason : "");
	/* A cancelled run (jobctl cancel, shutdown) is not tried again. */
	alerts_attempt_done(d, r->result == RESULT_SUCCESS,
	    r->result != RESULT_CANCELLED, detail);
}

/* JOBD_ALERT, JOBD_ALERT_EVENT, and the job and run it is about. */
static char **
command_env(const struct alert_delivery *d)
{
	const struct alert_event *e = d->event;
	char **env = NULL;

	env = strv_push(env, xstrfmt("JOBD_ALERT=%s", d->alert));
	env = strv_push(env, xstrfmt("JOBD_ALERT_EVENT=%s",
	    alert_kind_name[e->kind]));
	if (e->job)
		env = strv_push(env, xstrfmt("JOBD_ALERT_JOB=%s", e->job));
	if (e->run)
		env = strv_push(env, xstrfmt("JOBD_ALERT_RUN=%llu",
		    (unsigned long long)e->run));
	return env;
}

static void
command_start(struct alert_delivery *d)
{
	struct alerts *a = d->alerts;
	struct job *j = units_find(a->o.units, d->command_job);
	_cleanup_free_ char *json = NULL, *why = NULL;
	_cleanup_(strv_freep) char **env = NULL;
	struct alert_context c;

	if (!j || !j->config || j->service) {
		why = xstrfmt("job '%s' is not configured any more",
		    d->command_job);
		alerts_attempt_done(d, false, false, why);
		return;
	}
	alerts_context(d, &c);
	json = alert_payload_json(d->event, &c, NULL);
	env = command_env(d);
	d->observer = (struct run_observer){ .done_cb = command_done_cb };
	/* The run may end before this returns (a failed spawn). */
	job_trigger_full(j, TRIGGER_ALERT, &(struct run_opts){
	    .observer = &d->observer, .is_hook = true, .stdin_data = json,
	    .env = env });
}

static void
command_cancel(struct alert_delivery *d)
{
	/* The run goes on (a shutdown stops it); no one waits for it. */
	run_unobserve(&d->observer);
}

const struct alert_sink_ops alert_command_ops = {
	.start = command_start,
	.cancel = command_cancel,
};
