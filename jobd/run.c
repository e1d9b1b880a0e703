/* One run, end to end: resolve the exec context (on the executor), spawn
 * in a new process group, read its pipes, enforce its deadlines, and finish
 * only when the process has exited AND both pipes reached EOF, in either
 * order, with a drain deadline for grandchildren that keep a pipe open.
 * Callbacks record a fact and call run_event(); policy lives there.  What
 * a run's life means to the rest of jobd is published on the run hub. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "escape.h"
#include "executor.h"
#include "heap.h"
#include "log.h"
#include "logfile.h"
#include "run-ctx.h"
#include "run.h"
#include "exec-context.h"
#include "spawn-thread.h"
#include "strv.h"
#include "xmalloc.h"

const char *const run_state_name[RUN_NSTATES] = {
	[RUN_PENDING] = "pending",
	[RUN_RUNNING] = "running",
	[RUN_STOPPING] = "stopping",
	[RUN_KILLING] = "killing",
	[RUN_DRAINING] = "draining",
	[RUN_FINISHED] = "finished",
};

const char *const run_trigger_name[TRIGGER_NTRIGGERS] = {
	[TRIGGER_MANUAL] = "manual",
	[TRIGGER_SCHEDULE] = "schedule",
	[TRIGGER_CATCH_UP] = "catch-up",
	[TRIGGER_RETRY] = "retry",
	[TRIGGER_DEPENDENCY] = "dependency",
	[TRIGGER_EVENT] = "event",
	[TRIGGER_BOOT] = "boot",
	[TRIGGER_ALERT] = "alert",
};

const char *const run_result_name[RESULT_NRESULTS] = {
	[RESULT_NONE] = "none",
	[RESULT_SUCCESS] = "success",
	[RESULT_FAILED] = "failed",
	[RESULT_TIMEOUT] = "timeout",
	[RESULT_CANCELLED] = "cancelled",
	[RESULT_LOST] = "lost",
	[RESULT_SKIPPED] = "skipped",
	[RESULT_OOM] = "oom",
};

static const char *const run_event_name[RUN_NEVENTS] = {
	[RUN_EV_READY] = "ready",
	[RUN_EV_EXITED] = "exited",
	[RUN_EV_OUTPUT_EOF] = "output-eof",
	[RUN_EV_TIMEOUT] = "timeout",
	[RUN_EV_CANCEL] = "cancel",
	[RUN_EV_SHUTDOWN] = "shutdown",
};

#define log_run(r, level, ...) \
	log_full(level, (r)->name, (r)->id, __VA_ARGS__)

static uv_loop_t *
run_loop(const struct run *r)
{
	return r->ctx->loop;
}

/* The deadline each state allows; 0 means none. */
static usec_t
run_state_deadline(const struct run *r, enum run_state s)
{
	switch (s) {
	case RUN_RUNNING:
		return r->exec->timeout;
	case RUN_STOPPING:
		return r->exec->stop_timeout;
	case RUN_DRAINING:
		return r->exec->drain_timeout;
	default:
		return 0;
	}
}

static void run_timer_cb(uv_timer_t *);
static void run_close_cb(uv_handle_t *);
static void run_ready_close_cb(uv_handle_t *);

static void
run_set_state(struct run *r, enum run_state s)
{
	usec_t deadline;

	if (r->state == s)
		return;
	log_run(r, LOG_DEBUG, "run %llu: %s -> %s", (unsigned long long)r->id,
	    run_state_name[r->state], run_state_name[s]);
	uv_timer_stop(&r->timer);
	r->state = s;
	deadline = run_state_deadline(r, s);
	if (deadline > 0 && deadline != USEC_INFINITY)
		uv_timer_start(&r->timer, run_timer_cb,
		    (deadline + USEC_PER_MSEC - 1) / USEC_PER_MSEC, 0);
}

/* What left the process group (setsid, another group of the session)
 * gets the signal too, found by a /proc scan on the executor. */
static void
run_kill_escaped(struct run *r, int sig)
{
	struct escape_target t = { .run = r->id, .sid = r->pid, .sig = sig };

	if (r->pid <= 0)
		return;
	output_pipe_inodes(&r->output, t.pipes);
	escape_request(r->ctx->escape, &t);
}

