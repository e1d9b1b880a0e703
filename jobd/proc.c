/* Spawning and reaping without fork (libuv 1.44's uv_spawn forks the
 * whole daemon and waitpids every child at each SIGCHLD): posix_spawn,
 * on a spawn thread (spawn-thread.h) when there is one, and a pidfd per
 * child that tells exactly which one exited.  The child gets only the fds
 * given here: every descriptor jobd opens is close-on-exec. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "proc.h"
#include "exec-context.h"
#include "spawn-thread.h"
#include "strv.h"
#include "xmalloc.h"

_Static_assert(PROC_MAX_FDS <= SPAWN_THREAD_MAX_FDS, "spawn thread fds");

/* Above any fd number a child is given (ready=fd:N goes up to 64, the
 * helper's environment one above). */
#define PROC_FD_FLOOR 100

/* Reaps the child if it has exited, with its resource usage (its own and
 * that of the descendants it waited for): wait4 on its own pid, which
 * takes nothing from anyone else. */
static bool
proc_reap(struct proc *p)
{
	struct rusage ru;
	int status;
	pid_t r;

	r = wait4(p->pid, &status, WNOHANG, &ru);
	if (r <= 0)
		return false;
	p->user_usec = (uint64_t)ru.ru_utime.tv_sec * 1000000 +
	    ru.ru_utime.tv_usec;
	p->system_usec = (uint64_t)ru.ru_stime.tv_sec * 1000000 +
	    ru.ru_stime.tv_usec;
	p->maxrss_kb = (uint64_t)ru.ru_maxrss;
	if (WIFEXITED(status))
		p->exit_cb(p, WEXITSTATUS(status), 0);
	else
		p->exit_cb(p, 0, WTERMSIG(status));
	return true;
}

/* Without pidfd_open (kernels before 5.3, valgrind): a timer reaps this
 * one pid. */
static void
proc_timer_cb(uv_timer_t *t)
{
	struct proc *p = container_of(t, struct proc, timer);

	if (proc_reap(p))
		uv_timer_stop(t);
}

/* The pidfd became readable: the child has exited. */
static void
proc_poll_cb(uv_poll_t *h, int status, int events)
{
	struct proc *p = container_of(h, struct proc, poll);

	(void)status;
	(void)events;
	uv_poll_stop(h);
	if (!proc_reap(p))
		uv_poll_start(h, UV_READABLE, proc_poll_cb);
}

/* Moves the fds out of the range the child's fds are mapped to, so that
 * no dup2 below overwrites a source not yet used. */
static int
proc_lift(const int *fds, int n, int *lifted)
{
	int i;

	for (i = 0; i < n; i++) {
		lifted[i] = -1;
		if (fds[i] < 0)
			continue;
		lifted[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, PROC_FD_FLOOR);
		if (lifted[i] < 0)
			return -errno;
	}
	return 0;
}

static int
proc_actions(posix_spawn_file_actions_t *fa, const struct run_exec *e,
    const int *lifted, int n)
{
	int i, r = 0;

	for (i = 0; i < n && r == 0; i++) {
		if (lifted[i] >= 0)
			r = posix_spawn_file_actions_adddup2(fa, lifted[i], i);
		else if (i <= 2)
			r = posix_spawn_file_actions_addopen(fa, i,
			    "/dev/null", O_RDWR, 0);
	}
	if (r == 0 && e->cwd)
		r = posix_spawn_file_actions_addchdir_np(fa, e->cwd);
	return -r;
}

static int
proc_attr(posix_spawnattr_t *at)
{
	sigset_t all, none;

	/* A new session (so a stop reaches the whole group), default
	 * signal dispositions (jobd ignores SIGPIPE), nothing blocked. */
	sigfillset(&all);
	sigemptyset(&none);
	return -(posix_spawnattr_setflags(at, POSIX_SPAWN_SETSID |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK) ||
	    posix_spawnattr_setsigdefault(at, &all) ||
	    posix_spawnattr_setsigmask(at, &none));
}

