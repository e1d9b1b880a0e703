/* The lines of a run no longer in memory (jobd restarted, or the job's
 * history in memory moved past it), for Logs and Tail. */
#ifndef JOBD_LOGS_PAST_H
#define JOBD_LOGS_PAST_H

#include <stddef.h>
#include <stdint.h>

struct method_ctx;
struct tail;

/* r: 0 with the run's lines; -ENOENT: the job has no run on record;
 * -ESRCH: no such run (or a run of another job than the one named).  job
 * is the run's, run its id (0 with -ENOENT); lines are valid during the
 * call only. */
typedef void (*logs_past_fn)(void *ctx, int r, const char *job,
    uint64_t run, const struct tail *lines);

/* Reads run (job's latest when run < 0, then job must not be NULL) from
 * the ledger, then its last `lines` lines (0: as many as output_tail=
 * holds) from the journal, else from the tail the ledger kept.  done is
 * called once, later, on the loop. */
void logs_past_fetch(struct method_ctx *, const char *job, int64_t run,
    size_t lines, logs_past_fn done, void *ctx);

#endif