/* Signals the run's whole process group (its pgid is its pid). */
static void
run_kill(struct run *r, int sig)
{
	/* The cgroup also reaches processes that left the process group. */
	if (r->cgroup)
		cgroup_signal(r->cgroup, sig);
	if (r->pid <= 0)
		return;
	if (kill(-r->pid, sig) < 0 && errno != ESRCH)
		log_run(r, LOG_WARNING, "run %llu: kill(-%d, %s): %s",
		    (unsigned long long)r->id, r->pid, strsignal(sig),
		    strerror(errno));
}

static enum run_result
run_compute_result(const struct run *r)
{
	if (r->result != RESULT_NONE)
		return r->result;
	if (r->forced_failure)
		return RESULT_FAILED;
	if (r->timed_out)
		return RESULT_TIMEOUT;
	if (r->cancelled)
		return RESULT_CANCELLED;
	if (r->exited && r->signal == 0 && r->exit_code == 0)
		return RESULT_SUCCESS;
	return RESULT_FAILED;
}

/* jobd-exec could not apply the exec context: it said why on stderr
 * ("jobd-exec: exec: no such group 'x'") and exited 127; that is the
 * run's reason, not the command's own exit. */
static void
run_helper_reason(struct run *r)
{
	static const char prefix[] = "jobd-exec: ";
	const struct tail_line *l;

	if (!r->exec->helper || !r->exited || r->signal ||
	    r->exit_code != 127 || r->reason)
		return;
	TAILQ_FOREACH_REVERSE(l, &r->tail.lines, tail_lines, entry) {
		if (l->stream != TAIL_STDERR)
			continue;
		if (l->len > sizeof(prefix) - 1 &&
		    !memcmp(l->data, prefix, sizeof(prefix) - 1))
			r->reason = xstrndup(l->data + sizeof(prefix) - 1,
			    l->len - (sizeof(prefix) - 1));
		return;
	}
}

static void
run_close_handles(struct run *r)
{
	r->closing = true;
	/* Counted as they are closed; the last close callback ends it. */
	r->open_handles += output_close(&r->output, run_close_cb);
	if (r->ready_pipe) {
		r->open_handles++;
		uv_close((uv_handle_t *)TAKE_PTR(r->ready_pipe),
		    run_ready_close_cb);
	}
	r->open_handles++;
	uv_close((uv_handle_t *)&r->timer, run_close_cb);
	if (r->proc.open) {
		r->open_handles++;
		proc_close(&r->proc, run_close_cb);
	}
}

static void
run_enter_finished(struct run *r)
{
	struct run_observer *o, *tmp;
	char buf[TIMESPAN_MAX];

	/* A spawn on its way uses r->exec: nothing finishes the run then. */
	assert(!r->spawning);
	spawn_queue_cancel(&r->ctx->spawnq, &r->spawn_wait);
	run_helper_reason(r);
	/* The cgroup's figures first: its OOM kills decide the result. */
	if (r->cgroup)
		cgroup_run_finish(r->cgroup, &r->usage);
	r->result = run_compute_result(r);
	run_limits_verdict(r);
	r->ended = now_realtime();
	run_set_state(r, RUN_FINISHED);
	run_close_handles(r);
	if (r->signal)
		log_run(r, LOG_INFO, "job '%s' run %llu finished: %s "
		    "(signal %s) after %s", r->name,
		    (unsigned long long)r->id, run_result_name[r->result],
		    strsignal(r->signal), timespan_format(buf, sizeof(buf),
		    r->started ? r->ended - r->started : 0));
	else if (r->exited)
		log_run(r, LOG_INFO, "job '%s' run %llu finished: %s "
		    "(exit %d) after %s", r->name,
		    (unsigned long long)r->id, run_result_name[r->result],
		    r->exit_code, timespan_format(buf, sizeof(buf),
		    r->started ? r->ended - r->started : 0));
	else
		log_run(r, LOG_INFO, "job '%s' run %llu finished: %s "
		    "without running%s%s", r->name,
		    (unsigned long long)r->id, run_result_name[r->result],
		    r->reason ? ": " : "", r->reason ? r->reason : "");
	run_hub_publish(&r->ctx->hub, RUN_NEWS_FINISHED, r);
	TAILQ_FOREACH_SAFE(o, &r->observers, entry, tmp) {
		TAILQ_REMOVE(&r->observers, o, entry);
		o->run = NULL;
		o->done_cb(o, r);
	}
}

