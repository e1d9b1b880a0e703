/* Processes left behind by runs of a daemon that died (kill -9, crash):
 * found by the JOBD_RUN= their environment carries, and stopped. */
#ifndef JOBD_ORPHANS_H
#define JOBD_ORPHANS_H

#include <stddef.h>
#include <stdint.h>

/* Blocking (reads /proc): call on the executor.  Sends SIGKILL to every
 * process whose environment has JOBD_RUN=<id> for one of ids, and counts
 * them per run in ret_killed[i] (same order as ids).  Returns the total. */
size_t orphans_kill(const uint64_t *ids, size_t n, unsigned *ret_killed);

#endif
