/* jobd's start, step by step: the config read (a refused one stops jobd
 * before any handle opens) and the paths it leaves open defaulted; the
 * notify socket; once the ledger is open, what the last daemon left (last
 * verdicts, alert states, set events), the jobs' schedule states and the
 * scheduler, retention, the names in the config resolved off the loop,
 * and only then the control socket, services and path watches. */
#include <errno.h>
#include <string.h>

#include "access.h"
#include "cgroup-limits.h"
#include "control.h"
#include "daemon.h"
#include "job.h"
#include "log.h"
#include "paths.h"
#include "sockpath.h"
#include "spawn-thread.h"
#include "strv.h"
#include "xmalloc.h"

static void
daemon_run_slot(void *owner, struct job *j, int trigger, usec_t slot)
{
	struct daemon *d = owner;

	if (!d->runs.stopping)
		job_trigger_slot(j, trigger, slot);
}

static struct run *
daemon_run_queued(void *owner, struct job *j)
{
	struct daemon *d = owner;

	return d->runs.stopping ? NULL : job_trigger(j, TRIGGER_MANUAL);
}

static void
daemon_cluster_admit(void *owner, struct run *r)
{
	struct daemon *d = owner;

	sync_admit(&d->sync, r);
}

static void
daemon_cluster_idle(void *owner)
{
	daemon_maybe_finish(owner);
}

/* [cluster]: the scheduler's slots are claimed in the shared database
 * first (read at start only, as socket= is). */
static int
daemon_cluster_new(struct daemon *d, const struct config *c)
{
	const struct cluster_ops ops = {
		.run_slot = daemon_run_slot, .idle = daemon_cluster_idle,
		.admit = daemon_cluster_admit,
		.run_queued = daemon_run_queued,
		.owner = d,
	};
	_cleanup_free_ char *cause = NULL;

	if (!c->cluster.database)
		return 0;
	d->cluster = cluster_new(&d->runs, &d->units, &c->cluster,
	    c->units_hash, &ops, &cause);
	if (!d->cluster) {
		log_error("[cluster]: %s; not starting", cause);
		return 2;
	}
	d->reload.cluster = d->cluster;
	d->sched.claim = cluster_claim;
	d->sched.claim_owner = d->cluster;
	d->methods.cluster = d->cluster;
	return 0;
}

int
daemon_load_initial(struct daemon *d, const struct daemon_options *o)
{
	char **errors = NULL;
	struct config *c;
	int r, i;

	r = config_load(o->config_path, &c, &errors);
	if (r < 0) {
		for (i = 0; errors && errors[i]; i++)
			log_error("%s", errors[i]);
		log_error("configuration '%s' is invalid; not starting",
		    o->config_path);
		strv_free(errors);
		return 2;
	}
	d->config_path = xstrdup(o->config_path);
	d->socket_path = o->socket_path ? xstrdup(o->socket_path) :
	    c->socket_path ? xstrdup(c->socket_path) : paths_default_socket();
	d->state_dir = o->state_dir ? xstrdup(o->state_dir) :
	    c->state_dir ? xstrdup(c->state_dir) : paths_default_state_dir();
	d->exec_helper = paths_exec_helper();
	cgroup_init(&d->cgroup, c->cgroups);
	if (d->cgroup.enabled)
		log_info("per-run cgroups under '%s'", d->cgroup.base);
	else
		log_debug("no per-run cgroups: %s", d->cgroup.why);
	/* Limits jobd cannot apply: refused, as any other error is. */
	if (cgroup_limits_refuse(c, &d->cgroup, &errors) > 0) {
		for (i = 0; errors[i]; i++)
			log_error("%s", errors[i]);
		log_error("configuration '%s' is invalid; not starting",
		    o->config_path);
		strv_free(errors);
		config_free(c);
		return 2;
	}
	reload_apply(&d->reload, c, NULL);
	return daemon_cluster_new(d, c);
}

/* The sd_notify socket for services, beside the control socket, in the
 * runtime directory made (with its parents) before either. */
void
daemon_notify_open(struct daemon *d)
{
	_cleanup_free_ char *dir = xstrdup(d->socket_path), *path = NULL;
	char *slash = strrchr(dir, '/');
	int r;

	if (slash)
		*slash = '\0';
	path = xstrfmt("%s/notify", slash ? dir : ".");
	d->notify.fd = -1;
	if ((r = sockpath_make_dir(path)) < 0)
		log_error_errno(r, "cannot create the runtime directory of "
		    "'%s': %m", path);
	r = notify_open(&d->notify, d->loop, path, service_notify,
	    &d->services);
	if (r == -EADDRINUSE)
		log_error("another process is listening on the notify socket "
		    "'%s'; not replacing it: services with ready=notify or "
		    "watchdog_sec= will fail to start", path);
	else if (r < 0)
		log_error_errno(r, "cannot open the notify socket '%s': %m; "
		    "services with ready=notify or watchdog_sec= will fail to "
		    "start", path);
}

