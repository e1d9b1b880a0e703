/* The methods the control socket serves: each name, its handler and who
 * may call it.  The daemon hands this table to control_start(), so that
 * the server itself knows no method by name. */
#include "control.h"
#include "macro.h"
#include "method.h"

const struct ctl_method method_table[] = {
	{ "io.jobd.Manager.List", method_list, CTL_READ },
	{ "io.jobd.Manager.Status", method_status, CTL_READ },
	{ "io.jobd.Manager.Summary", method_summary, CTL_READ },
	{ "io.jobd.Manager.Start", method_start, CTL_START },
	{ "io.jobd.Manager.Wait", method_wait, CTL_READ },
	{ "io.jobd.Manager.Cancel", method_cancel, CTL_ADMIN },
	{ "io.jobd.Manager.Logs", method_logs, CTL_READ },
	{ "io.jobd.Manager.Tail", method_tail, CTL_READ },
	{ "io.jobd.Manager.Reload", method_reload, CTL_ADMIN },
	{ "io.jobd.Manager.History", method_history, CTL_READ },
	{ "io.jobd.Manager.Nodes", method_nodes, CTL_READ },
	{ "io.jobd.Manager.Recent", method_recent, CTL_READ },
	{ "io.jobd.Manager.Show", method_show, CTL_READ },
	{ "io.jobd.Manager.Next", method_next, CTL_READ },
	{ "io.jobd.Manager.EventSet", method_event_set, CTL_ADMIN },
	{ "io.jobd.Manager.EventClear", method_event_clear, CTL_ADMIN },
	{ "io.jobd.Manager.EventList", method_event_list, CTL_READ },
	{ "io.jobd.Manager.Events", method_events, CTL_READ },
	{ "io.jobd.Manager.Stop", method_stop, CTL_ADMIN },
	{ "io.jobd.Manager.Restart", method_restart, CTL_ADMIN },
	{ "io.jobd.Manager.ResetFailed", method_reset_failed, CTL_ADMIN },
	{ "io.jobd.Manager.ReloadService", method_reload_service, CTL_ADMIN },
	{ "io.jobd.Manager.Signal", method_signal, CTL_ADMIN },
	{ "io.jobd.Manager.Calendar", method_calendar, CTL_READ },
	{ "io.jobd.Manager.Pause", method_pause, CTL_ADMIN },
	{ "io.jobd.Manager.Resume", method_resume, CTL_ADMIN },
	{ "io.jobd.Manager.Skip", method_skip, CTL_ADMIN },
	{ "io.jobd.Manager.Daemon", method_daemon, CTL_READ },
	{ "io.jobd.Manager.Metrics", method_metrics, CTL_READ },
	{ "io.jobd.Manager.Alerts", method_alerts, CTL_READ },
	/* It makes jobd send mail and HTTP requests: administrators. */
	{ "io.jobd.Manager.AlertTest", method_alert_test, CTL_ADMIN },
	/* A command no file declares, as any user: administrators. */
	{ "io.jobd.Manager.Run", method_run, CTL_ADMIN },
	{ "io.jobd.Manager.Remove", method_remove, CTL_ADMIN },
	{ "org.varlink.service.GetInfo", method_get_info, CTL_READ },
	{ "org.varlink.service.GetInterfaceDescription",
	    method_get_interface_description, CTL_READ },
#ifdef JOBD_DEBUG_METHODS
	/* Not in the interface description: for the watchdog test. */
	{ "io.jobd.Debug.Stall", method_debug_stall, CTL_ADMIN },
#endif
};

const size_t method_table_size = ELEMENTSOF(method_table);
