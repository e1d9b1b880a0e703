/* Access control.  Names (groups, users) are resolved once per config, on
 * the executor, because NSS may block for seconds; a call is then judged
 * from the peer's SO_PEERCRED and, for group membership, the Groups: line
 * of /proc/PID/status (procfs, no NSS, no disk). */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Whether the peer (its primary gid, or a supplementary group read from
 * /proc) is in group g. */
static bool
peer_in_group(gid_t g, gid_t gid, pid_t pid)
{
	char path[64], line[4096], *p, *end;
	bool found = false;
	FILE *f;

	if (gid == g)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Groups:", 7))
			continue;
		for (p = line + 7; *p; p = end) {
			unsigned long v = strtoul(p, &end, 10);

			if (end == p)
				break;
			if ((gid_t)v == g)
				found = true;
		}
		break;
	}
	fclose(f);
	return found;
}

bool
access_is_admin(const struct config *c, uid_t uid, gid_t gid, pid_t pid)
{
	if (uid == 0 || uid == geteuid())
		return true;
	return c->admin_gid_ok && peer_in_group(c->admin_gid, gid, pid);
}

bool
access_may_start(const struct config *c, const struct job_config *jc,
    uid_t uid, gid_t gid, pid_t pid)
{
	size_t i;

	if (access_is_admin(c, uid, gid, pid))
		return true;
	for (i = 0; i < jc->nallow_uids; i++)
		if (jc->allow_uids[i] == uid)
			return true;
	for (i = 0; i < jc->nallow_gids; i++)
		if (peer_in_group(jc->allow_gids[i], gid, pid))
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
