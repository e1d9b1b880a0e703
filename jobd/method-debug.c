/* Methods for tests only, built with -Ddebug_methods=true and never into
 * a shipped jobd: io.jobd.Debug.Stall.  They are not in the interface
 * description; a jobd built without them answers MethodNotFound. */
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "macro.h"

/* Blocks the loop thread on purpose, so that a test can see systemd's
 * watchdog restart a stuck jobd.  Root only. */
void
method_debug_stall(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "seconds", CTL_INT, true, 0 },
	};
	int64_t seconds;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &seconds) < 0)
		return;
	if (ctl_peer_uid(c) != 0) {
		ctl_error(c, "org.varlink.service.PermissionDenied", NULL);
		return;
	}
	log_warning("debug: stalling the loop for %lld s, as asked by pid %d",
	    (long long)seconds, (int)ctl_peer_pid(c));
	sleep((unsigned)MIN(seconds, 3600));
	ctl_reply(c, NULL, false);
}
