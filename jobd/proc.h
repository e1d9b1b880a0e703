/* A child process: started with posix_spawn (vfork speed, no copy of
 * jobd's page tables) in a new session, its exit seen through a pidfd
 * watched by the loop (no SIGCHLD, no waitpid over every child). */
#ifndef JOBD_PROC_H
#define JOBD_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

struct run_exec;
struct proc;

typedef void (*proc_exit_cb)(struct proc *, int64_t status, int sig);
/* err: 0 (the child runs, p->pid is set) or -errno (no child). */
typedef void (*proc_spawned_cb)(struct proc *, int err);

struct proc {
	union {
		uv_poll_t poll;		/* on the pidfd */
		uv_timer_t timer;	/* without pidfds: reap by polling */
	};
	bool polling;			/* timer in use instead of poll */
	int pidfd;
	pid_t pid;
	bool open;			/* poll initialised, not closed */
	proc_exit_cb exit_cb;
	void *data;
	/* Resource usage at exit (wait4): the child and the descendants
	 * it waited for. */
	uint64_t user_usec, system_usec, maxrss_kb;
};

#define PROC_MAX_FDS 66		/* ready=fd:64, then the helper's --env-fd */

/* Spawns e->argv with e->env, which it takes (NULL afterwards; freed
 * once the child has it), and fds[i] as the child's fd i (i < n; -1:
 * /dev/null for 0-2, closed otherwise).  The caller may close fds at
 * return; e must live until spawned_cb, which comes later on the loop
 * when a spawn thread does the work, else before this returns. */
void proc_spawn(struct proc *, uv_loop_t *, struct run_exec *,
    const int *fds, int n, proc_spawned_cb, proc_exit_cb);
/* Closes the watch; close_cb gets the poll handle (data: proc->data). */
void proc_close(struct proc *, uv_close_cb);

#endif
