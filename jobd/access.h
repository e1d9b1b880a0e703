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

/* NGROUPS_MAX of Linux: the most SO_PEERGROUPS can report. */
#define ACCESS_MAX_GROUPS 65536

/* Who is at the other end of a control connection, as the kernel recorded
 * it when the peer connected.  Later changes of the peer process (setuid,
 * setgroups, exit and reuse of its pid) do not show here, by design. */
struct access_peer {
	uid_t uid;			/* effective ids at connect */
	gid_t gid;
	pid_t pid;			/* for log lines, never decisions */
	gid_t *groups;			/* supplementary; NULL: only gid */
	size_t ngroups;
	/* The uid's user name, for the record of who asked: looked up on
	 * the executor before the connection's first state-changing call
	 * (control.c).  NULL with name_known: the uid has no name. */
	char *name;
	bool name_known;
};

/* Blocking (NSS): resolves socket_group=, admin_group= and every job's
 * allow_start= into ids stored in the config.  Executor only. */
void access_resolve(struct config *);
/* Reads the identity of the peer of a connected Unix socket: 0, or -errno
 * when SO_PEERCRED fails (the peer must then be refused).  When only
 * SO_PEERGROUPS fails (kernels before 4.13), the peer has no supplementary
 * groups and *ret_groups_error says why (-errno). */
int access_peer_read(int fd, struct access_peer *ret, int *ret_groups_error);
void access_peer_done(struct access_peer *);
/* Blocking (NSS): the user name of uid, or NULL.  Executor only. */
char *access_user_name(uid_t);
/* Whether the peer is root, jobd's own user or in admin_group=. */
bool access_is_admin(const struct config *, const struct access_peer *);
/* Whether the peer may start the job (admin, or allow_start=). */
bool access_may_start(const struct config *, const struct job_config *,
    const struct access_peer *);
/* Gives the control socket its group (after bind). */
void access_socket_group(const struct config *, const char *path);

#endif
