/* Where jobd's modules are created and wired: each gets what it uses (the
 * loop, the executor, the config in force, callbacks), and the adapters
 * here pass one module's news on to the next.  daemon_start() opens them
 * in order; the rest of the start is daemon-startup.c's, the stop
 * daemon-shutdown.c's. */
#include <string.h>

#include "daemon.h"
#include "job.h"
#include "log.h"
#include "signame.h"
#include "strv.h"
#include "exec-context.h"
#include "spawn-thread.h"

/* JOBD_INSTANCE's value, for the escape sweep. */
static const char *
daemon_instance(void *ctx)
{
	struct daemon *d = ctx;

	return record_instance_env(&d->record) + strlen("JOBD_INSTANCE=");
}

static const char *
daemon_instance_env(void *ctx)
{
	return record_instance_env(&((struct daemon *)ctx)->record);
}

static uint64_t
daemon_next_id(void *ctx)
{
	return record_next_run_id(&((struct daemon *)ctx)->record);
}

/* A process that had left its run's process group was signalled. */
static void
daemon_escaped(void *ctx, uint64_t run, int sig, pid_t pid,
    const char *comm)
{
	(void)ctx;
	log_full(LOG_NOTICE, NULL, run, "run %llu: %s to process %d (%s), "
	    "which had left the run's process group", (unsigned long long)run,
	    signal_to_string(sig), (int)pid, comm);
}

/* The owner's side of the callbacks the modules were given: each only
 * passes the news on to the module that acts on it. */
static void
daemon_admit(void *ctx, struct run *r)
{
	struct daemon *d = ctx;

	/* Cluster-wide locks first, then this node's admission. */
	if (d->cluster && !d->runs.stopping && cluster_admit(d->cluster, r))
		return;
	sync_admit(&d->sync, r);
}

static void
daemon_freeing(void *ctx, struct job *j)
{
	(void)ctx;
	service_free(j->service);
	j->service = NULL;
}

static const char *
daemon_waiting_for(void *ctx, const struct job_config *jc)
{
	return deps_waiting_for(&((struct daemon *)ctx)->deps, jc);
}

static const char *
daemon_required_down(void *ctx, const struct job_config *jc)
{
	return deps_required_down(&((struct daemon *)ctx)->deps, jc);
}

static void
daemon_pull(void *ctx, const struct job_config *jc)
{
	deps_pull(&((struct daemon *)ctx)->deps, jc);
}

static void
daemon_acquired(void *ctx, const struct run *r, char **locks, char **sems)
{
	bus_acquired(&((struct daemon *)ctx)->bus, r, locks, sems);
}

static void
daemon_released(void *ctx, const struct run *r, char **sems)
{
	bus_released(&((struct daemon *)ctx)->bus, r, sems);
}

static void
daemon_service_changed(void *ctx, struct service *s)
{
	struct daemon *d = ctx;

	bus_service_state(&d->bus, s);
	deps_service_changed(&d->deps, s);
	alert_policy_service_changed(&d->alert_policy, s);
}

/* The alert policy's news and needs: what it decided goes to the
 * delivery, its state is kept in the ledger, and it hears of more than
 * runs (events are kept too). */
static void
daemon_alert_send(void *ctx, const struct alert_event *e,
    char *const *alert_names)
{
	alerts_send(&((struct daemon *)ctx)->alerts, e, alert_names);
}

static void
daemon_alert_save(void *ctx, const struct ledger_alert_state *st)
{
	record_alert_state(&((struct daemon *)ctx)->record, st);
}

static void
daemon_event_changed(void *ctx, const char *name, bool set)
{
	record_event(&((struct daemon *)ctx)->record, name, set,
	    set ? now_realtime() : 0);
}

/* A slot recorded skipped without a run: the metrics count it, the
 * alerts may call it missed. */
static void
daemon_slot_skipped(void *ctx, struct job *j, uint64_t id, int trigger,
    usec_t slot, const char *reason, bool by_user)
{
	struct daemon *d = ctx;

	figures_skipped(&d->figures, j->name, id);
	alert_policy_slot_skipped(&d->alert_policy, j, id, trigger, slot,
	    reason, by_user);
}

