/* What a service's exit means, computed without touching its state:
 * whether the exit was clean, whether restart= asks for another process,
 * the backoff delay (exponential, +-10 % jitter), the start limit (a ring
 * of the last start_limit_burst starts), and the reasons they give.  The
 * state machine (service.c) acts on the answers. */
#include <signal.h>
#include <stdlib.h>

#include "service-restart.h"

#include "config.h"
#include "run.h"
#include "signame.h"
#include "xmalloc.h"

bool
service_exit_clean(const struct job_service *c, int status, bool signalled)
{
	size_t i;

	if (!signalled && status == 0)
		return true;
	for (i = 0; i < c->nsuccess; i++)
		if (c->success_exit_status[i] == status)
			return true;
	return false;
}

bool
service_should_restart(const struct job_service *c, const struct run *r,
    bool abnormal)
{
	bool signalled = r->exited && r->signal;
	bool clean = r->exited && !abnormal &&
	    service_exit_clean(c, run_exit_status(r), signalled);
	int sig = r->signal;

	switch (c->restart) {
	case RESTART_ALWAYS:
		return true;
	case RESTART_ON_FAILURE:
		return !clean;
	case RESTART_ON_ABNORMAL:
		/* Killed by an unclean signal, the watchdog or a timeout. */
		return abnormal || (signalled && sig != SIGTERM &&
		    sig != SIGINT && sig != SIGHUP && sig != SIGPIPE &&
		    !service_exit_clean(c, run_exit_status(r), true));
	default:
		return false;
	}
}

void
service_starts_note(struct service_starts *st, unsigned burst, usec_t now)
{
	if (burst && st->cap != burst) {
		/* A new limit (the first start, or a reload changed it). */
		st->at = xreallocarray(st->at, burst, sizeof(usec_t));
		st->cap = burst;
		st->n = 0;
	}
	if (st->cap)
		st->at[st->n++ % st->cap] = now;
}

/* The ring keeps exactly the last burst start times: the limit is hit
 * when the oldest of them is within start_limit_interval of now. */
bool
service_starts_limit_hit(const struct service_starts *st,
    const struct job_service *c, usec_t now)
{
	usec_t oldest;

	if (!c->start_limit_burst || st->cap != c->start_limit_burst ||
	    st->n < st->cap)
		return false;
	oldest = st->at[st->n % st->cap];
	return now - oldest <= c->start_limit_interval;
}

/* The jitter keeps many services that failed together from restarting
 * together. */
usec_t
service_backoff(const struct job_service *c, unsigned failures)
{
	usec_t d = c->restart_sec;
	unsigned i;

	for (i = 1; i < failures && d < c->restart_max_sec; i++)
		d *= 2;
	d = MIN(d, c->restart_max_sec);
	if (d >= 10)
		d = d - d / 10 + (usec_t)random() % (d / 5 + 1);
	return d;
}

/* The last attempt's cause (last, may be NULL) stays in the reason. */
char *
service_start_limit_reason(const struct job_service *c, const char *last)
{
	char buf[TIMESPAN_MAX];

	return xstrfmt("start limit hit: %u starts within %s%s%s",
	    c->start_limit_burst, timespan_format(buf, sizeof(buf),
	    c->start_limit_interval), last ? "; last: " : "",
	    last ? last : "");
}

/* The run's own reason (exec, user, conditions), the start timeout
 * already given (as the run's), or how the process ended; NULL: nothing
 * to say, the reason stays. */
char *
service_attempt_reason(const struct run *r)
{
	if (r->reason && (!r->exited || run_exit_status(r) == 127 ||
	    r->forced_failure))
		return xstrdup(r->reason);
	if (r->signal)
		return xstrfmt("killed by %s before it was ready",
		    signal_to_string(r->signal));
	if (r->exited)
		return xstrfmt("exited with status %d before it was ready",
		    r->exit_code);
	return NULL;
}
