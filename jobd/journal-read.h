/* Reading a finished run's output back from the journal (sd_journal),
 * by its JOBD_JOB and JOBD_RUN fields.  Blocking: executor only. */
#ifndef JOBD_JOURNAL_READ_H
#define JOBD_JOURNAL_READ_H

#include <stddef.h>
#include <stdint.h>

#include "tail.h"

/* Fills t with the run's last lines (at most lines of them, 0: as many as
 * t holds), reading newest first: a run that wrote millions of lines
 * costs only the entries kept.  Only entries jobd itself wrote count.
 * Returns the number of lines kept, or -errno when the journal cannot be
 * read. */
int journal_read_run(const char *job, uint64_t run, size_t lines,
    struct tail *t);

#endif
