/* Methods for services: Start (through method_start), Stop, Restart,
 * ReloadService, Signal and ResetFailed, and the JSON of a service.
 * Waiting (start --wait, stop --wait) registers a service waiter per
 * service and answers once every one of them said ready or stopped. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "config.h"
#include "job.h"
#include "run-ctx.h"
#include "units.h"
#include "job.h"
#include "macro.h"
#include "method.h"
#include "service.h"
#include "signame.h"
#include "xmalloc.h"

/* probe=: what it checks and how the last check went. */
static void
method_probe_write(struct json_writer *w, const struct service *s)
{
	const struct job_probe *p = s->job->config ?
	    &s->job->config->svc.probe : NULL;

	if (!p || p->kind == PROBE_NONE)
		return;
	jw_key(w, "probe");
	jw_open(w, '{');
	jw_kstr(w, "kind", probe_kind_name[p->kind]);
	jw_kstr(w, "target", p->target);
	if (s->probe_last.at) {
		jw_key(w, "ok");
		jw_bool(w, s->probe_last.ok);
		jw_kint(w, "at_usec", (long long)s->probe_last.at);
		jw_kstr(w, "detail", s->probe_last.detail);
	}
	jw_kint(w, "failures", s->probe_failures);
	jw_kint(w, "failures_max", p->failures);
	jw_close(w, '}');
}

/* A service's fields but its name: the Service shape, and the service part
 * of a JobSummary. */
void
method_service_fields(struct json_writer *w, const struct service *s)
{
	jw_kstr(w, "state", service_state_name[s->state]);
	jw_kint(w, "restarts", s->restarts);
	if (s->run && s->run->pid > 0)
		jw_kint(w, "pid", s->main_pid ? s->main_pid : s->run->pid);
	if (s->run)
		jw_kint(w, "run", (long long)s->run->id);
	if (s->ready_at && (s->state == SVC_READY ||
	    s->state == SVC_RELOADING))
		jw_kint(w, "uptime_usec",
		    (long long)(now_realtime() - s->ready_at));
	if (s->last_exit_status >= 0)
		jw_kint(w, "last_exit_status", s->last_exit_status);
	if (s->last_result)
		jw_kstr(w, "last_result", s->last_result);
	if (s->status_text)
		jw_kstr(w, "status_text", s->status_text);
	if (s->reason)
		jw_kstr(w, "reason", s->reason);
	if (s->state == SVC_BACKOFF && s->next_restart)
		jw_kint(w, "next_restart_usec", (long long)s->next_restart);
	method_probe_write(w, s);
}

void
method_service_write(struct json_writer *w, const struct service *s)
{
	jw_open(w, '{');
	jw_kstr(w, "name", s->job->name);
	method_service_fields(w, s);
	jw_close(w, '}');
}

/* Waiting for several services: one slot each, one reply. */
struct svc_wait_slot {
	struct service_waiter waiter;	/* first: container_of */
	struct svc_wait *wait;
	struct service *service;
	bool done, ok;
};

struct svc_wait {
	struct conn *conn;
	size_t n, pending;
	struct svc_wait_slot slots[];
};

static void
svc_wait_free(struct svc_wait *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (!w->slots[i].done)
			service_unwait(w->slots[i].service,
			    &w->slots[i].waiter);
	free(w);
}

static void
svc_wait_reply(struct svc_wait *w)
{
	struct conn *c = w->conn;
	struct json_writer jw;
	size_t i;

	jw_init(&jw);
	jw_open(&jw, '{');
	jw_key(&jw, "runs");
	jw_open(&jw, '[');
	jw_close(&jw, ']');
	jw_key(&jw, "services");
	jw_open(&jw, '[');
	for (i = 0; i < w->n; i++)
		method_service_write(&jw, w->slots[i].service);
	jw_close(&jw, ']');
	jw_close(&jw, '}');
	svc_wait_free(w);
	ctl_reply_text(c, &jw, false);
}

static void
svc_wait_cb(struct service_waiter *wt, struct service *s, bool ok)
{
	struct svc_wait_slot *slot = (struct svc_wait_slot *)wt;
	struct svc_wait *w = slot->wait;

	(void)s;
	slot->done = true;
	slot->ok = ok;
	if (--w->pending == 0)
		svc_wait_reply(w);
}

static void
svc_wait_cancel(void *ctx)
{
	svc_wait_free(ctx);
}

/* Replies now, or once every service is up (or down, for_stop). */
static void
svc_wait_start(struct conn *c, struct service **svcs, size_t n,
    bool wait, bool for_stop)
{
	struct svc_wait *w;
	size_t i;

	w = xcalloc(1, sizeof(*w) + n * sizeof(w->slots[0]));
	w->conn = c;
	w->n = n;
	for (i = 0; i < n; i++) {
		struct svc_wait_slot *slot = &w->slots[i];
		struct service *s = svcs[i];
		bool up = s->state == SVC_READY || s->state == SVC_RELOADING;
		bool down = (s->state == SVC_STOPPED && !s->want_up) ||
		    s->state == SVC_FAILED;

		slot->wait = w;
		slot->service = s;
		slot->waiter.cb = svc_wait_cb;
		slot->waiter.for_stop = for_stop;
		if (!wait || (for_stop ? down : (up || down))) {
			slot->done = true;
			continue;
		}
		service_wait(s, &slot->waiter);
		w->pending++;
	}
	if (w->pending == 0) {
		svc_wait_reply(w);
		return;
	}
	ctl_set_cancel(c, svc_wait_cancel, w);
}

