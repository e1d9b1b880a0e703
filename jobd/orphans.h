/* Processes left behind by runs of a daemon that died (kill -9, crash):
 * found by the JOBD_INSTANCE= and JOBD_RUN= their environment carries,
 * and stopped. */
#ifndef JOBD_ORPHANS_H
#define JOBD_ORPHANS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "timeutil.h"

#include "procfs.h"

#define ORPHANS_NAME_MAX PROCFS_NAME_MAX

/* A run seen in /proc: what its first process (the earliest started)
 * says about it. */
struct orphans_run {
	uint64_t id;
	char job[ORPHANS_NAME_MAX + 1];
	char trigger[ORPHANS_NAME_MAX + 1];
	uid_t uid;		/* the process's owner */
	pid_t pid;
	usec_t started;		/* realtime; 0 if not known */
};

/* Blocking (reads /proc): call on the executor.  Every run of instance
 * with a live process whose run id lies in (above, upto]; *ret is ordered
 * by id (free() it). */
size_t orphans_find(const char *instance, uint64_t above, uint64_t upto,
    struct orphans_run **ret);
/* Blocking.  Sends SIGKILL to every process of instance whose run id is
 * one of ids (sorted), scanning again while a pass finds more (a process
 * may fork meanwhile); returns how many processes it killed. */
size_t orphans_kill(const char *instance, const uint64_t *ids, size_t n);

/* A lost run as the ledger recorded it: its first process, whose session
 * every process of the run starts in. */
struct orphans_session {
	pid_t pid;
	usec_t started;			/* realtime */
};

/* How far /proc's start time (clock ticks since boot) and the recorded
 * one may differ for the same process. */
#define ORPHANS_START_SLACK (2 * USEC_PER_SEC)

/* Blocking.  SIGKILL to every process in the session of each lost run
 * whose leader is still the recorded process (or gone), found even when
 * it rewrote its environment; returns how many it killed.  Reorders v. */
size_t orphans_kill_sessions(struct orphans_session *v, size_t n);

#endif
