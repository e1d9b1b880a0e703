/* Path triggers: on_path_changed=, on_path_exists= and
 * on_directory_not_empty= start their job when the file system says so
 * (inotify through uv_fs_event). */
#ifndef JOBD_WATCH_H
#define JOBD_WATCH_H

struct daemon;
struct job;
struct watch;

/* Re-creates every watch from the current config (start and reload). */
void watch_apply(struct daemon *);
/* A run of j finished: a level condition (exists, not empty) that still
 * holds starts the job again. */
void watch_job_idle(struct daemon *, struct job *);
void watch_stop(struct daemon *);

#endif