static void
run_enter_stopping(struct run *r)
{
	int sig = r->kill_signal ? r->kill_signal : r->exec->stop_signal;

	run_set_state(r, RUN_STOPPING);
	run_kill(r, sig);
	/* A stopped process would never see the signal. */
	run_kill(r, SIGCONT);
	run_kill_escaped(r, sig);
}

static void
run_enter_killing(struct run *r)
{
	run_set_state(r, RUN_KILLING);
	run_kill(r, SIGKILL);
	run_kill_escaped(r, SIGKILL);
}

static void
run_enter_draining(struct run *r)
{
	bool service_gone = r->is_service && !r->cancelled;

	/* A service's process ended by itself: what it left behind would
	 * only stand in the way of the next one (systemd stops the rest of a
	 * service's cgroup the same way). */
	if (service_gone) {
		run_kill(r, SIGKILL);
		run_kill_escaped(r, SIGKILL);
	}
	if (output_done(&r->output)) {
		run_enter_finished(r);
		return;
	}
	/* Whatever is left of the process group holds the pipes: ask it to
	 * go, and stop waiting for it at the drain deadline. */
	run_set_state(r, RUN_DRAINING);
	if (!service_gone) {
		run_kill(r, r->exec->stop_signal);
		run_kill_escaped(r, r->exec->stop_signal);
	}
}

static void
run_exit_cb(struct proc *p, int64_t status, int sig)
{
	struct run *r = container_of(p, struct run, proc);

	r->exited = true;
	r->exit_code = (int)status;
	r->signal = sig;
	/* Without a cgroup, wait4's usage is the best there is (with one,
	 * the cgroup's figures replace these at the end). */
	r->usage.user = p->user_usec;
	r->usage.system = p->system_usec;
	r->usage.peak_kb = p->maxrss_kb;
	run_event(r, RUN_EV_EXITED);
}

static void
run_timer_cb(uv_timer_t *t)
{
	run_event(t->data, RUN_EV_TIMEOUT);
}

static void
run_ready_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	static char b[256];

	(void)h;
	(void)hint;
	*buf = uv_buf_init(b, sizeof(b));
}

/* ready=fd:N, the s6 convention: a newline on fd N means ready. */
static void
run_ready_read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct run *r = s->data;
	struct run_observer *o, *tmp;

	if (n == 0)
		return;
	uv_read_stop(s);
	if (n < 0 || !memchr(buf->base, '\n', n)) {
		if (n > 0)
			uv_read_start(s, run_ready_alloc_cb, run_ready_read_cb);
		return;
	}
	TAILQ_FOREACH_SAFE(o, &r->observers, entry, tmp)
		if (o->ready_cb)
			o->ready_cb(o, r);
}

/* Adds the readiness pipe at fd N; fds between 3 and N stay closed.
 * Returns how many child fds there are, or -errno. */
static int
run_ready_stdio(struct run *r, int *fds)
{
	int fd = r->exec->ready_fd, i, p[2], err;

	if (fd <= 0)
		return 3;
	for (i = 3; i < fd; i++)
		fds[i] = -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	r->ready_pipe = xmalloc(sizeof(*r->ready_pipe));
	uv_pipe_init(run_loop(r), r->ready_pipe, 0);
	r->ready_pipe->data = r;
	if ((err = uv_pipe_open(r->ready_pipe, p[0])) < 0) {
		close(p[0]);
		close(p[1]);
		return err;
	}
	fds[fd] = p[1];
	return fd + 1;
}

static void
run_spawn_failed(struct run *r, int err)
{
	r->result = RESULT_FAILED;
	xasprintf(&r->reason, "exec: '%s': %s", r->exec->argv[0],
	    strerror(-err));
	run_enter_finished(r);
}

/* The spawn's answer: the run runs, or failed to start.  A cancel that
 * came meanwhile (a pending run cannot stop a spawn) stops it now. */
