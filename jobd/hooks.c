/* Retries and hooks.  A failed (or timed-out) run of a job with retry=N
 * gets up to N more attempts, each its own run with trigger "retry" and a
 * link to the first attempt, after retry_sec doubled per attempt up to
 * retry_max_sec.  Once there is no further attempt, on_failure= or
 * on_success= jobs run with the outcome in JOBD_TRIGGER_*, their chain in
 * JOBD_CHAIN_* and the output tail on stdin.  A hook's run starts its own
 * hooks (never a retry): --check refuses cycles, and HOOKS_CHAIN_MAX
 * bounds what it cannot see (a reload between two links).
 * notify_on=change compares with the last verdict on record (read back at
 * start), so a restart does not run a hook again. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hooks.h"
#include "job.h"
#include "ledger.h"
#include "log.h"
#include "record.h"
#include "run-ctx.h"
#include "run.h"
#include "strv.h"
#include "units.h"
#include "xmalloc.h"

#define HOOK_STDIN_MAX (100 * 1024)	/* under the kernel's argument bound */

struct retry {
	uv_timer_t timer;
	struct hooks *hooks;
	char *job;
	uint64_t first;
	unsigned attempt;
	struct retry *next;
};

static void
retry_close_cb(uv_handle_t *h)
{
	struct retry *t = h->data;

	free(t->job);
	free(t);
}

