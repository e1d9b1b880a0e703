/* The daemon's lifecycle on one libuv loop: load the config, listen, handle
 * SIGHUP (reload, read on the executor and swapped in only when valid) and
 * SIGTERM/SIGINT (stop accepting work, cancel every run, wait for them,
 * close every handle so that uv_loop_close() succeeds). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"
#include "control.h"
#include "daemon.h"
#include "job.h"
#include "log.h"
#include "paths.h"
#include "prune.h"
#include "reload.h"
#include "signame.h"
#include "sockpath.h"
#include "spawn-run.h"
#include "spawn-thread.h"
#include "strv.h"
#include "xmalloc.h"

static void daemon_maybe_finish(struct daemon *);

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


/* The sd_notify socket for services, beside the control socket, in the
 * runtime directory made (with its parents) before either. */
static void
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
		log_error_errno(r, "cannot create the runtime directory of '%s': "
		    "%m", path);
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

static int
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
	reload_apply(&d->reload, c, NULL);
	return 0;
}

/* The schedule state of every periodic job is known: start the clock. */
static void
daemon_states_cb(void *ctx, struct ledger_job_state *states, size_t n)
{
	struct daemon *d = ctx;
	struct job *j;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!states[i].job || !(j = units_find(&d->units, states[i].job)))
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

static void
daemon_ledger_ready(void *owner, int r)
{
	struct daemon *d = owner;

	if (d->runs.stopping)
		return;
	daemon_sched_start(d);
	if (r == 0)
		prune_start(&d->prune);
	executor_submit(&d->executor, daemon_access_work, daemon_access_done,
	    d);
}

/* The owner's side of the callbacks the modules were given: each only
 * passes the news on to the module that acts on it. */
static void
daemon_admit(void *ctx, struct run *r)
{
	sync_admit(&((struct daemon *)ctx)->sync, r);
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
}


static void
daemon_closed_cb(struct run_subscriber *sub, struct run *r)
{
	(void)r;
	daemon_maybe_finish(container_of(sub, struct daemon, sub));
}

static void
daemon_record_idle(void *ctx)
{
	daemon_maybe_finish(ctx);
}

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
		.owner = d,
	};

	executor_init(&d->executor, d->loop);
	units_init(&d->units);
	daemon_wire_runs(d);
	sync_init(&d->sync, &d->runs, &sync_ops);
	deps_init(&d->deps, &d->units, &d->sync, &d->runs);
	sched_init(&d->sched, &d->runs, &d->units, &d->record, d->started);
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
	};
	d->signals = (struct signals){
		.reload = daemon_sighup, .shutdown = daemon_sigterm, .owner = d,
	};
	escape_init(&d->escape, &d->executor, daemon_instance,
	    daemon_escaped, d);
	manager_init(&d->manager, d->loop, &d->units, &d->record);
	d->methods = (struct method_ctx){
		.runs = &d->runs, .units = &d->units, .record = &d->record,
		.sync = &d->sync, .bus = &d->bus, .sched = &d->sched,
		.looplag = &d->looplag, .heap = &d->heap,
		.started = d->started, .reload = daemon_reload_cb, .owner = d,
	};
}

/* Who hears of a run's news, in the order of consequences: the ledger
 * first, then the job's history, admission, hooks, the scheduler, path
 * triggers, dependencies, the event stream, and shutdown last. */
static void
daemon_subscribe(struct daemon *d)
{
	struct run_hub *hub = &d->runs.hub;

	record_subscribe(&d->record, hub);
	job_subscribe(&d->runs);
	sync_subscribe(&d->sync, hub);
	hooks_init(&d->hooks, &d->units, &d->runs, hub);
	sched_subscribe(&d->sched, hub);
	watch_init(&d->watches, &d->units, &d->runs, hub);
	deps_subscribe(&d->deps, hub);
	bus_init(&d->bus, hub);
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
	daemon_notify_open(d);
	d->runs.notify_socket = d->notify.fd >= 0 ? d->notify.path : NULL;
	prune_init(&d->prune, loop, &d->record, &d->runs);
	/* Listen only once the ledger says which run id comes next. */
	record_open(&d->record, &d->runs, d->state_dir,
	    d->reload.config->ledger_sync_full, daemon_ledger_ready,
	    daemon_record_idle, d);
	daemon_subscribe(d);
	return 0;
}

static void
daemon_close_signals(struct daemon *d)
{
	if (!signals_close(&d->signals))
		return;
	looplag_stop(&d->looplag);
	notify_close(&d->notify);
	manager_close(&d->manager);
	prune_close(&d->prune);
	heap_close(&d->heap);
	spawn_thread_stop();
}

/* The last step of shutdown: nothing runs any more. */
static void
daemon_maybe_finish(struct daemon *d)
{
	struct job *j;

	if (!d->runs.stopping || d->units.nruns_open > 0)
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
	/* Service timers are handles: close them while the loop runs. */
	TAILQ_FOREACH(j, &d->units.jobs, entry) {
		service_free(j->service);
		j->service = NULL;
	}
	d->control = control_free(d->control);
	daemon_close_signals(d);
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
	hooks_stop(&d->hooks);
	watch_stop(&d->watches);
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

int
daemon_run(struct daemon *d)
{
	uv_run(d->loop, UV_RUN_DEFAULT);
	units_free(&d->units);
	record_free(&d->record);
	sync_free(&d->sync);
	reload_free(&d->reload);
	free(d->config_path);
	free(d->exec_helper);
	spawn_identity_free();
	cgroup_done(&d->cgroup);
	free(d->socket_path);
	free(d->state_dir);
	return d->exit_code;
}