/* The schedule state of every periodic job is known: start the clock. */
static void
daemon_states_cb(void *ctx, struct ledger_job_state *states, size_t n)
{
	struct daemon *d = ctx;
	struct job *j;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!states[i].job ||
		    !(j = units_find(&d->units, states[i].job)))
			continue;
		j->sched.last_slot = states[i].last_slot;
		j->sched.paused_until = states[i].paused_until;
		j->sched.skips_pending = states[i].skips_pending;
	}
	if (!d->runs.stopping)
		sched_start(&d->sched);
}

static void
daemon_sched_start(struct daemon *d)
{
	const struct job_config *jc;
	char **names = NULL;

	d->sched.boot_first = d->record.boot_first;
	TAILQ_FOREACH(jc, &d->reload.config->jobs, entry)
		if (job_config_is_periodic(jc))
			names = strv_append(names, jc->name);
	record_load_states(&d->record, names, daemon_states_cb, d);
}

/* Names in the config (groups, allow_start users) resolved off the
 * loop; then the control socket opens. */
static void
daemon_access_work(void *data)
{
	struct daemon *d = data;

	/* The loop does not read these fields until the socket listens. */
	access_resolve(d->reload.config);
}

static void
daemon_access_done(void *data, int status)
{
	struct daemon *d = data;
	const struct config *c = d->reload.config;
	size_t nsvc;

	(void)status;
	if (d->runs.stopping)
		return;
	if (control_start(&d->methods, method_table, method_table_size,
	    d->socket_path, &d->control) < 0) {
		d->exit_code = 1;
		daemon_shutdown(d);
		return;
	}
	nsvc = units_nservices(&d->units);
	log_info("jobd started: %zu job%s, %zu service%s, control socket "
	    "'%s'", c->njobs - nsvc, c->njobs - nsvc == 1 ? "" : "s", nsvc,
	    nsvc == 1 ? "" : "s", d->socket_path);
	d->deps.started = true;
	services_start_all(&d->units);
	watch_apply(&d->watches);
	manager_ready(&d->manager);
	/* The config parse leaves holes in the heap; spawns still on their
	 * way trim when the last is answered (run.c). */
	if (spawn_thread_in_flight() == 0)
		heap_trim_soon(&d->heap);
}

/* The rest of the start, once what the last daemon left is known. */
static void
daemon_restored(struct daemon *d)
{
	if (d->runs.stopping)
		return;
	daemon_sched_start(d);
	if (d->record.ledger) {
		prune_start(&d->prune);
		alerts_load_counts(&d->alerts);
	}
	executor_submit(&d->executor, daemon_access_work, daemon_access_done,
	    d);
}

/* What the last daemon left that this one goes on with, read from the
 * ledger once it is open and before anything can run (the scheduler, the
 * control socket and services start after): each job's last verdict
 * (notify_on=change compares with it) and last success, the alert
 * states (change-only alerts, overdue), and the events that were set
 * (set again silently: jobs with on_event= do not run for them).  A
 * ledger that could not be opened gives nothing; jobd starts anyway. */
static void
daemon_events_cb(void *ctx, int r, const struct ledger_event *v, size_t n)
{
	struct daemon *d = ctx;
	size_t i;

	if (r < 0 && r != -ENOTCONN)
		log_warning("ledger: cannot read the set events; they start "
		    "clear");
	for (i = 0; i < n; i++)
		if (v[i].name)
			sync_event_restore(&d->sync, v[i].name);
	if (n > 0)
		log_info("%zu event%s set before the restart, set again", n,
		    n == 1 ? "" : "s");
	alert_policy_start(&d->alert_policy);
	daemon_restored(d);
}

static void
daemon_alert_states_cb(void *ctx, int r, const struct ledger_alert_state *v,
    size_t n)
{
	struct daemon *d = ctx;

	if (r < 0 && r != -ENOTCONN)
		log_warning("ledger: cannot read the alert states; alerts "
		    "start over");
	alert_policy_load_states(&d->alert_policy, v, n);
	if (d->runs.stopping)
		return;
	record_load_events(&d->record, daemon_events_cb, d);
}

static void
daemon_stats_cb(void *ctx, int r, const struct ledger_job_stats *v,
    size_t n)
{
	struct daemon *d = ctx;

	if (r < 0 && r != -ENOTCONN)
		log_warning("ledger: cannot read the jobs' last results; "
		    "notify_on=change and alerts start over");
	hooks_load_results(&d->hooks, v, n);
	alert_policy_load_stats(&d->alert_policy, v, n);
	if (d->runs.stopping)
		return;
	record_load_alert_states(&d->record, daemon_alert_states_cb, d);
}

static void
daemon_restore(struct daemon *d)
{
	record_load_stats(&d->record, daemon_stats_cb, d);
}

void
daemon_ledger_ready(void *owner, int r)
{
	struct daemon *d = owner;

	(void)r;
	if (d->runs.stopping)
		return;
	/* Before any run can start: the figures the ledger holds, to which
	 * the runs from now on are added; then alert states, last verdicts
	 * and events. */
	figures_load(&d->figures, &d->record);
	daemon_restore(d);
}