static void
daemon_runs_lost(void *ctx, const struct ledger_lost *lost, size_t n)
{
	alert_policy_lost(&((struct daemon *)ctx)->alert_policy, lost, n);
}

/* The configuration in force, for the alerts' sends. */
static const struct config *
daemon_config(void *ctx)
{
	return ((struct daemon *)ctx)->reload.config;
}

/* A run closed, the ledger or the alerts went idle: a shutdown may end. */
static void
daemon_closed_cb(struct run_subscriber *sub, struct run *r)
{
	(void)r;
	daemon_maybe_finish(container_of(sub, struct daemon, sub));
}

static void
daemon_idle(void *ctx)
{
	daemon_maybe_finish(ctx);
}

/* SIGHUP, and SIGTERM or SIGINT. */
static void
daemon_sighup(void *ctx)
{
	struct daemon *d = ctx;

	reload_request(&d->reload, false, NULL, NULL);
}

static void
daemon_sigterm(void *ctx)
{
	daemon_shutdown(ctx);
}

/* Reload for the protocol layer (its Reload method). */
static void
daemon_reload_cb(void *owner, bool dry_run,
    void (*cb)(void *, int, char **, const struct reload_plan *), void *ctx)
{
	struct daemon *d = owner;

	reload_request(&d->reload, dry_run, cb, ctx);
}

/* What jobs and runs get; the paths are filled once the config is read. */
static void
daemon_wire_runs(struct daemon *d)
{
	run_ctx_init(&d->runs);
	d->runs.loop = d->loop;
	d->runs.executor = &d->executor;
	d->runs.units = &d->units;
	d->runs.heap = &d->heap;
	d->runs.escape = &d->escape;
	d->runs.cgroup = &d->cgroup;
	d->runs.logfile_gen = &d->signals.logfile_gen;
	d->runs.next_id = daemon_next_id;
	d->runs.instance_env = daemon_instance_env;
	d->runs.admit = daemon_admit;
	d->runs.freeing = daemon_freeing;
	d->runs.owner = d;
}

/* The modules, and the callbacks that tie them together. */
static void
daemon_wire(struct daemon *d)
{
	const struct sync_ops sync_ops = {
		.waiting_for = daemon_waiting_for,
		.required_down = daemon_required_down,
		.pull = daemon_pull,
		.acquired = daemon_acquired,
		.released = daemon_released,
		.event_changed = daemon_event_changed,
		.owner = d,
	};
	const struct alert_policy_ops alert_ops = {
		.send = daemon_alert_send, .save = daemon_alert_save,
		.owner = d,
	};

	executor_init(&d->executor, d->loop);
	units_init(&d->units);
	daemon_wire_runs(d);
	sync_init(&d->sync, &d->runs, &sync_ops);
	deps_init(&d->deps, &d->units, &d->sync, &d->runs);
	sched_init(&d->sched, &d->runs, &d->units, &d->record, d->started);
	d->sched.skipped = daemon_slot_skipped;
	d->sched.owner = d;
	figures_init(&d->figures);
	alert_policy_init(&d->alert_policy, &d->runs, &d->units, &alert_ops);
	d->services = (struct service_ctx){
		.notify = &d->notify, .units = &d->units,
		.changed = daemon_service_changed,
		.required_down = daemon_required_down,
		.waiting_for = daemon_waiting_for, .pull = daemon_pull,
		.owner = d,
	};
	d->reload = (struct reload){
		.executor = &d->executor, .heap = &d->heap,
		.manager = &d->manager, .runs = &d->runs, .units = &d->units,
		.services = &d->services, .deps = &d->deps,
		.watches = &d->watches, .sched = &d->sched,
		.alerts = &d->alert_policy,
	};
	d->signals = (struct signals){
		.reload = daemon_sighup, .shutdown = daemon_sigterm, .owner = d,
	};
	escape_init(&d->escape, &d->executor, daemon_instance,
	    daemon_escaped, d);
	manager_init(&d->manager, d->loop, &d->units, &d->record);
	d->methods = (struct method_ctx){
		.runs = &d->runs, .units = &d->units, .record = &d->record,
		.sync = &d->sync, .bus = &d->bus, .logs = &d->logs,
		.sched = &d->sched,
		.looplag = &d->looplag, .heap = &d->heap,
		.figures = &d->figures, .alerts = &d->alerts,
		.started = d->started, .reload = daemon_reload_cb, .owner = d,
	};
}

