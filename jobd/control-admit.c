/* Who gets a slot on the control socket.  Root and the administrators may
 * take any of the CONTROL_MAX_CONNECTIONS; any other uid none of the last
 * CONTROL_RESERVED, and at most CONTROL_MAX_PER_UID at once, so that one
 * member of socket_group= can lock out neither the other members nor the
 * administrators.  Refusals are logged with the uid, rate-limited. */
#include <stdio.h>

#include "access.h"
#include "control.h"
#include "control-admit.h"
#include "log.h"

bool
ctl_admit(unsigned others, unsigned same_uid, bool privileged,
    const struct access_peer *p, char *buf, size_t n)
{
	if (others >= CONTROL_MAX_CONNECTIONS) {
		snprintf(buf, n, "%u clients connected, the limit", others);
		return false;
	}
	if (privileged)
		return true;
	if (others >= CONTROL_MAX_CONNECTIONS - CONTROL_RESERVED) {
		snprintf(buf, n, "%u clients connected, the rest is kept for "
		    "root and admin_group=", others);
		return false;
	}
	if (same_uid >= CONTROL_MAX_PER_UID) {
		snprintf(buf, n, "uid %u holds %u connections, its share",
		    (unsigned)p->uid, same_uid);
		return false;
	}
	return true;
}

/* The uid's entry, else a free one, else the one logged longest ago. */
static struct ctl_refusal *
refusal_entry(struct ctl_refusals *t, uid_t uid)
{
	struct ctl_refusal *e, *pick = &t->recent[0];

	for (e = t->recent; e < t->recent + CTL_REFUSALS_KEPT; e++) {
		if (e->logged && e->uid == uid)
			return e;
		if (pick->logged && (!e->logged || e->logged < pick->logged))
			pick = e;
	}
	*pick = (struct ctl_refusal){ .uid = uid };
	return pick;
}

void
ctl_refusal_log(struct ctl_refusals *t, const struct access_peer *p,
    const char *why)
{
	struct ctl_refusal *e = refusal_entry(t, p->uid);
	usec_t now = now_monotonic();
	char more[64] = "";

	if (e->logged && now - e->logged < USEC_PER_SEC) {
		e->quiet++;
		return;
	}
	if (e->quiet)
		snprintf(more, sizeof(more), "; %u more refused since the "
		    "last line", e->quiet);
	log_warning("control: %s; refusing pid %d (uid %u)%s", why,
	    (int)p->pid, (unsigned)p->uid, more);
	e->logged = now;
	e->quiet = 0;
}
