/* Reading a finished run's output back from the journal (sd_journal),
 * by its JOBD_JOB and JOBD_RUN fields.  Blocking: executor only. */
#ifndef JOBD_JOURNAL_READ_H
#define JOBD_JOURNAL_READ_H

#include <stddef.h>
#include <stdint.h>

#include "tail.h"

/* Appends the run's lines, oldest first, to t (bounded by t itself).
 * Returns the number of lines found, or -errno when the journal cannot
 * be read. */
int journal_read_run(const char *job, uint64_t run, struct tail *t);

#endif
