/* Connection slots of the control socket: who gets one (per-uid shares and
 * the administrators' reserve, control.h) and the log lines of those
 * refused.  Internal to control.c. */
#ifndef JOBD_CONTROL_ADMIT_H
#define JOBD_CONTROL_ADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "timeutil.h"

struct access_peer;

/* Refusals are logged at most once a second per uid, for the last few
 * uids refused: a client refused in a loop must not flood the log. */
#define CTL_REFUSALS_KEPT 16

struct ctl_refusals {
	struct ctl_refusal {
		uid_t uid;
		usec_t logged;		/* monotonic; 0: a free entry */
		unsigned quiet;		/* refused since, not logged */
	} recent[CTL_REFUSALS_KEPT];
};

/* Whether a new peer gets a slot while `others` connections are open,
 * `same_uid` of them its uid's; privileged: root, jobd's user or an
 * admin_group= member.  If not, why goes into buf. */
bool ctl_admit(unsigned others, unsigned same_uid, bool privileged,
    const struct access_peer *, char *buf, size_t n);
/* Logs a refusal (rate-limited as above). */
void ctl_refusal_log(struct ctl_refusals *, const struct access_peer *,
    const char *why);

#endif
