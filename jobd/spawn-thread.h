/* Threads with their own small descriptor table, for spawning.  A spawn
 * costs the kernel one step per descriptor of the spawning task: the
 * table is copied at clone and every close-on-exec entry closed at exec.
 * jobd holds three per running service (two pipes and a pidfd), so from
 * the loop thread the n-th spawn cost O(n).  And a spawn blocks its
 * thread until the child's exec (vfork): on the loop thread that was most
 * of start-up.  Here two threads spawn while the loop goes on. */
#ifndef JOBD_SPAWN_THREAD_H
#define JOBD_SPAWN_THREAD_H

#include <stdbool.h>
#include <sys/queue.h>

#include <uv.h>

#define SPAWN_THREAD_MAX_FDS 66

/* What runs on a spawn thread: fds are the caller's, received into the
 * thread's table (-1 stays -1).  Returns a pid or -errno. */
typedef int (*spawn_thread_fn)(void *ctx, const int *fds, int n);

struct spawn_req {
	spawn_thread_fn fn;
	void *ctx;
	/* On the loop thread, with fn's result. */
	void (*done)(struct spawn_req *, int result);
	/* Optional: as soon as the answer is read (maybe inside a submit),
	 * to free what only the call used; must not call into jobd. */
	void (*answered)(struct spawn_req *);
	int result;
	TAILQ_ENTRY(spawn_req) entry;	/* answered, not yet told */
};

/* Starts the threads once, answering on loop; false when they could not
 * be (no threads, or unshare(CLONE_FILES) refused, as under seccomp
 * filters that deny it): callers spawn themselves. */
bool spawn_thread_start(uv_loop_t *);
/* Hands req to a spawn thread; the caller may close its fds at return,
 * and req must live until done (never called from here).  When
 * SPAWN_IN_FLIGHT calls are out, waits for one to be answered first: the
 * loop runs ahead of the spawns by that many at most, so what it builds
 * for each (the environment) is freed in the order it was made.  Runs
 * never get here while it is full (spawn_thread_full: they wait in the
 * spawn queue, spawn-queue.h); the rare other spawns (sendmail,
 * condition checks) may.  -ENOSYS: no threads, nothing done. */
int spawn_thread_submit(struct spawn_req *, const int *fds, int n);
/* Whether a submit now would wait for an answer (SPAWN_IN_FLIGHT calls
 * out); false without threads.  spawn-queue.c queues rather than wait. */
bool spawn_thread_full(void);
/* Spawns submitted and not answered yet. */
unsigned spawn_thread_in_flight(void);
/* Closes the loop's handle; nothing may be in flight. */
void spawn_thread_stop(void);

#endif
