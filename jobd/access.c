/* Access control.  Names (groups, users) are resolved once per config, on
 * the executor, because NSS may block for seconds.  A peer's identity is
 * taken once, from the socket, when it connects (SO_PEERCRED and
 * SO_PEERGROUPS) and every call is judged from that copy: never from
 * /proc/PID, whose PID may by then belong to another process. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "access.h"
#include "config.h"
#include "log.h"
#include "xmalloc.h"

static bool
resolve_group(const char *name, gid_t *ret)
{
	struct group *g = getgrnam(name);
	char *end;
	unsigned long v;

	if (g) {
		*ret = g->gr_gid;
		return true;
	}
	v = strtoul(name, &end, 10);
	if (*name && !*end) {
		*ret = (gid_t)v;
		return true;
	}
	return false;
}

static bool
resolve_user(const char *name, uid_t *ret)
{
	struct passwd *p = getpwnam(name);
	char *end;
	unsigned long v;

	if (p) {
		*ret = p->pw_uid;
		return true;
	}
	v = strtoul(name, &end, 10);
	if (*name && !*end) {
		*ret = (uid_t)v;
		return true;
	}
	return false;
}

void
access_resolve(struct config *c)
{
	struct job_config *jc;
	size_t i;

	c->socket_gid_ok = c->socket_group &&
	    resolve_group(c->socket_group, &c->socket_gid);
	c->admin_gid_ok = c->admin_group &&
	    resolve_group(c->admin_group, &c->admin_gid);
	TAILQ_FOREACH(jc, &c->jobs, entry) {
		for (i = 0; jc->allow_start && jc->allow_start[i]; i++) {
			const char *n = jc->allow_start[i];
			uid_t u;
			gid_t g;

			/* "@group" names a group, anything else a user. */
			if (n[0] == '@' && resolve_group(n + 1, &g)) {
				jc->allow_gids = xreallocarray(jc->allow_gids,
				    jc->nallow_gids + 1, sizeof(gid_t));
				jc->allow_gids[jc->nallow_gids++] = g;
			} else if (n[0] != '@' && resolve_user(n, &u)) {
				jc->allow_uids = xreallocarray(jc->allow_uids,
				    jc->nallow_uids + 1, sizeof(uid_t));
				jc->allow_uids[jc->nallow_uids++] = u;
			}
		}
	}
}

/* The peer's supplementary groups as the kernel recorded them at connect;
 * the buffer grows to what SO_PEERGROUPS asks for (at most NGROUPS_MAX). */
static int
peer_groups_read(int fd, struct access_peer *p)
{
	socklen_t len = 16 * sizeof(gid_t);
	int r;

	for (;;) {
		p->groups = xrealloc(p->groups, len);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, p->groups,
		    &len) == 0) {
			p->ngroups = len / sizeof(gid_t);
			return 0;
		}
		r = -errno;
		if (r != -ERANGE || len == 0 ||
		    len > ACCESS_MAX_GROUPS * sizeof(gid_t))
			break;
	}
	free(p->groups);
	p->groups = NULL;
	p->ngroups = 0;
	return r;
}

int
access_peer_read(int fd, struct access_peer *ret, int *ret_groups_error)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	*ret = (struct access_peer){ 0 };
	*ret_groups_error = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	if (len != sizeof(cred))
		return -EPROTO;
	ret->uid = cred.uid;
	ret->gid = cred.gid;
	ret->pid = cred.pid;
	*ret_groups_error = peer_groups_read(fd, ret);
	return 0;
}

void
access_peer_done(struct access_peer *p)
{
	free(p->groups);
	p->groups = NULL;
	p->ngroups = 0;
	free(p->name);
	p->name = NULL;
}

char *
access_user_name(uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return NULL;
	return xstrdup(res->pw_name);
}

/* Whether the peer had group g, primary or supplementary, at connect. */
static bool
peer_in_group(const struct access_peer *p, gid_t g)
{
	size_t i;

	if (p->gid == g)
		return true;
	for (i = 0; i < p->ngroups; i++)
		if (p->groups[i] == g)
			return true;
	return false;
}

bool
access_is_admin(const struct config *c, const struct access_peer *p)
{
	if (p->uid == 0 || p->uid == geteuid())
		return true;
	return c->admin_gid_ok && peer_in_group(p, c->admin_gid);
}

bool
access_may_start(const struct config *c, const struct job_config *jc,
    const struct access_peer *p)
{
	size_t i;

	if (access_is_admin(c, p))
		return true;
	for (i = 0; i < jc->nallow_uids; i++)
		if (jc->allow_uids[i] == p->uid)
			return true;
	for (i = 0; i < jc->nallow_gids; i++)
		if (peer_in_group(p, jc->allow_gids[i]))
			return true;
	return false;
}

void
access_socket_group(const struct config *c, const char *path)
{
	if (!c->socket_gid_ok) {
		if (c->socket_group)
			log_warning("socket_group '%s' does not exist; the "
			    "control socket stays in jobd's group",
			    c->socket_group);
		return;
	}
	if (chown(path, (uid_t)-1, c->socket_gid) < 0)
		log_warning("cannot give '%s' to group '%s': %m", path,
		    c->socket_group);
}
