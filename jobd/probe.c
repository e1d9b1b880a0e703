/* One service's probe: when the next check runs, the deadline of the one
 * in flight (probe_timeout=: the check is stopped and counted failed),
 * and the result handed to the owner.  The checks themselves are the
 * kinds' (probe-exec.c, probe-http.c, probe-tcp.c). */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "probe-internal.h"
#include "strv.h"
#include "xmalloc.h"

/* Until a check passed, checks come at least this often, so that a
 * service with ready=probe is ready soon after it listens. */
#define PROBE_UNTIL_PASSED_INTERVAL USEC_PER_SEC

static void probe_timer_cb(uv_timer_t *);
static void probe_deadline_cb(uv_timer_t *);

static const struct probe_ops *const probe_kind_ops[PROBE_NKINDS] = {
	[PROBE_EXEC] = &probe_exec_ops,
	[PROBE_HTTP] = &probe_http_ops,
	[PROBE_TCP] = &probe_tcp_ops,
};

void
probe_ctx_init(struct probe_ctx *c, uv_loop_t *loop, struct spawn_queue *q,
    const char *exec_helper)
{
	*c = (struct probe_ctx){ .loop = loop, .spawnq = q,
	    .exec_helper = exec_helper };
}

bool
probe_ctx_busy(const struct probe_ctx *c)
{
	return c->spawning > 0;
}

void
probe_ctx_close(struct probe_ctx *c)
{
	c->closed = true;
	if (c->http_open)
		http_client_close(&c->http);
	c->http_open = false;
}

static void
probe_arm(uv_timer_t *t, usec_t delay, uv_timer_cb cb)
{
	uv_timer_start(t, cb, (delay + USEC_PER_MSEC - 1) / USEC_PER_MSEC, 0);
}

/* The next check, counted from the start of the last one.  After the
 * first pass, the next comes at a random point of the interval: services
 * started together would otherwise be checked together forever, a burst
 * on the loop each interval (a thousand checks at once held it for tens
 * of milliseconds) instead of an even trickle. */
static void
probe_schedule(struct probe *p, bool first_pass)
{
	usec_t every = p->spec.interval, spent;

	if (!p->passed && every > PROBE_UNTIL_PASSED_INTERVAL)
		every = PROBE_UNTIL_PASSED_INTERVAL;
	if (first_pass) {
		probe_arm(&p->timer, 1 + (usec_t)random() % every,
		    probe_timer_cb);
		return;
	}
	spent = now_monotonic() - p->check_started;
	probe_arm(&p->timer, spent < every ? every - spent : 0,
	    probe_timer_cb);
}

void
probe_check_done(struct probe *p, bool ok, char *detail)
{
	struct probe_result r;
	usec_t now = now_monotonic();
	bool first_pass;

	if (strlen(detail) > PROBE_DETAIL_MAX)
		detail[PROBE_DETAIL_MAX] = '\0';
	if (p->in_start) {
		p->early_ok = ok;
		p->early_detail = detail;
		return;
	}
	p->check = NULL;
	p->ctx->checks--;
	uv_timer_stop(&p->deadline);
	first_pass = ok && !p->passed;
	if (ok)
		p->passed = true;
	r = (struct probe_result){
		.ok = ok,
		.in_start_period = now - p->started < p->spec.start_period,
		.detail = detail,
		.at = now_realtime(),
		.duration = now - p->check_started,
	};
	probe_schedule(p, first_pass);
	p->result(p->owner, &r);
	free(detail);
}

static void
probe_run_check(struct probe *p)
{
	char *why = NULL;

	p->check_started = now_monotonic();
	p->ctx->checks++;
	p->in_start = true;
	p->check = probe_kind_ops[p->spec.kind]->start(p, &why);
	p->in_start = false;
	if (!p->check && !p->early_detail) {
		p->early_ok = false;
		p->early_detail = why ? why : xstrdup("cannot start");
	} else {
		free(why);
	}
	if (p->early_detail) {
		p->check = NULL;
		probe_check_done(p, p->early_ok, TAKE_PTR(p->early_detail));
		return;
	}
	probe_arm(&p->deadline, p->spec.timeout, probe_deadline_cb);
}

static void
probe_timer_cb(uv_timer_t *t)
{
	struct probe *p = t->data;

	if (!p->stopped && !p->check)
		probe_run_check(p);
}

/* The check took too long: stopped, and failed. */
static void
probe_deadline_cb(uv_timer_t *t)
{
	struct probe *p = t->data;
	char span[TIMESPAN_MAX];

	if (!p->check)
		return;
	probe_kind_ops[p->spec.kind]->cancel(p->check);
	probe_check_done(p, false, xstrfmt("timed out after %s",
	    timespan_format(span, sizeof(span), p->spec.timeout)));
}

/* A copy of what the checks need: the service's probe= and, for a
 * command, its user, group, directory and environment. */
static void
probe_copy_spec(struct probe *p, const struct job_config *jc)
{
	const struct job_probe *s = &jc->svc.probe;

	p->spec = *s;
	p->spec.target = xstrdup(s->target);
	p->spec.host = s->host ? xstrdup(s->host) : NULL;
	p->name = xstrdup(jc->name);
	p->user = jc->user ? xstrdup(jc->user) : NULL;
	p->group = jc->group ? xstrdup(jc->group) : NULL;
	p->cwd = jc->working_directory ? xstrdup(jc->working_directory) :
	    NULL;
	p->env = strv_copy(jc->environment);
}

struct probe *
probe_start(struct probe_ctx *c, const struct job_config *jc,
    probe_result_fn result, void *owner)
{
	struct probe *p;

	if (jc->svc.probe.kind == PROBE_NONE || c->closed)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->ctx = c;
	p->result = result;
	p->owner = owner;
	probe_copy_spec(p, jc);
	uv_timer_init(c->loop, &p->timer);
	uv_timer_init(c->loop, &p->deadline);
	p->timer.data = p->deadline.data = p;
	p->open = 2;
	p->started = p->check_started = now_monotonic();
	probe_arm(&p->timer, 0, probe_timer_cb);
	return p;
}

static void
probe_close_cb(uv_handle_t *h)
{
	struct probe *p = h->data;

	if (--p->open > 0)
		return;
	free(p->spec.target);
	free(p->spec.host);
	free(p->name);
	free(p->user);
	free(p->group);
	free(p->cwd);
	strv_free(p->env);
	free(p);
}

void
probe_stop(struct probe *p)
{
	if (!p || p->stopped)
		return;
	p->stopped = true;
	if (p->check) {
		probe_kind_ops[p->spec.kind]->cancel(p->check);
		p->check = NULL;
		p->ctx->checks--;
	}
	uv_close((uv_handle_t *)&p->timer, probe_close_cb);
	uv_close((uv_handle_t *)&p->deadline, probe_close_cb);
}
