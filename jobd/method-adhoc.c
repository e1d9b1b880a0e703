/* Run and Remove: transient jobs (jobctl run, jobctl remove).  Run makes
 * a job of a command no file declares and starts it at once (trigger
 * adhoc), or arms it on a calendar; administrators only (the method
 * table), and every value is checked as a file's would be
 * (config-transient.c).  The command runs as user= or jobd's own user,
 * through jobd-exec like any job's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "config-transient.h"
#include "control.h"
#include "job.h"
#include "log.h"
#include "method.h"
#include "params.h"
#include "run-ctx.h"
#include "run.h"
#include "strv.h"
#include "strv-json.h"
#include "transient.h"
#include "units.h"
#include "xmalloc.h"

struct adhoc_params {
	const char *name, *user, *timeout, *on_calendar, *on_behalf_of;
	json_t *command, *locks, *env;
	bool wait;
};

static int
adhoc_refuse(struct conn *c, const char *name, int r, const char *cause)
{
	if (r == -EEXIST)
		ctl_error(c, IFACE_ERROR("JobExists"), json_pack("{s:s}",
		    "job", name));
	else if (r == -ENOSPC)
		ctl_error(c, IFACE_ERROR("TooManyTransient"), json_pack(
		    "{s:i}", "limit", TRANSIENT_MAX));
	else
		ctl_error(c, IFACE_ERROR("InvalidRun"), json_pack("{s:s}",
		    "reason", cause));
	return r;
}

/* The job's definition from the call; NULL after an error reply. */
static struct job_config *
adhoc_config(struct conn *c, const struct adhoc_params *p, const char *name)
{
	_cleanup_(strv_freep) char **argv = json_strv(p->command),
	    **locks = json_strv(p->locks), **env = json_strv(p->env);
	_cleanup_free_ char *cause = NULL;
	struct job_config *jc;
	struct transient_spec s = {
		.name = name, .command = argv, .user = p->user,
		.timeout = p->timeout, .locks = locks, .env = env,
		.on_calendar = p->on_calendar,
	};

	if (config_transient_new(&s, &jc, &cause) < 0) {
		adhoc_refuse(c, name, -EINVAL, cause);
		return NULL;
	}
	return jc;
}

/* Root and jobd's own user may run a command as anyone; another
 * administrator (admin_group=) only as itself, the default for it:
 * admin_group= lets one control jobs, not become root.  The user to run
 * as (NULL: jobd's own), or -1 after a PermissionDenied reply. */
static int
adhoc_user(struct conn *c, const char *asked, char **ret)
{
	const struct access_peer *p = ctl_peer(c);
	char uid[16];

	*ret = NULL;
	if (p->uid == 0 || p->uid == geteuid()) {
		*ret = asked ? xstrdup(asked) : NULL;
		return 0;
	}
	snprintf(uid, sizeof(uid), "%u", (unsigned)p->uid);
	if (!asked || (p->name && !strcmp(asked, p->name)) ||
	    !strcmp(asked, uid)) {
		*ret = xstrdup(p->name ? p->name : uid);
		return 0;
	}
	ctl_deny(c, "Run as another user");
	return -1;
}

/* --on-calendar: the job is armed, no run yet. */
static void
adhoc_reply_periodic(struct conn *c, const struct job *j)
{
	json_t *o = json_pack("{s:s, s:[]}", "job", j->name, "runs");

	if (j->sched.heap_index != SIZE_MAX)
		json_object_set_new(o, "next_usec",
		    json_integer((json_int_t)j->sched.fire_at));
	ctl_reply(c, o, false);
}

void
method_run(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
#define P(n, t, req, f) { n, t, req, offsetof(struct adhoc_params, f) }
		P("command", CTL_ARGV, true, command),
		P("name", CTL_STRING, false, name),
		P("user", CTL_STRING, false, user),
		P("timeout", CTL_STRING, false, timeout),
		P("locks", CTL_STRINGS, false, locks),
		P("env", CTL_ARGV, false, env),
		P("on_calendar", CTL_STRING, false, on_calendar),
		P("wait", CTL_BOOL, false, wait),
		P("on_behalf_of", CTL_STRING, false, on_behalf_of),
#undef P
	};
	struct method_ctx *m = ctl_ctx(c);
	_cleanup_free_ char *name = NULL, *user = NULL;
	struct adhoc_params p;
	struct job_config *jc;
	struct run_who who;
	struct run *r;
	struct job *j;
	uint64_t id = 0;
	char buf[512];
	int err;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0 ||
	    method_who(c, p.on_behalf_of, &who) < 0 ||
	    adhoc_user(c, p.user, &user) < 0)
		return;
	p.user = user;
	if (m->runs->stopping) {
		ctl_error(c, IFACE_ERROR("ShuttingDown"), NULL);
		return;
	}
	if (p.on_calendar && !p.name) {
		ctl_error_invalid_parameter(c, "name");
		return;
	}
	if (!p.on_calendar && m->units->nruns_open + 1 > JOB_MAX_RUNS) {
		ctl_error(c, IFACE_ERROR("TooManyRuns"), json_pack("{s:i}",
		    "limit", JOB_MAX_RUNS));
		return;
	}
	/* Without a name, the run's own id names it: unique for good. */
	if (!p.name)
		id = m->runs->next_id(m->runs->owner);
	name = p.name ? xstrdup(p.name) : xstrfmt("run-%llu",
	    (unsigned long long)id);
	if (!(jc = adhoc_config(c, &p, name)))
		return;
	if ((err = transient_add(m->transient, jc, &j)) < 0) {
		config_transient_free(jc);
		adhoc_refuse(c, name, err, NULL);
		return;
	}
	log_notice("transient job '%s' (%.200s%s) added by %s", name,
	    jc->command_line, strlen(jc->command_line) > 200 ? "..." : "",
	    method_who_text(&who, buf, sizeof(buf)));
	if (p.on_calendar) {
		adhoc_reply_periodic(c, j);
		return;
	}
	r = job_trigger_full(j, TRIGGER_ADHOC, &(struct run_opts){
	    .requested_by = &who, .id = id });
	method_runs_started(c, &r, 1, p.wait);
}

struct remove_params {
	const char *job, *on_behalf_of;
};

void
method_remove(struct conn *c, json_t *params)
{
	static const struct ctl_param spec[] = {
		{ "job", CTL_STRING, true, offsetof(struct remove_params,
		    job) },
		{ "on_behalf_of", CTL_STRING, false,
		    offsetof(struct remove_params, on_behalf_of) },
	};
	struct method_ctx *m = ctl_ctx(c);
	struct remove_params p;
	struct run_who who;
	char buf[512];
	int r;

	if (ctl_params(c, params, spec, ELEMENTSOF(spec), &p) < 0 ||
	    method_who(c, p.on_behalf_of, &who) < 0)
		return;
	r = transient_remove(m->transient, p.job);
	if (r == -EPERM) {
		ctl_error(c, IFACE_ERROR("NotTransient"), json_pack("{s:s}",
		    "job", p.job));
		return;
	}
	if (r < 0) {
		ctl_error(c, IFACE_ERROR("NoSuchJob"), json_pack("{s:s}",
		    "job", p.job));
		return;
	}
	log_notice("transient job '%s' removed by %s", p.job,
	    method_who_text(&who, buf, sizeof(buf)));
	ctl_reply(c, json_pack("{s:s}", "job", p.job), false);
}