static void
run_spawned_cb(struct proc *p, int err)
{
	struct run *r = p->data;
	struct run_observer *o, *tmp;

	r->spawning = false;
	/* The spawn's request and the child's environment are freed: at
	 * the end of a burst of spawns, hand the holes back. */
	if (spawn_thread_in_flight() == 0)
		heap_trim_soon(r->ctx->heap);
	if (err < 0) {
		run_spawn_failed(r, err);
		return;
	}
	r->pid = r->proc.pid;
	log_run(r, LOG_INFO, "job '%s' run %llu started (%s), pid %d",
	    r->name, (unsigned long long)r->id,
	    run_trigger_name[r->trigger], r->pid);
	run_set_state(r, RUN_RUNNING);
	run_hub_publish(&r->ctx->hub, RUN_NEWS_STARTED, r);
	output_start(&r->output);
	TAILQ_FOREACH_SAFE(o, &r->observers, entry, tmp)
		if (o->started_cb)
			o->started_cb(o, r);
	if (r->ready_pipe)
		uv_read_start((uv_stream_t *)r->ready_pipe,
		    run_ready_alloc_cb, run_ready_read_cb);
	if (r->cancelled && r->state == RUN_RUNNING)
		run_event(r, RUN_EV_CANCEL);
}

/* A line of the run's output (output.c): kept in its tail, then news. */
static void
run_line_cb(void *ctx, int stream, usec_t usec, const char *data,
    size_t len)
{
	struct run *r = ctx;
	const struct tail_line *l;
	struct run_observer *o, *tmp;

	l = tail_append(&r->tail, stream, usec, data, len);
	run_hub_publish_output(&r->ctx->hub, r, l);
	TAILQ_FOREACH_SAFE(o, &r->observers, entry, tmp)
		if (o->line_cb)
			o->line_cb(o, l);
}

static void
run_eof_cb(void *ctx)
{
	run_event(ctx, RUN_EV_OUTPUT_EOF);
}

static int
run_output_init(struct run *r, int fds[3])
{
	const struct run_exec *e = r->exec;
	struct logfile_opts lo = {
		.path = e->output_file,
		.max_size = e->output_file_max,
		.keep = e->output_file_keep,
		.max_age = e->output_file_max_age,
		.compress = e->output_file_compress,
		.gen = r->ctx->logfile_gen,
		/* Whom the run's files may belong to: the user it runs as
		 * (resolved before the spawn). */
		.uid = e->set_uid ? e->uid : geteuid(),
		.gid = e->set_gid ? e->gid : getegid(),
	};
	struct output_opts o = {
		.loop = run_loop(r),
		.executor = r->ctx->executor,
		.mode = e->output,
		.file = e->output == OUTPUT_FILE && e->output_file ? &lo :
		    NULL,
		.echo = r->ctx->foreground,
		.name = r->name,
		.run = r->id,
		.line_cb = run_line_cb,
		.eof_cb = run_eof_cb,
		.ctx = r,
	};

	return output_init(&r->output, &o, fds);
}