/* A spawn on its way, from proc_spawn to its answer. */
struct proc_spawning {
	struct spawn_req req;		/* first: the answer's pointer */
	struct proc *proc;
	uv_loop_t *loop;
	proc_spawned_cb cb;
	const struct run_exec *exec;	/* argv, cwd */
	char **env;			/* the spawn's own */
};

/* The spawn itself, on a spawn thread (or the caller's): returns the
 * pid or -errno. */
static int
proc_spawn_fds(void *ctx, const int *fds, int n)
{
	const struct proc_spawning *s = ctx;
	const struct run_exec *e = s->exec;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int lifted[PROC_MAX_FDS], r, i;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	r = proc_lift(fds, n, lifted);
	if (r == 0)
		r = proc_actions(&fa, e, lifted, n);
	if (r == 0)
		r = proc_attr(&at);
	if (r == 0)
		r = -posix_spawnp(&pid, e->argv[0], &fa, &at, e->argv, s->env);
	for (i = 0; i < n; i++)
		if (lifted[i] >= 0)
			close(lifted[i]);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return r < 0 ? r : pid;
}

/* The child has its copy of the environment: free it before anything
 * else is allocated (a long-running service need not keep it, and the
 * next spawn's fills its place instead of leaving holes in the heap). */
static void
proc_answered(struct spawn_req *req)
{
	struct proc_spawning *s = (struct proc_spawning *)req;

	s->env = strv_free(s->env);
}

/* The answer: watch the child, then tell the caller. */
static void
proc_spawned(struct spawn_req *req, int result)
{
	struct proc_spawning *s = (struct proc_spawning *)req;
	struct proc *p = s->proc;
	proc_spawned_cb cb = s->cb;
	uv_loop_t *loop = s->loop;

	proc_answered(req);
	free(s);
	if (result < 0) {
		cb(p, result);
		return;
	}
	p->pid = result;
	p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	if (p->pidfd < 0) {
		uv_timer_init(loop, &p->timer);
		p->timer.data = p->data ? p->data : p;
		p->polling = p->open = true;
		uv_timer_start(&p->timer, proc_timer_cb, 10, 20);
	} else {
		fcntl(p->pidfd, F_SETFD, FD_CLOEXEC);
		uv_poll_init(loop, &p->poll, p->pidfd);
		p->poll.data = p->data ? p->data : p;
		p->open = true;
		uv_poll_start(&p->poll, UV_READABLE, proc_poll_cb);
	}
	cb(p, 0);
}

void
proc_spawn(struct proc *p, uv_loop_t *loop, struct run_exec *e,
    const int *fds, int n, proc_spawned_cb spawned_cb, proc_exit_cb exit_cb)
{
	struct proc_spawning *s = xmalloc(sizeof(*s));
	int r;

	p->open = false;
	p->pidfd = -1;
	p->pid = 0;
	p->exit_cb = exit_cb;
	*s = (struct proc_spawning){
		.req = { .fn = proc_spawn_fds, .ctx = s, .done = proc_spawned,
		    .answered = proc_answered },
		.proc = p, .loop = loop, .cb = spawned_cb, .exec = e,
		.env = TAKE_PTR(e->env),
	};
	r = spawn_thread_submit(&s->req, fds, n);
	if (r == -ENOSYS)
		r = proc_spawn_fds(s, fds, n);
	else if (r == 0)
		return;			/* answered later */
	proc_spawned(&s->req, r);
}

void
proc_close(struct proc *p, uv_close_cb close_cb)
{
	if (!p->open)
		return;
	p->open = false;
	if (p->polling) {
		uv_close((uv_handle_t *)&p->timer, close_cb);
		return;
	}
	uv_close((uv_handle_t *)&p->poll, close_cb);
	close(p->pidfd);
	p->pidfd = -1;
}
