/* probe=exec:CMD: `sh -c CMD` spawned through jobd's own path (proc.c:
 * posix_spawn on a spawn thread, waiting its turn in the spawn queue, the
 * exit seen through a pidfd), as the service's user= and group= (through
 * jobd-exec) in its working directory with its environment= and
 * JOBD_JOB.  Exit 0 passes; the detail is the exit and the first line of
 * what it wrote.  Its output is read as it comes, the first
 * EXEC_OUTPUT_MAX bytes kept and the rest dropped, so a chatty check never
 * blocks on a full pipe.  A cancel (the deadline, the service gone) kills
 * its process group; the check frees itself once that is reaped. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec-context.h"
#include "probe-internal.h"
#include "proc.h"
#include "signame.h"
#include "spawn-queue.h"
#include "strv.h"
#include "xmalloc.h"

#define EXEC_OUTPUT_MAX 512

struct exec_check {
	struct proc proc;
	uv_poll_t poll;			/* on out */
	struct spawn_wait wait;
	struct run_exec exec;
	struct probe_ctx *ctx;
	struct probe *probe;		/* NULL once cancelled */
	int out;			/* its stdout and stderr: read end */
	char buf[EXEC_OUTPUT_MAX + 1];
	size_t len;
	bool spawning, exited, closing;
	unsigned open;			/* handles not closed yet */
};

static void
exec_free(struct exec_check *c)
{
	strv_free(c->exec.argv);
	strv_free(c->exec.env);
	free(c->exec.cwd);
	free(c);
}

static void
exec_close_cb(uv_handle_t *h)
{
	struct exec_check *c = h->data;

	if (--c->open == 0)
		exec_free(c);
}

static void
exec_close(struct exec_check *c)
{
	if (c->closing)
		return;
	c->closing = true;
	if (c->out >= 0) {
		uv_close((uv_handle_t *)&c->poll, exec_close_cb);
		close(c->out);
		c->out = -1;
	}
	proc_close(&c->proc, exec_close_cb);
	if (c->open == 0)
		exec_free(c);
}

/* Reads what is there: the first bytes kept, the rest dropped. */
static void
exec_read(struct exec_check *c)
{
	char scratch[4096];
	ssize_t n;

	while (c->out >= 0) {
		n = read(c->out, scratch, sizeof(scratch));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				uv_poll_stop(&c->poll);
			return;
		}
		if (c->len < EXEC_OUTPUT_MAX) {
			size_t keep = (size_t)n < EXEC_OUTPUT_MAX - c->len ?
			    (size_t)n : EXEC_OUTPUT_MAX - c->len;

			memcpy(c->buf + c->len, scratch, keep);
			c->len += keep;
			c->buf[c->len] = '\0';
		}
	}
}

static void
exec_poll_cb(uv_poll_t *h, int status, int events)
{
	(void)status;
	(void)events;
	exec_read(h->data);
}

/* "exit status 1: the first line", "killed by SIGSEGV". */
static char *
exec_detail(struct exec_check *c, int64_t status, int sig)
{
	size_t n = strcspn(c->buf, "\r\n");
	size_t i;

	c->buf[n] = '\0';
	for (i = 0; i < n; i++)
		if ((unsigned char)c->buf[i] < 0x20 || c->buf[i] == 0x7f)
			c->buf[i] = ' ';
	if (sig)
		return xstrfmt("killed by %s%s%s", signal_to_string(sig),
		    n ? ": " : "", c->buf);
	return xstrfmt("exit status %lld%s%s", (long long)status,
	    n ? ": " : "", c->buf);
}

static void
exec_exit_cb(struct proc *pr, int64_t status, int sig)
{
	struct exec_check *c = container_of(pr, struct exec_check, proc);

	c->exited = true;
	exec_read(c);
	if (c->probe)
		probe_check_done(c->probe, !sig && status == 0,
		    exec_detail(c, status, sig));
	exec_close(c);
}

static void
exec_kill(struct exec_check *c)
{
	/* A new session: its pid is its process group's. */
	if (!c->exited && c->proc.pid > 0)
		kill(-c->proc.pid, SIGKILL);
}

