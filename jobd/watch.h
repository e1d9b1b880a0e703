/* Path triggers: on_path_changed=, on_path_exists= and
 * on_directory_not_empty= start their job when the file system says so
 * (inotify through uv_fs_event). */
#ifndef JOBD_WATCH_H
#define JOBD_WATCH_H

#include "run-events.h"

struct run_ctx;
struct units;
struct watch;

struct watches {
	struct units *units;
	const struct run_ctx *runs;	/* the loop; stopping */
	struct watch *list;
	struct run_subscriber sub;	/* a job's run finished */
};

/* Hears of finished runs: a level condition (exists, not empty) that
 * still holds starts the job again once it has none running. */
void watch_init(struct watches *, struct units *, const struct run_ctx *,
    struct run_hub *);
/* Re-creates every watch from the current config (start and reload). */
void watch_apply(struct watches *);
void watch_stop(struct watches *);

#endif
