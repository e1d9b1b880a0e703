/* How the process is limited and how it ends (systemd.exec(5) Limit*=,
 * systemd.service(5) timeouts and Restart=, systemd.kill(5)): limit_*=,
 * timeout=, start_timeout=, stop_timeout=, restart=, restart_sec=,
 * stop_signal=, success_exit_status=, watchdog_sec=. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import-sd.h"
#include "signame.h"
#include "strv.h"
#include "xmalloc.h"

/* systemd's Limit*= and jobd's limit_*=: sizes take K, M, G; CPU takes
 * a time span (seconds). */
static const struct {
	const char *sd;
	const char *jobd;
	char kind;		/* 'n' count, 'b' bytes, 's' seconds */
} limits[] = {
	{ "LimitNOFILE", "limit_nofile", 'n' },
	{ "LimitNPROC", "limit_nproc", 'n' },
	{ "LimitCORE", "limit_core", 'b' },
	{ "LimitAS", "limit_as", 'b' },
	{ "LimitFSIZE", "limit_fsize", 'b' },
	{ "LimitSTACK", "limit_stack", 'b' },
	{ "LimitMEMLOCK", "limit_memlock", 'b' },
	{ "LimitDATA", "limit_data", 'b' },
	{ "LimitCPU", "limit_cpu", 's' },
};

static char *
limit_value(const char *v, char kind)
{
	unsigned long long n;
	usec_t s;

	if (!strcmp(v, "infinity"))
		return xstrdup("infinity");
	if (kind == 's') {
		if (sd_timespan(v, &s) < 0)
			return NULL;
		return xstrfmt("%llu", (unsigned long long)((s +
		    USEC_PER_SEC - 1) / USEC_PER_SEC));
	}
	if (kind == 'n' ? (v[strspn(v, "0123456789")] || !*v) : false)
		return NULL;
	if (sd_size(v, &n) < 0)
		return NULL;
	return xstrfmt("%llu", n);
}

static void
map_limit(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *soft = NULL, *hard = NULL, *sv = NULL;
	const char *colon = strchr(l->value, ':');
	size_t i;

	for (i = 0; strcmp(limits[i].sd, l->key); i++)
		;
	sv = xstrndup(l->value, colon ? (size_t)(colon - l->value) :
	    strlen(l->value));
	soft = limit_value(sv, limits[i].kind);
	if (colon)
		hard = limit_value(colon + 1, limits[i].kind);
	if (!soft || (colon && !hard))
		sd_unmapped(c, l, "not a limit jobd can write (SOFT[:HARD], "
		    "numbers or infinity)");
	else if (hard)
		sd_key(c, l, limits[i].jobd, "%s:%s", soft, hard);
	else
		sd_key(c, l, limits[i].jobd, "%s", soft);
}

static int
span(struct sd_ctx *c, struct sd_line *l, char **ret)
{
	usec_t s;

	if (sd_timespan(l->value, &s) < 0) {
		sd_unmapped(c, l, "not a time span systemd reads");
		return -1;
	}
	*ret = sd_span_text(s);
	return 0;
}

/* timeout= once: TimeoutStartSec= of a oneshot, RuntimeMaxSec= else. */
static void
timeout_key(struct sd_ctx *c, struct sd_line *l, const char *s)
{
	if (c->timeout_set) {
		sd_unmapped(c, l, "timeout= is set above");
		return;
	}
	c->timeout_set = true;
	sd_key(c, l, "timeout", "%s", s);
}

static bool
notify_type(struct sd_ctx *c)
{
	struct sd_line *t = sd_unit_find(c->service, "Service", "Type");

	return t && !strcmp(t->value, "notify");
}

/* TimeoutStartSec=: a oneshot job's timeout=, a notify service's
 * start_timeout=; nothing for the others, started at once. */
static void
start_key(struct sd_ctx *c, struct sd_line *l, const char *s)
{
	if (c->job && c->oneshot)
		timeout_key(c, l, s);
	else if (!c->job && notify_type(c))
		sd_key(c, l, "start_timeout", "%s", s);
	else
		sd_note(c, l, "(TimeoutStartSec has no effect: it is %s as "
		    "soon as it started)", c->job ? "running" : "ready");
}

static void
map_timeout_start(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *s = NULL;

	if (span(c, l, &s) >= 0)
		start_key(c, l, s);
}

static void
map_timeout_stop(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *s = NULL;

	if (span(c, l, &s) >= 0)
		sd_key(c, l, "stop_timeout", "%s", s);
}

/* TimeoutSec= is both, where the specific ones are not given. */
static void
map_timeout_both(struct sd_ctx *c, struct sd_line *l)
{
	bool start = !sd_unit_find(c->service, "Service", "TimeoutStartSec");
	bool stop = !sd_unit_find(c->service, "Service", "TimeoutStopSec");
	_cleanup_free_ char *s = NULL;

	if (!start && !stop) {
		sd_unmapped(c, l, "TimeoutStartSec= and TimeoutStopSec= are "
		    "both given");
		return;
	}
	if (span(c, l, &s) < 0)
		return;
	if (start)
		start_key(c, l, s);
	if (stop)
		sd_key(c, l, "stop_timeout", "%s", s);
}

static void
map_runtime_max(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *s = NULL;

	if (c->oneshot)
		sd_note(c, l, "(no effect on Type=oneshot, as in systemd)");
	else if (span(c, l, &s) >= 0)
		timeout_key(c, l, s);
}