static void
exec_spawned_cb(struct proc *pr, int err)
{
	struct exec_check *c = container_of(pr, struct exec_check, proc);

	c->spawning = false;
	if (--c->ctx->spawning == 0 && c->ctx->idle)
		c->ctx->idle(c->ctx->owner);
	if (err < 0) {
		if (c->probe)
			probe_check_done(c->probe, false, xstrfmt("cannot "
			    "run '%s': %s", c->exec.argv[0], strerror(-err)));
		exec_close(c);
		return;
	}
	c->open++;			/* the proc's watch */
	if (!c->probe)
		exec_kill(c);
}

/* Its turn came (now, or in the spawn queue's order). */
static void
exec_spawn(struct exec_check *c)
{
	int p[2], fds[3];

	if (pipe2(p, O_CLOEXEC) < 0) {
		if (c->probe)
			probe_check_done(c->probe, false, xstrfmt("cannot "
			    "make a pipe: %s", strerror(errno)));
		exec_close(c);
		return;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	c->out = p[0];
	uv_poll_init(c->ctx->loop, &c->poll, c->out);
	c->poll.data = c;
	c->open++;
	uv_poll_start(&c->poll, UV_READABLE, exec_poll_cb);
	fds[0] = -1;
	fds[1] = fds[2] = p[1];
	c->proc.data = c;
	c->spawning = true;
	c->ctx->spawning++;
	/* The answer may come before this returns. */
	proc_spawn(&c->proc, c->ctx->loop, &c->exec, fds, 3, exec_spawned_cb,
	    exec_exit_cb);
	close(p[1]);
}

static void
exec_go(struct spawn_wait *w)
{
	exec_spawn(container_of(w, struct exec_check, wait));
}

/* sh -c CMD, through jobd-exec when it runs as another user. */
static char **
exec_argv(const struct probe *p)
{
	char **v = NULL;

	if (p->user || p->group) {
		v = strv_append(v, p->ctx->exec_helper);
		if (p->user)
			v = strv_append(strv_append(v, "--user"), p->user);
		if (p->group)
			v = strv_append(strv_append(v, "--group"), p->group);
		v = strv_append(strv_append(v, "--chdir"), p->cwd ? p->cwd :
		    "/");
		v = strv_append(v, "--");
	}
	v = strv_append(strv_append(v, "/bin/sh"), "-c");
	return strv_append(v, p->spec.target);
}

/* The service's environment=, then PATH and JOBD_JOB unless it set
 * them (the first of two same names is the one a program sees). */
static char **
exec_env(const struct probe *p)
{
	char **v = strv_copy(p->env);
	size_t i;
	bool path = false;

	for (i = 0; v && v[i]; i++)
		if (!strncmp(v[i], "PATH=", 5))
			path = true;
	if (!path)
		v = strv_append(v, "PATH=" SPAWN_DEFAULT_PATH);
	return strv_push(v, xstrfmt("JOBD_JOB=%s", p->name));
}

static void *
exec_check_start(struct probe *p, char **why)
{
	struct exec_check *c = xcalloc(1, sizeof(*c));

	(void)why;
	c->ctx = p->ctx;
	c->probe = p;
	c->out = -1;
	c->exec.argv = exec_argv(p);
	c->exec.env = exec_env(p);
	if (!p->user && !p->group && p->cwd)
		c->exec.cwd = xstrdup(p->cwd);
	c->wait.go = exec_go;
	if (!c->ctx->spawnq || !spawn_queue_wait(c->ctx->spawnq, &c->wait))
		exec_spawn(c);
	return c;
}

static void
exec_check_cancel(void *check)
{
	struct exec_check *c = check;

	c->probe = NULL;
	if (c->wait.queued) {
		spawn_queue_cancel(c->ctx->spawnq, &c->wait);
		exec_close(c);
	} else if (!c->spawning) {
		exec_kill(c);
	}
}

const struct probe_ops probe_exec_ops = {
	.start = exec_check_start,
	.cancel = exec_check_cancel,
};
