/* Who may control jobd: read-only methods for anyone who can connect
 * (the socket is 0660, group socket_group=), state-changing ones for uid 0
 * and members of admin_group=, and Start of a job for its allow_start=
 * users and groups. */
#ifndef JOBD_ACCESS_H
#define JOBD_ACCESS_H

#include <stdbool.h>
#include <sys/types.h>

struct config;
struct daemon;
struct job_config;

/* Blocking (NSS): resolves socket_group=, admin_group= and every job's
 * allow_start= into ids stored in the config.  Executor only. */
void access_resolve(struct config *);
/* Whether a peer (uid, gid, pid) is root or in admin_group. */
bool access_is_admin(const struct config *, uid_t, gid_t, pid_t);
/* Whether a peer may start the job (admin, or allow_start=). */
bool access_may_start(const struct config *, const struct job_config *,
    uid_t, gid_t, pid_t);
/* Gives the control socket its group (after bind). */
void access_socket_group(const struct config *, const char *path);

#endif