static void
map_watchdog(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *s = NULL;

	if (c->job)
		sd_unmapped(c, l, "a job has no watchdog: timeout= bounds a "
		    "run");
	else if (span(c, l, &s) >= 0)
		sd_key(c, l, "watchdog_sec", "%s", s);
}

static const char *const restarts[][2] = {
	{ "no", "no" }, { "on-failure", "on-failure" },
	{ "on-abnormal", "on-abnormal" }, { "always", "always" },
	{ "on-abort", "on-abnormal" }, { "on-watchdog", "on-abnormal" },
};

static void
map_restart(struct sd_ctx *c, struct sd_line *l)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(restarts); i++)
		if (!strcmp(l->value, restarts[i][0]))
			break;
	if (c->job && !strcmp(l->value, "no"))
		sd_note(c, l, "(a job's run is not retried unless retry= says "
		    "so)");
	else if (c->job)
		sd_unmapped(c, l, "jobd retries a job a counted number of "
		    "times (retry=N, retry_sec=); systemd restarts until its "
		    "start limit");
	else if (i == ELEMENTSOF(restarts))
		sd_unmapped(c, l, "jobd's restart= is no, on-failure, "
		    "on-abnormal or always");
	else {
		if (strcmp(l->value, restarts[i][1]))
			sd_note(c, l, "jobd's on-abnormal also restarts after "
			    "a timeout, the watchdog or an unclean signal");
		sd_key(c, l, "restart", "%s", restarts[i][1]);
	}
}

static void
map_restart_sec(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *s = NULL;

	if (c->job) {
		sd_unmapped(c, l, "a job is not restarted (retry_sec= is the "
		    "delay of retry=)");
		return;
	}
	if (span(c, l, &s) < 0)
		return;
	sd_note(c, l, "systemd waits the same delay each time: jobd's "
	    "doubling stops at restart_max_sec=");
	import_key(c->o, "restart_sec", "%s", s);
	import_key(c->o, "restart_max_sec", "%s", s);
}

static bool
exit_status_ok(const char *w)
{
	char *end;
	long n = strtol(w, &end, 10);

	if (!*end && end != w)
		return n >= 0 && n <= 255;
	return signal_from_string(w) > 0 && !strchr("0123456789", w[0]);
}

static void
map_success_status(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_(strv_freep) char **w = NULL;
	_cleanup_free_ char *cause = NULL, *q = NULL;
	size_t i;

	if (c->job) {
		sd_unmapped(c, l, "a job's run that exits with another status "
		    "than 0 is failed in jobd");
		return;
	}
	if (sd_words(l->value, &w, NULL, &cause) < 0 || !w[0]) {
		sd_unmapped(c, l, "%s", cause ? cause : "empty");
		return;
	}
	for (i = 0; w[i]; i++)
		if (!exit_status_ok(w[i])) {
			sd_unmapped(c, l, "'%s' is not an exit status 0-255 or "
			    "a signal name", w[i]);
			return;
		}
	q = import_quote_words(w);
	sd_key(c, l, "success_exit_status", "%s", q);
}

static void
map_kill_signal(struct sd_ctx *c, struct sd_line *l)
{
	int sig = signal_from_string(l->value);

	if (sig <= 0)
		sd_unmapped(c, l, "not a signal jobd knows");
	else
		sd_key(c, l, "stop_signal", "%s", signal_to_string(sig));
}

static void
map_kill_mode(struct sd_ctx *c, struct sd_line *l)
{
	if (!strcmp(l->value, "control-group"))
		sd_note(c, l, "(jobd signals the run's whole process group, "
		    "and its cgroup when it has one)");
	else
		sd_unmapped(c, l, "jobd signals the run's whole process group "
		    "(and cgroup): with KillMode=%s systemd would leave the "
		    "other processes running", l->value);
}

static void
map_send_sigkill(struct sd_ctx *c, struct sd_line *l)
{
	int b = sd_bool(l->value);

	if (b > 0)
		sd_note(c, l, "(as jobd does)");
	else if (b == 0 && !sd_unit_find(c->service, "Service",
	    "TimeoutStopSec") && !sd_unit_find(c->service, "Service",
	    "TimeoutSec"))
		sd_key(c, l, "stop_timeout", "infinity");
	else
		sd_unmapped(c, l, "stop_timeout= (above) decides when SIGKILL "
		    "is sent: write stop_timeout=infinity for none");
}

const struct sd_directive sd_proc_directives[] = {
	{ "Service", "LimitNOFILE", map_limit },
	{ "Service", "LimitNPROC", map_limit },
	{ "Service", "LimitCORE", map_limit },
	{ "Service", "LimitAS", map_limit },
	{ "Service", "LimitFSIZE", map_limit },
	{ "Service", "LimitSTACK", map_limit },
	{ "Service", "LimitMEMLOCK", map_limit },
	{ "Service", "LimitDATA", map_limit },
	{ "Service", "LimitCPU", map_limit },
	{ "Service", "TimeoutStartSec", map_timeout_start },
	{ "Service", "TimeoutStopSec", map_timeout_stop },
	{ "Service", "TimeoutSec", map_timeout_both },
	{ "Service", "RuntimeMaxSec", map_runtime_max },
	{ "Service", "WatchdogSec", map_watchdog },
	{ "Service", "Restart", map_restart },
	{ "Service", "RestartSec", map_restart_sec },
	{ "Service", "SuccessExitStatus", map_success_status },
	{ "Service", "KillSignal", map_kill_signal },
	{ "Service", "KillMode", map_kill_mode },
	{ "Service", "SendSIGKILL", map_send_sigkill },
	{ NULL, NULL, NULL },
};