static void
retry_unlink(struct retry *t)
{
	struct retry **pp;

	for (pp = &t->hooks->retries; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	uv_close((uv_handle_t *)&t->timer, retry_close_cb);
}

static void
retry_fire_cb(uv_timer_t *timer)
{
	struct retry *t = timer->data;
	struct job *j = units_find(t->hooks->units, t->job);

	if (j && !t->hooks->runs->stopping)
		job_trigger_full(j, TRIGGER_RETRY, &(struct run_opts){
		    .retry_of = t->first, .attempt = t->attempt });
	retry_unlink(t);
}

static bool
hooks_should_retry(const struct job_config *jc, const struct run *r)
{
	const struct job_policy *p = &jc->policy;

	if (r->is_hook || r->attempt >= p->retry)
		return false;
	/* An oom is a failure that says why. */
	return ((r->result == RESULT_FAILED || r->result == RESULT_OOM) &&
	    p->retry_on_failed) ||
	    (r->result == RESULT_TIMEOUT && p->retry_on_timeout);
}

bool
hooks_will_retry(const struct run_ctx *runs, const struct job_config *jc,
    const struct run *r)
{
	return !runs->stopping && hooks_should_retry(jc, r);
}

static void
hooks_schedule_retry(struct hooks *h, struct job *j, struct run *r)
{
	const struct job_policy *p = &j->config->policy;
	struct retry *t = xcalloc(1, sizeof(*t));
	usec_t delay = p->retry_sec;
	char buf[TIMESPAN_MAX];
	unsigned i;

	for (i = 0; i < r->attempt && delay < p->retry_max_sec; i++)
		delay *= 2;
	delay = MIN(delay, p->retry_max_sec);
	t->hooks = h;
	t->job = xstrdup(j->name);
	t->first = r->retry_of ? r->retry_of : r->id;
	t->attempt = r->attempt + 1;
	uv_timer_init(h->runs->loop, &t->timer);
	t->timer.data = t;
	uv_timer_start(&t->timer, retry_fire_cb, delay / USEC_PER_MSEC, 0);
	t->next = h->retries;
	h->retries = t;
	log_full(LOG_NOTICE, j->name, r->id, "job '%s' run %llu %s; attempt "
	    "%u of %u in %s", j->name, (unsigned long long)r->id,
	    run_result_name[r->result], t->attempt + 1, p->retry + 1,
	    timespan_format(buf, sizeof(buf), delay));
}

/* The output tail as text for the hook's stdin, bounded. */
static char *
hooks_tail_text(const struct run *r)
{
	const struct tail_line *l;
	size_t len = 0, n;
	char *s, *p;

	TAILQ_FOREACH(l, &r->tail.lines, entry)
		len += l->len + 1;
	len = MIN(len, (size_t)HOOK_STDIN_MAX);
	p = s = xmalloc(len + 1);
	TAILQ_FOREACH(l, &r->tail.lines, entry) {
		n = MIN(l->len, len - (size_t)(p - s));
		memcpy(p, l->data, n);
		p += n;
		if ((size_t)(p - s) >= len)
			break;
		*p++ = '\n';
	}
	*p = '\0';
	/* A NUL byte in the output would end the argument early. */
	return s;
}

/* The chain r's hooks are on: r's own one link deeper, or a new one
 * that r begins.  Its strings are r's and j's. */
static struct run_chain
hooks_chain_of(struct job *j, const struct run *r)
{
	const struct run_chain *c = r->chain;

	return (struct run_chain){ .hook_of = r->id, .hook_of_job = j->name,
	    .first = c ? c->first : r->id,
	    .first_job = c ? c->first_job : j->name,
	    .depth = c ? c->depth + 1 : 1 };
}

/* What a hook's environment says of the run that started it and of its
 * chain. */
static char **
hooks_env(struct job *j, const struct run *r, const struct run_chain *c)
{
	char **env = NULL;

	env = strv_push(env, xstrfmt("JOBD_TRIGGER_RUN=%llu",
	    (unsigned long long)r->id));
	env = strv_push(env, xstrfmt("JOBD_TRIGGER_JOB=%s", j->name));
	env = strv_push(env, xstrfmt("JOBD_TRIGGER_RESULT=%s",
	    run_result_name[r->result]));
	if (run_exit_status(r) >= 0)
		env = strv_push(env, xstrfmt("JOBD_TRIGGER_EXIT_STATUS=%d",
		    run_exit_status(r)));
	env = strv_push(env, xstrfmt("JOBD_CHAIN_FIRST_RUN=%llu",
	    (unsigned long long)c->first));
	env = strv_push(env, xstrfmt("JOBD_CHAIN_FIRST_JOB=%s", c->first_job));
	env = strv_push(env, xstrfmt("JOBD_CHAIN_DEPTH=%u", c->depth));
	return env;
}

/* Past the bound, h is not started: a skipped run of it on record says
 * why, as the log does. */
static void
hooks_refuse(struct hooks *k, struct job *h, const struct run *r,
    const struct run_chain *c, const char *key)
{
	uint64_t id = k->runs->next_id(k->runs->owner);
	_cleanup_free_ char *why = xstrfmt("not started: %s= of run %llu "
	    "of '%s' would be %u hooks deep, past the bound of %d (a cycle "
	    "of hooks?)", key, (unsigned long long)r->id, c->hook_of_job,
	    c->depth, HOOKS_CHAIN_MAX);

	log_full(LOG_WARNING, h->name, id, "job '%s' run %llu: %s", h->name,
	    (unsigned long long)id, why);
	record_hook_skipped(k->record, id, h->name, c, why);
}

static void
hooks_start(struct hooks *k, struct job *j, struct run *r, char **hooks,
    const char *key)
{
	_cleanup_free_ char *tail = NULL;
	_cleanup_(strv_freep) char **env = NULL;
	struct run_chain c = hooks_chain_of(j, r);
	struct job *h;
	size_t i;

	for (i = 0; hooks && hooks[i]; i++) {
		if (!(h = units_find(k->units, hooks[i])) || h->service ||
		    !h->config)
			continue;
		if (c.depth > HOOKS_CHAIN_MAX) {
			hooks_refuse(k, h, r, &c, key);
			continue;
		}
		if (!env) {
			tail = hooks_tail_text(r);
			env = hooks_env(j, r, &c);
		}
		log_full(LOG_INFO, j->name, r->id, "job '%s' run %llu %s: "
		    "starting '%s'", j->name, (unsigned long long)r->id,
		    run_result_name[r->result], h->name);
		job_trigger_full(h, TRIGGER_DEPENDENCY, &(struct run_opts){
		    .is_hook = true, .chain = &c, .stdin_data = tail,
		    .env = env });
	}
}

static bool
result_is_failure(enum run_result r)
{
	return r == RESULT_FAILED || r == RESULT_TIMEOUT || r == RESULT_LOST ||
	    r == RESULT_OOM;
}

/* What follows a finished run: a retry, else the hooks (with
 * notify_on=change, only when the result changed). */
static void
hooks_finished_cb(struct run_subscriber *sub, struct run *r)
{
	struct hooks *h = container_of(sub, struct hooks, sub);
	struct job *j = r->job;
	const struct job_config *jc = j->config;
	enum run_result prev = j->last_result;
	bool fail = result_is_failure(r->result);

	if (!jc || r->result == RESULT_CANCELLED ||
	    r->result == RESULT_SKIPPED)
		return;
	if (hooks_will_retry(h->runs, jc, r)) {
		hooks_schedule_retry(h, j, r);
		return;
	}
	/* An alert command's run starts nothing, so alerts cannot loop. */
	if (r->trigger == TRIGGER_ALERT)
		return;
	j->last_result = r->result;
	if (jc->policy.notify_on == NOTIFY_ON_CHANGE &&
	    (fail ? prev != RESULT_NONE && result_is_failure(prev) :
	    !result_is_failure(prev)))
		return;
	if (!h->runs->stopping)
		hooks_start(h, j, r, fail ? jc->policy.on_failure :
		    jc->policy.on_success, fail ? "on_failure" : "on_success");
}

void
hooks_load_results(struct hooks *h, const struct ledger_job_stats *v,
    size_t n)
{
	struct job *j;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		if (!v[i].job || !v[i].last_result ||
		    !(j = units_find(h->units, v[i].job)))
			continue;
		for (k = 0; k < RESULT_NRESULTS; k++)
			if (run_result_name[k] &&
			    !strcmp(run_result_name[k], v[i].last_result))
				j->last_result = (enum run_result)k;
	}
}

void
hooks_init(struct hooks *h, struct units *u, const struct run_ctx *runs,
    struct record *rec, struct run_hub *hub)
{
	*h = (struct hooks){ .units = u, .runs = runs, .record = rec };
	h->sub = (struct run_subscriber){ .finished = hooks_finished_cb };
	run_hub_subscribe(hub, &h->sub);
}

void
hooks_stop(struct hooks *h)
{
	while (h->retries)
		retry_unlink(h->retries);
}