static void
run_spawn_now(struct run *r)
{
	int fds[PROC_MAX_FDS], err, n = 3, i;

	for (i = 0; i < PROC_MAX_FDS; i++)
		fds[i] = -1;
	r->started = now_realtime();
	r->started_mono = now_monotonic();
	r->proc.data = r;
	err = run_output_init(r, fds);
	if (err == 0 && (n = run_ready_stdio(r, fds)) < 0)
		err = n;
	if (err == 0 && (n = spawn_exec_fds(r->exec, fds, n)) < 0)
		err = n;
	if (err == 0) {
		r->spawning = true;
		proc_spawn(&r->proc, run_loop(r), r->exec, fds, MAX(n, 3),
		    run_spawned_cb, run_exit_cb);
	}
	/* The child has (or will have) its copies; ours would keep the
	 * pipes open. */
	for (i = 0; i < PROC_MAX_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (err < 0)
		run_spawn_failed(r, err);
}

static void
run_spawn_go(struct spawn_wait *w)
{
	run_spawn_now(container_of(w, struct run, spawn_wait));
}

/* Spawns now, or once a spawn thread is free: the loop never waits for
 * them, and a run that waits holds no pipe yet. */
static void
run_spawn(struct run *r)
{
	struct spawn_queue *q = &r->ctx->spawnq;

	if (!q->loop)
		spawn_queue_init(q, r->ctx->loop);
	r->spawn_wait.go = run_spawn_go;
	if (!spawn_queue_wait(q, &r->spawn_wait))
		run_spawn_now(r);
}

static void
run_event_pending(struct run *r, enum run_event ev)
{
	switch (ev) {
	case RUN_EV_READY:
		if (r->cancelled || r->result != RESULT_NONE)
			run_enter_finished(r);
		else
			run_spawn(r);
		break;
	case RUN_EV_CANCEL:
	case RUN_EV_SHUTDOWN:
		r->cancelled = true;
		/* Waiting for admission: it ends now (admission hears of it
		 * and lets it go).  Otherwise the exec context is being
		 * resolved (READY will come and finish the run without
		 * spawning it), or the spawn is on its way (the run stops
		 * once it runs). */
		if (!r->resolving && !r->spawning)
			run_enter_finished(r);
		break;
	case RUN_EV_TIMEOUT:
		if (r->resolving || r->spawning)
			break;
		r->result = RESULT_SKIPPED;
		xasprintf(&r->reason, "waited longer than pending_timeout=%s "
		    "for %s", timespan_format((char[TIMESPAN_MAX]){ 0 },
		    TIMESPAN_MAX, r->pending_timeout),
		    r->waiting_for ? r->waiting_for : "admission");
		run_enter_finished(r);
		break;
	default:
		break;
	}
}

/* The state x event table; an event a state does not expect is ignored. */
void
run_event(struct run *r, enum run_event ev)
{
	log_run(r, LOG_DEBUG, "run %llu: event %s in state %s",
	    (unsigned long long)r->id, run_event_name[ev],
	    run_state_name[r->state]);
	switch (r->state) {
	case RUN_PENDING:
		run_event_pending(r, ev);
		break;
	case RUN_RUNNING:
		if (ev == RUN_EV_EXITED) {
			run_enter_draining(r);
		} else if (ev == RUN_EV_TIMEOUT) {
			r->timed_out = true;
			log_run(r, LOG_NOTICE, "job '%s' run %llu: timeout, "
			    "stopping it", r->name,
			    (unsigned long long)r->id);
			run_enter_stopping(r);
		} else if (ev == RUN_EV_CANCEL || ev == RUN_EV_SHUTDOWN) {
			r->cancelled = true;
			run_enter_stopping(r);
		}
		break;
	case RUN_STOPPING:
		if (ev == RUN_EV_EXITED)
			run_enter_draining(r);
		else if (ev == RUN_EV_TIMEOUT || ev == RUN_EV_CANCEL)
			/* stop_timeout passed, or cancelled twice. */
			run_enter_killing(r);
		break;
	case RUN_KILLING:
		if (ev == RUN_EV_EXITED)
			run_enter_draining(r);
		break;
	case RUN_DRAINING:
		if (ev == RUN_EV_TIMEOUT) {
			log_run(r, LOG_NOTICE, "job '%s' run %llu: output still "
			    "open after the process exited; closing it",
			    r->name, (unsigned long long)r->id);
			run_kill(r, SIGKILL);
			run_kill_escaped(r, SIGKILL);
			run_enter_finished(r);
		} else if (ev == RUN_EV_OUTPUT_EOF || ev == RUN_EV_CANCEL ||
		    ev == RUN_EV_SHUTDOWN) {
			run_enter_finished(r);
		}
		break;
	default:
		break;
	}
}

struct run *
run_new(struct run_ctx *ctx, struct job *job, const char *name,
    const struct job_config *jc, enum run_trigger trigger, uint64_t id,
    const struct run_opts *opts)
{
	struct run *r = xcalloc(1, sizeof(*r));
	char *cg = cgroup_run_create(ctx->cgroup, id);
	struct spawn_ids ids = {
		.job = name,
		.run = id,
		.trigger = run_trigger_name[trigger],
		.scheduled = opts->slot,
		.notify_socket = ctx->notify_socket,
		.exec_helper = ctx->exec_helper,
		.cgroup = cg,
		.stdin_data = opts->stdin_data,
		.extra_env = opts->env,
	};

	r->id = id;
	r->job = job;
	r->name = name;
	r->ctx = ctx;
	r->is_service = jc->service;
	r->pending_timeout = jc->policy.pending_timeout;
	r->trigger = trigger;
	r->scheduled = opts->slot;
	r->cgroup = cg;
	if (jc->limits.set)
		run_limits_setup(r, &jc->limits);
	r->retry_of = opts->retry_of;
	r->attempt = opts->attempt;
	r->is_hook = opts->is_hook;
	if (opts->chain)
		r->chain = run_chain_dup(opts->chain);
	r->state = RUN_PENDING;
	r->queued = now_realtime();
	tail_init(&r->tail, ctx->config->tail_size);
	TAILQ_INIT(&r->observers);
	r->exec = spawn_exec_new(jc, &(struct spawn_settings){
	    .pass_environment = ctx->config->pass_environment,
	    .drain_timeout = ctx->config->drain_timeout,
	    .state_dir = ctx->state_dir,
	    .instance_env = ctx->instance_env(ctx->owner) }, &ids);
	uv_timer_init(ctx->loop, &r->timer);
	r->timer.data = r;
	return r;
}

static void
run_resolve_work(void *data)
{
	struct run *r = data;
	char *cause = NULL;
	int err;

	/* Worker thread: touches only r->exec and r->reason, which the loop
	 * leaves alone while the run is pending. */
	err = spawn_resolve(r->exec, &cause);
	if (err < 0) {
		/* A false condition skips the run; anything else fails it. */
		r->result = err == -ECANCELED ? RESULT_SKIPPED : RESULT_FAILED;
		r->reason = cause;
	}
}

static void
run_resolve_done(void *data, int status)
{
	struct run *r = data;

	(void)status;
	r->resolving = false;
	run_event(r, RUN_EV_READY);
}

void
run_wait_admission(struct run *r, usec_t t)
{
	if (r->state == RUN_PENDING && t && t != USEC_INFINITY)
		uv_timer_start(&r->timer, run_timer_cb,
		    (t + USEC_PER_MSEC - 1) / USEC_PER_MSEC, 0);
}

void
run_admitted(struct run *r)
{
	uv_timer_stop(&r->timer);
	if (spawn_needs_resolve(r->exec)) {
		r->resolving = true;
		executor_submit(r->ctx->executor, run_resolve_work,
		    run_resolve_done, r);
	} else {
		run_event(r, RUN_EV_READY);
	}
}

static void
run_handle_closed(struct run *r)
{
	assert(r->open_handles > 0);
	if (--r->open_handles == 0)
		run_hub_publish(&r->ctx->hub, RUN_NEWS_CLOSED, r);
}

static void
run_close_cb(uv_handle_t *h)
{
	run_handle_closed(h->data);
}

static void
run_ready_close_cb(uv_handle_t *h)
{
	struct run *r = h->data;

	free(h);
	run_handle_closed(r);
}

void
run_observe(struct run *r, struct run_observer *o)
{
	o->run = r;
	TAILQ_INSERT_TAIL(&r->observers, o, entry);
}

void
run_unobserve(struct run_observer *o)
{
	if (!o->run)
		return;
	TAILQ_REMOVE(&o->run->observers, o, entry);
	o->run = NULL;
}


void
run_skip(struct run *r, const char *reason)
{
	if (r->state != RUN_PENDING)
		return;
	uv_timer_stop(&r->timer);
	r->result = RESULT_SKIPPED;
	free(r->reason);
	r->reason = xstrdup(reason);
	run_enter_finished(r);
}

void
run_fail(struct run *r, const char *reason, int sig)
{
	r->forced_failure = true;
	free(r->reason);
	r->reason = xstrdup(reason);
	run_stop_with(r, sig);
}

void
run_stop_with(struct run *r, int sig)
{
	r->kill_signal = sig;
	run_event(r, RUN_EV_CANCEL);
}

bool
run_is_active(const struct run *r)
{
	return r->state != RUN_FINISHED;
}

int
run_exit_status(const struct run *r)
{
	if (!r->exited)
		return -1;
	return r->signal ? 128 + r->signal : r->exit_code;
}

bool
run_is_freeable(const struct run *r)
{
	return r->state == RUN_FINISHED && r->open_handles == 0;
}

void
run_free(struct run *r)
{
	assert(run_is_freeable(r));
	tail_done(&r->tail);
	spawn_exec_free(r->exec);
	free(r->reason);
	free(r->waiting_for);
	free(r->cgroup);
	strv_free(r->held_sems);
	run_chain_free(r->chain);
	free(r);
}

struct run_chain *
run_chain_dup(const struct run_chain *c)
{
	struct run_chain *d = xmalloc(sizeof(*d));

	*d = (struct run_chain){ .hook_of = c->hook_of,
	    .hook_of_job = xstrdup(c->hook_of_job), .first = c->first,
	    .first_job = xstrdup(c->first_job), .depth = c->depth };
	return d;
}

void
run_chain_free(struct run_chain *c)
{
	if (!c)
		return;
	free(c->hook_of_job);
	free(c->first_job);
	free(c);
}
