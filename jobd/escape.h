/* A run's processes that left its process group: still in its session
 * (another process group), gone off with setsid() but carrying its
 * JOBD_RUN= and JOBD_INSTANCE=, or holding its output pipe.  kill(-pgid)
 * misses them; without a cgroup this is how a stop still reaches them.
 * The /proc scan runs on the executor, one at a time, every request that
 * came meanwhile served by the next scan. */
#ifndef JOBD_ESCAPE_H
#define JOBD_ESCAPE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct executor;

struct escape_target {
	uint64_t run;
	pid_t sid;			/* the run's first process */
	ino_t pipes[2];			/* its output pipes; 0: none */
	int sig;
};

/* A process found and signalled (on the loop, for the log). */
typedef void (*escape_report_fn)(void *ctx, uint64_t run, int sig,
    pid_t pid, const char *comm);

struct escape_req;

struct escape {
	struct executor *executor;
	const char *(*instance)(void *ctx);	/* JOBD_INSTANCE's value */
	escape_report_fn report;
	void *ctx;
	struct escape_req *pending;	/* for the next scan */
	bool busy;
};

void escape_init(struct escape *, struct executor *,
    const char *(*instance)(void *), escape_report_fn, void *ctx);
/* Signals t's escaped processes (and SIGCONT after a stop signal, as the
 * process group gets), soon. */
void escape_request(struct escape *, const struct escape_target *t);
/* Whether a scan is out (shutdown waits for it). */
bool escape_busy(const struct escape *);

#endif
