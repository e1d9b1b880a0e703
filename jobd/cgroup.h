/* cgroup v2 per run, when jobd owns a delegated subtree (systemd's
 * Delegate=yes): each run gets its own child cgroup, so a stop reaches a
 * process that left the process group (setsid), and the run's CPU time
 * and peak memory are read at its end.  Otherwise: process groups only. */
#ifndef JOBD_CGROUP_H
#define JOBD_CGROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "timeutil.h"

struct cgroup {
	bool enabled;
	char *base;			/* jobd's delegated cgroup directory */
	char *why;			/* why disabled, for the log */
};

struct cgroup_usage {
	usec_t user, system;
	uint64_t peak_kb;		/* 0: memory controller not on */
	uint64_t oom_kills;		/* memory.events' oom_kill */
};

enum cgroup_mode {
	CGROUP_AUTO,
	CGROUP_NO,
	CGROUP_YES,
};

/* Detects delegation and moves jobd into a leaf (base/daemon). */
void cgroup_init(struct cgroup *, enum cgroup_mode);
/* Only says what cgroup_init would find for this process (enabled, or
 * why not), moving nothing: for jobd --check. */
void cgroup_probe(struct cgroup *, enum cgroup_mode);
void cgroup_done(struct cgroup *);
/* base/run-ID, created; NULL when disabled or on error. */
char *cgroup_run_create(const struct cgroup *, uint64_t id);
/* Whether pid is a process of the cgroup (cgroup.procs: cgroupfs, no
 * disk). */
bool cgroup_has_pid(const char *path, int pid);
/* Sends sig to every process of the cgroup (cgroup.kill for SIGKILL). */
void cgroup_signal(const char *path, int sig);
/* Reads usage; then kills what is left and removes the directory (a
 * directory still busy is removed at the next start). */
void cgroup_run_finish(const char *path, struct cgroup_usage *ret);

#endif
