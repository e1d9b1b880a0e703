/* A thread with its own small descriptor table, for spawning.  A spawn
 * costs the kernel one step per descriptor of the spawning task: the
 * table is copied at clone and every close-on-exec entry closed at exec.
 * jobd holds three per running service (two pipes and a pidfd), so from
 * the loop thread the n-th spawn cost O(n) and starting 10,000 services
 * O(n^2).  From this thread it costs the same whatever jobd holds. */
#ifndef JOBD_SPAWN_THREAD_H
#define JOBD_SPAWN_THREAD_H

#include <stdbool.h>

#define SPAWN_THREAD_MAX_FDS 65

/* What runs on the thread: fds are the caller's, received into the
 * thread's table (-1 stays -1).  Returns a pid or -errno. */
typedef int (*spawn_thread_fn)(void *ctx, const int *fds, int n);

/* Starts the thread once; false when it could not be (then callers spawn
 * themselves).  Safe to call again. */
bool spawn_thread_start(void);
/* Runs fn on the thread and waits for it: the caller blocks as long as a
 * spawn from its own thread would (until the child's exec).  Returns
 * fn's result, or -errno when the thread could not be reached. */
int spawn_thread_call(spawn_thread_fn fn, void *ctx, const int *fds, int n);

#endif