/* Who hears of a run's news, in the order of consequences: the ledger
 * first, then the job's history, the metrics' figures, admission, hooks,
 * alerts, the scheduler, path triggers, dependencies, the event stream,
 * the followers of output, and shutdown last. */
static void
daemon_subscribe(struct daemon *d)
{
	struct run_hub *hub = &d->runs.hub;

	record_subscribe(&d->record, hub);
	if (d->cluster)
		cluster_subscribe(d->cluster, hub);
	job_subscribe(&d->runs);
	figures_subscribe(&d->figures, hub);
	sync_subscribe(&d->sync, hub);
	hooks_init(&d->hooks, &d->units, &d->runs, &d->record, hub);
	alert_policy_subscribe(&d->alert_policy, hub);
	sched_subscribe(&d->sched, hub);
	watch_init(&d->watches, &d->units, &d->runs, hub);
	deps_subscribe(&d->deps, hub);
	bus_init(&d->bus, hub);
	logs_hub_init(&d->logs, hub);
	d->sub = (struct run_subscriber){ .closed = daemon_closed_cb };
	run_hub_subscribe(hub, &d->sub);
}

int
daemon_start(struct daemon *d, uv_loop_t *loop, const struct daemon_options *o)
{
	int r;

	*d = (struct daemon){ .loop = loop };
	d->started = now_realtime();
	daemon_wire(d);
	d->runs.foreground = o->foreground;
	if ((r = daemon_load_initial(d, o)) != 0)
		return r;
	d->runs.exec_helper = d->exec_helper;
	d->runs.state_dir = d->state_dir;
	d->methods.config_path = d->reload.config_path = d->config_path;
	d->methods.socket_path = d->socket_path;
	/* Runs without user= get jobd's own user's HOME, USER, ... */
	spawn_identity_init(&d->executor);
	/* Handles only once jobd will run: a refused config returns above
	 * with none open. */
	heap_init(&d->heap, loop, &d->executor);
	/* While jobd holds few descriptors: the thread copies them all. */
	spawn_thread_start(loop);
	signals_start(&d->signals, loop);
	looplag_start(&d->looplag, loop);
	if (d->cluster)
		cluster_start(d->cluster);
	alerts_init(&d->alerts, &(struct alerts_opts){
	    .loop = loop, .record = &d->record, .units = &d->units,
	    .config = daemon_config, .idle = daemon_idle, .owner = d });
	daemon_notify_open(d);
	d->runs.notify_socket = d->notify.fd >= 0 ? d->notify.path : NULL;
	prune_init(&d->prune, loop, &d->record, &d->runs);
	/* Listen only once the ledger says which run id comes next. */
	record_open(&d->record, &d->runs, d->state_dir,
	    d->reload.config->ledger_sync_full, daemon_ledger_ready,
	    daemon_idle, d);
	record_on_lost(&d->record, daemon_runs_lost);
	daemon_subscribe(d);
	return 0;
}

int
daemon_run(struct daemon *d)
{
	uv_run(d->loop, UV_RUN_DEFAULT);
	units_free(&d->units);
	record_free(&d->record);
	figures_free(&d->figures);
	sync_free(&d->sync);
	alert_policy_free(&d->alert_policy);
	reload_free(&d->reload);
	free(d->config_path);
	free(d->exec_helper);
	spawn_identity_free();
	cgroup_done(&d->cgroup);
	free(d->socket_path);
	free(d->state_dir);
	return d->exit_code;
}