/* The services named in names, or NULL after an error reply. */
static struct service **
svc_resolve(struct conn *c, json_t *names, size_t *ret_n)
{
	struct method_ctx *m = ctl_ctx(c);
	struct service **v;
	struct job *j;
	json_t *e;
	size_t i;

	*ret_n = json_array_size(names);
	if (*ret_n == 0) {
		ctl_error_invalid_parameter(c, "services");
		return NULL;
	}
	v = xcalloc(*ret_n, sizeof(*v));
	json_array_foreach(names, i, e) {
		j = units_find(m->units, json_string_value(e));
		if (!j || !j->service) {
			if (j)
				ctl_error(c, IFACE_ERROR("NotService"),
				    json_pack("{s:s}", "unit",
				    json_string_value(e)));
			else
				ctl_error(c, IFACE_ERROR("NoSuchJob"),
				    json_pack("{s:s}", "job",
				    json_string_value(e)));
			free(v);
			return NULL;
		}
		v[i] = j->service;
	}
	return v;
}

/* Start for services (method_start sends them here). */
void
method_start_services(struct conn *c, json_t *names, bool wait)
{
	_cleanup_free_ struct service **v = NULL;
	size_t i, n;

	if (!(v = svc_resolve(c, names, &n)))
		return;
	for (i = 0; i < n; i++) {
		if (v[i]->state == SVC_FAILED) {
			ctl_error(c, IFACE_ERROR("ServiceFailed"),
			    json_pack("{s:s, s:s}", "service",
			    v[i]->job->name, "reason", v[i]->reason ?
			    v[i]->reason : "failed"));
			return;
		}
	}
	for (i = 0; i < n; i++)
		service_start(v[i], TRIGGER_MANUAL);
	svc_wait_start(c, v, n, wait, false);
}

struct svc_params {
	json_t *services;
	bool wait;
	const char *signal;
};

static int
svc_params(struct conn *c, json_t *params, struct svc_params *p,
    bool with_signal)
{
	static const struct ctl_param spec[] = {
		{ "services", CTL_STRINGS, true,
		    offsetof(struct svc_params, services) },
		{ "wait", CTL_BOOL, false, offsetof(struct svc_params, wait) },
		{ "signal", CTL_STRING, true, offsetof(struct svc_params,
		    signal) },
	};

	return ctl_params(c, params, spec, with_signal ? 3 : 2, p);
}

static void
svc_stop(struct service *s)
{
	service_stop(s, "stopped with jobctl stop");
}

/* Stop, Restart and ResetFailed: one action on each service, then the
 * reply, at once or (wait) once each is down or up. */
static void
svc_each(struct conn *c, json_t *params, void (*action)(struct service *),
    bool can_wait, bool for_stop)
{
	_cleanup_free_ struct service **v = NULL;
	struct svc_params p;
	size_t i, n;

	if (svc_params(c, params, &p, false) < 0 ||
	    !(v = svc_resolve(c, p.services, &n)))
		return;
	for (i = 0; i < n; i++)
		action(v[i]);
	svc_wait_start(c, v, n, can_wait && p.wait, for_stop);
}

void
method_stop(struct conn *c, json_t *params)
{
	svc_each(c, params, svc_stop, true, true);
}

void
method_restart(struct conn *c, json_t *params)
{
	svc_each(c, params, service_restart, true, false);
}

void
method_reset_failed(struct conn *c, json_t *params)
{
	svc_each(c, params, service_reset_failed, false, false);
}

/* ReloadService and Signal: a signal to each service's main process. */
static void
svc_send(struct conn *c, json_t *params, bool reload)
{
	_cleanup_free_ struct service **v = NULL;
	struct svc_params p;
	size_t i, n;
	int sig = 0, r;

	if (svc_params(c, params, &p, !reload) < 0 ||
	    !(v = svc_resolve(c, p.services, &n)))
		return;
	if (!reload && (sig = signal_from_string(p.signal)) < 0) {
		ctl_error_invalid_parameter(c, "signal");
		return;
	}
	for (i = 0; i < n; i++) {
		r = reload ? service_reload(v[i]) : service_signal(v[i], sig);
		if (r < 0) {
			ctl_error(c, IFACE_ERROR("NotRunning"),
			    json_pack("{s:s}", "service", v[i]->job->name));
			return;
		}
	}
	svc_wait_start(c, v, n, false, false);
}

void
method_reload_service(struct conn *c, json_t *params)
{
	svc_send(c, params, true);
}

void
method_signal(struct conn *c, json_t *params)
{
	svc_send(c, params, false);
}
