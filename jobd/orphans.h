/* Processes left behind by runs of a daemon that died (kill -9, crash):
 * found by the JOBD_INSTANCE= and JOBD_RUN= their environment carries,
 * and stopped. */
#ifndef JOBD_ORPHANS_H
#define JOBD_ORPHANS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "timeutil.h"

#define ORPHANS_NAME_MAX 64	/* longer JOBD_JOB=/JOBD_TRIGGER= are cut */

/* Which processes are orphans: those of this instance whose run id is
 * one of lost (sorted), or lies in (above, upto]: ids handed out but not
 * on record yet. */
struct orphans_match {
	const char *instance;
	const uint64_t *lost;
	size_t nlost;
	uint64_t above, upto;
};

/* A run in (above, upto] seen in /proc: what its first process (the
 * earliest started) says about it. */
struct orphans_run {
	uint64_t id;
	char job[ORPHANS_NAME_MAX + 1];
	char trigger[ORPHANS_NAME_MAX + 1];
	uid_t uid;		/* the process's owner */
	pid_t pid;
	usec_t started;		/* realtime; 0 if not known */
};

/* Blocking (reads /proc): call on the executor.  Sends SIGKILL to every
 * matching process and returns how many; *ret gets one entry per run of
 * (above, upto] it saw (ordered by id; free()). */
size_t orphans_kill(const struct orphans_match *, struct orphans_run **ret,
    size_t *ret_n);

#endif
