/* Failure handling after a run: retries with exponential backoff, and the
 * on_failure= / on_success= jobs (with notify_on=change, only when the
 * result changed). */
#ifndef JOBD_HOOKS_H
#define JOBD_HOOKS_H

#include <stdbool.h>

struct daemon;
struct job;
struct run;

/* Decides what follows a finished run.  Returns true when a retry was
 * scheduled (the run's hooks wait for the last attempt). */
bool hooks_run_finished(struct job *, struct run *);
/* Cancels pending retries (shutdown). */
void hooks_stop(struct daemon *);

#endif
