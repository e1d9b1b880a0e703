/* Health probes: a service's check (probe=exec:CMD, http:URL or
 * tcp:HOST:PORT) run again and again while its process lives, each
 * result handed to the owner.  What a result means (ready, a restart) is
 * the service's to decide (service.c); a probe only checks, bounds each
 * check by probe_timeout= and says how it went.  Nothing blocks the loop:
 * HTTP goes through libcurl's multi interface (http-client.c), TCP is a
 * uv_tcp_t connect to a numeric address, a command is spawned on a spawn
 * thread (proc.c) and killed with its process group at the timeout. */
#ifndef JOBD_PROBE_H
#define JOBD_PROBE_H

#include <stdbool.h>

#include <uv.h>

#include "http-client.h"
#include "timeutil.h"

struct job_config;
struct probe;
struct spawn_queue;

/* What every probe shares; its owner (daemon.c) keeps it. */
struct probe_ctx {
	uv_loop_t *loop;
	struct spawn_queue *spawnq;	/* exec probes wait for a slot */
	const char *exec_helper;	/* jobd-exec, for user=/group= */
	struct http_client http;	/* opened at the first HTTP probe */
	bool http_open;
	bool closed;
	unsigned checks;		/* in flight */
	unsigned spawning;		/* exec checks on a spawn thread */
	/* The last spawn answered once closing (shutdown waits for it:
	 * the spawn threads stop after). */
	void (*idle)(void *owner);
	void *owner;
};

/* One check's end.  detail: what it said ("HTTP 200", "exit status 1:
 * the first line of its output", "connection refused", "timed out after
 * 5s"), at most PROBE_DETAIL_MAX bytes.  in_start_period: it ended within
 * probe_start_period= of the probe's start. */
struct probe_result {
	bool ok;
	bool in_start_period;
	const char *detail;
	usec_t at;			/* realtime */
	usec_t duration;
};

#define PROBE_DETAIL_MAX 200

typedef void (*probe_result_fn)(void *owner, const struct probe_result *);

void probe_ctx_init(struct probe_ctx *, uv_loop_t *, struct spawn_queue *,
    const char *exec_helper);
/* Whether an exec check's spawn is still on a spawn thread. */
bool probe_ctx_busy(const struct probe_ctx *);
/* Closes the HTTP client; every probe must be stopped. */
void probe_ctx_close(struct probe_ctx *);

/* Starts probing as jc's probe= says (copied): the first check at once,
 * then every second until one passes, then every probe_interval=.  NULL
 * when jc has no probe. */
struct probe *probe_start(struct probe_ctx *, const struct job_config *jc,
    probe_result_fn, void *owner);
/* No more results; a check in flight is stopped (a command killed), and
 * the memory goes once the handles are closed. */
void probe_stop(struct probe *);

#endif
