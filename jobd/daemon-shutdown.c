/* jobd's stop: no new work, job runs cancelled and services stopped in
 * reverse dependency order; once the last run closed and the ledger wrote
 * what was queued, every handle is closed so that uv_loop_close()
 * succeeds.  A second SIGTERM changes nothing. */
#include "cluster.h"
#include "control.h"
#include "daemon.h"
#include "job.h"
#include "log.h"
#include "run.h"
#include "spawn-thread.h"

/* The handles daemon_start() opened: all or none (a refused config returns
 * before the first), so the signals tell for all of them. */
static void
daemon_close_handles(struct daemon *d)
{
	if (!signals_close(&d->signals))
		return;
	looplag_stop(&d->looplag);
	cluster_free(d->cluster);
	d->cluster = NULL;
	alerts_close(&d->alerts);
	probe_ctx_close(&d->probes);
	notify_close(&d->notify);
	manager_close(&d->manager);
	prune_close(&d->prune);
	heap_close(&d->heap);
	run_ctx_close(&d->runs);
	spawn_thread_stop();
}

/* The last step of shutdown: nothing runs any more. */
void
daemon_maybe_finish(struct daemon *d)
{
	struct job *j;

	/* A sendmail or exec probe spawn on its way holds the spawn
	 * threads. */
	if (!d->runs.stopping || d->units.nruns_open > 0 ||
	    alerts_busy(&d->alerts) || probe_ctx_busy(&d->probes))
		return;
	/* The runs' last rows are queued: give the lease back after them. */
	if (d->cluster && !d->cluster_left) {
		d->cluster_left = true;
		cluster_leave(d->cluster);
	}
	if (d->cluster && !cluster_idle(d->cluster))
		return;
	if (!record_idle(&d->record)) {
		/* Write what is queued and close; called again when done. */
		record_close(&d->record);
		if (!record_idle(&d->record))
			return;
	}
	sync_close(&d->sync);
	if (!d->signals.open)
		return;
	log_info("all runs stopped; exiting");
	bus_close(&d->bus);
	logs_hub_close(&d->logs);
	/* Service timers are handles: close them while the loop runs. */
	TAILQ_FOREACH(j, &d->units.jobs, entry) {
		service_free(j->service);
		j->service = NULL;
	}
	d->control = control_free(d->control);
	daemon_close_handles(d);
}

void
daemon_shutdown(struct daemon *d)
{
	struct job *j;
	struct run *r, *tmp;

	if (d->runs.stopping)
		return;
	d->runs.stopping = true;
	manager_stopping(&d->manager);
	sched_stop(&d->sched);
	alert_policy_stop(&d->alert_policy);
	hooks_stop(&d->hooks);
	watch_stop(&d->watches);
	alerts_stop(&d->alerts);
	control_stop_listening(d->control);
	/* Job runs stop at once; services in reverse dependency order. */
	TAILQ_FOREACH(j, &d->units.jobs, entry)
		TAILQ_FOREACH_SAFE(r, &j->runs, entry, tmp)
			if (!j->service || r != j->service->run)
				run_event(r, RUN_EV_SHUTDOWN);
	services_stop_all(&d->units);
	deps_changed(&d->deps);
	daemon_maybe_finish(d);
}
