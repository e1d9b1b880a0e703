/* Transient jobs (jobctl run): jobs no file declares, kept in the unit
 * registry beside the configured ones until jobctl remove, or until jobd
 * stops; a reload keeps them.  Their definitions are owned here, not by
 * the config in force. */
#ifndef JOBD_TRANSIENT_H
#define JOBD_TRANSIENT_H

#include <stddef.h>

#include "config.h"

struct job;
struct run_ctx;
struct sched;
struct units;

/* Transient jobs at once.  A new one past this takes the place of the
 * oldest one-shot job that is idle, else is refused. */
#define TRANSIENT_MAX 256

struct transient {
	struct run_ctx *runs;		/* jobs made with it */
	struct units *units;
	struct sched *sched;		/* arms --on-calendar jobs */
	struct job_config **jobs;	/* oldest first, owned */
	size_t n;
};

void transient_init(struct transient *, struct run_ctx *, struct units *,
    struct sched *);
/* Adds a job for jc (taken on success).  -EEXIST: the name is a unit's
 * (configured, transient, or removed and still running); -ENOSPC: there
 * are TRANSIENT_MAX and none can go. */
int transient_add(struct transient *, struct job_config *jc,
    struct job **ret);
/* Removes a transient job (its runs in flight go on to their end).
 * -ENOENT: no such unit; -EPERM: a configured one. */
int transient_remove(struct transient *, const char *name);
/* After a reload gave every configured job its new definition: points
 * the transient jobs at theirs again; one whose name the new files
 * define now gives way to the file's (logged). */
void transient_reattach(struct transient *);
/* Frees the definitions (the registry has been freed). */
void transient_free(struct transient *);

#endif
