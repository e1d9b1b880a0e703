/* What a service's exit means (service-restart.c): pure computations on
 * the service's settings, its run and its recent starts, which the state
 * machine (service.c) acts on. */
#ifndef JOBD_SERVICE_RESTART_H
#define JOBD_SERVICE_RESTART_H

#include <stdbool.h>

#include "timeutil.h"

struct job_service;
struct run;

/* The last start_limit_burst start times (monotonic), a ring. */
struct service_starts {
	usec_t *at;
	unsigned n;			/* starts counted (the next slot) */
	unsigned cap;
};

/* Whether status (exit code, or 128+N) counts as a clean exit. */
bool service_exit_clean(const struct job_service *, int status,
    bool signalled);
/* Whether restart= asks for a new process after this exit. */
bool service_should_restart(const struct job_service *, const struct run *,
    bool abnormal);
/* Counts a start at now; a new start_limit_burst starts over. */
void service_starts_note(struct service_starts *, unsigned burst,
    usec_t now);
/* Whether start_limit_burst starts fell within start_limit_interval. */
bool service_starts_limit_hit(const struct service_starts *,
    const struct job_service *, usec_t now);
/* The delay before restart number failures (1, 2, ...). */
usec_t service_backoff(const struct job_service *, unsigned failures);
char *service_start_limit_reason(const struct job_service *,
    const char *last);
/* Why a start attempt ended before the service was ready, or NULL. */
char *service_attempt_reason(const struct run *);

#endif
