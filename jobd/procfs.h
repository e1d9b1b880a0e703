/* What /proc says about a process: its session, process group and start
 * time (stat), the jobd variables of its environment, whether it holds a
 * given pipe.  Blocking only in the sense of many small reads: procfs is
 * no disk, but a scan of every process belongs on the executor. */
#ifndef JOBD_PROCFS_H
#define JOBD_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "timeutil.h"

#define PROCFS_NAME_MAX 64	/* longer JOBD_JOB=/JOBD_TRIGGER= are cut */

struct procfs_stat {
	pid_t pid, ppid, pgrp, sid;
	char state;			/* R S D Z ... */
	char comm[17];			/* control characters made '?' */
	usec_t started;			/* realtime; 0 if not known */
};

/* The jobd variables of a process's environment. */
struct procfs_env {
	uint64_t run;			/* JOBD_RUN=, 0 if none */
	char instance[PROCFS_NAME_MAX + 1];
	char job[PROCFS_NAME_MAX + 1];
	char trigger[PROCFS_NAME_MAX + 1];
};

bool procfs_stat(pid_t, struct procfs_stat *);
/* False when it has no JOBD_RUN= (or /proc does not say). */
bool procfs_env(pid_t, struct procfs_env *);
/* Calls fn with the inode of each pipe pid has open; fn returns false to
 * stop.  Returns false when /proc does not say. */
bool procfs_each_pipe(pid_t, bool (*fn)(ino_t, void *), void *ctx);
/* Calls fn for each process but jobd itself; fn returns false to stop. */
void procfs_each(bool (*fn)(pid_t, void *), void *ctx);

#endif
