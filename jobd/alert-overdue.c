/* The dead man's switch.  A job with expect_success_within=SPAN is due a
 * success by its deadline: SPAN after its last success or, with none on
 * record, after jobd first saw it with the key.  Deadlines sit in a heap
 * and one timer waits for the earliest (a minute at most at a time: the
 * deadlines are wall-clock times, the timer is monotonic), so 10,000
 * jobs cost one timer and O(log n) per success or reload.  A job past
 * its deadline is overdue, once (kept in the ledger); its next success
 * clears it and re-arms it (alert-policy.c). */
#include <stdlib.h>
#include <string.h>

#include "alert-policy.h"
#include "config.h"
#include "job.h"
#include "log.h"
#include "macro.h"
#include "run-ctx.h"
#include "units.h"
#include "xmalloc.h"

/* Longest single wait: bounds the drift between the monotonic timer and
 * the wall clock (a clock set, a suspend). */
#define OVERDUE_MAX_WAIT (60 * USEC_PER_SEC)

static bool
overdue_before(const struct job *a, const struct job *b)
{
	return a->alert.deadline < b->alert.deadline;
}

static void
overdue_set(struct alert_policy *p, size_t i, struct job *j)
{
	p->heap[i] = j;
	j->alert.heap_index = i;
}

static void
overdue_up(struct alert_policy *p, size_t i)
{
	struct job *j = p->heap[i];

	while (i > 0 && overdue_before(j, p->heap[(i - 1) / 2])) {
		overdue_set(p, i, p->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	overdue_set(p, i, j);
}

static void
overdue_down(struct alert_policy *p, size_t i)
{
	struct job *j = p->heap[i];
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= p->n)
			break;
		if (c + 1 < p->n && overdue_before(p->heap[c + 1], p->heap[c]))
			c++;
		if (!overdue_before(p->heap[c], j))
			break;
		overdue_set(p, i, p->heap[c]);
		i = c;
	}
	overdue_set(p, i, j);
}

static void
overdue_remove(struct alert_policy *p, struct job *j)
{
	size_t i = j->alert.heap_index;

	if (i == SIZE_MAX)
		return;
	j->alert.heap_index = SIZE_MAX;
	if (i == --p->n)
		return;
	overdue_set(p, i, p->heap[p->n]);
	overdue_down(p, i);
	overdue_up(p, i);
}

/* Puts j in the heap at its deadline, or moves it there. */
static void
overdue_place(struct alert_policy *p, struct job *j)
{
	size_t i = j->alert.heap_index;

	if (i != SIZE_MAX) {
		overdue_down(p, i);
		overdue_up(p, j->alert.heap_index);
		return;
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->heap = xreallocarray(p->heap, p->cap, sizeof(*p->heap));
	}
	overdue_set(p, p->n, j);
	overdue_up(p, p->n++);
}

/* When j is due a success, or 0: no switch, already overdue, or not
 * known since when. */
static usec_t
overdue_deadline(const struct job *j)
{
	const struct job_config *jc = j->config;
	usec_t span = jc ? jc->policy.expect_success_within : 0;
	usec_t base = j->alert.last_success ? j->alert.last_success :
	    j->alert.since;

	if (!span || jc->service || j->alert.overdue || !base)
		return 0;
	return base > USEC_INFINITY - span ? USEC_INFINITY - 1 : base + span;
}

static void overdue_timer_cb(uv_timer_t *);

/* Waits for the earliest deadline. */
static void
overdue_arm_timer(struct alert_policy *p)
{
	usec_t now, wait, first;

	if (!p->started || p->stopped)
		return;
	if (p->n == 0) {
		uv_timer_stop(&p->timer);
		return;
	}
	now = p->now();
	first = p->heap[0]->alert.deadline;
	wait = MIN(first > now ? first - now : 0, OVERDUE_MAX_WAIT);
	uv_timer_start(&p->timer, overdue_timer_cb,
	    (wait + USEC_PER_MSEC - 1) / USEC_PER_MSEC, 0);
}

/* j's deadline in force, without touching the timer. */
static void
overdue_update(struct alert_policy *p, struct job *j)
{
	j->alert.deadline = overdue_deadline(j);
	if (j->alert.deadline)
		overdue_place(p, j);
	else
		overdue_remove(p, j);
}

void
alert_policy_arm(struct alert_policy *p, struct job *j)
{
	if (!p->started || p->stopped)
		return;
	overdue_update(p, j);
	overdue_arm_timer(p);
}

/* j's deadline passed: overdue, kept, told once. */
static void
overdue_enter(struct alert_policy *p, struct job *j)
{
	usec_t span = j->config->policy.expect_success_within;
	char buf[TIMESPAN_MAX];
	struct alert_event *e;

	j->alert.overdue = true;
	j->alert.overdue_since = j->alert.deadline;
	j->alert.deadline = 0;
	alert_policy_save(p, j);
	timespan_format(buf, sizeof(buf), span);
	log_full(LOG_NOTICE, j->name, 0, "job '%s': no successful run within "
	    "%s (expect_success_within=); overdue", j->name, buf);
	e = xcalloc(1, sizeof(*e));
	e->kind = ALERT_OVERDUE;
	e->job = xstrdup(j->name);
	e->reason = xstrfmt("no successful run within %s", buf);
	alert_policy_send(p, j, e);
}

usec_t
alert_policy_tick(struct alert_policy *p, usec_t now)
{
	struct job *j;

	while (p->n > 0 && p->heap[0]->alert.deadline <= now) {
		j = p->heap[0];
		overdue_remove(p, j);
		overdue_enter(p, j);
	}
	return p->n > 0 ? p->heap[0]->alert.deadline : 0;
}

static void
overdue_timer_cb(uv_timer_t *t)
{
	struct alert_policy *p = t->data;

	alert_policy_tick(p, p->now());
	overdue_arm_timer(p);
}

/* The switch as the config has it: a job first seen with it starts its
 * clock now, for good; a job without it is not overdue any more. */
static void
overdue_follow_config(struct alert_policy *p, struct job *j, usec_t now)
{
	bool on = j->config && !j->config->service &&
	    j->config->policy.expect_success_within;

	if (on && !j->alert.since) {
		j->alert.since = now;
		alert_policy_save(p, j);
	} else if (!on && j->alert.overdue) {
		j->alert.overdue = false;
		j->alert.overdue_since = 0;
		alert_policy_save(p, j);
	}
}

void
alert_policy_start(struct alert_policy *p)
{
	usec_t now = p->now();
	struct job *j;

	if (p->started || p->stopped)
		return;
	uv_timer_init(p->runs->loop, &p->timer);
	p->timer.data = p;
	p->started = true;
	TAILQ_FOREACH(j, &p->units->jobs, entry) {
		overdue_follow_config(p, j, now);
		overdue_update(p, j);
	}
	overdue_arm_timer(p);
}

void
alert_policy_job_changed(struct alert_policy *p, struct job *j)
{
	if (!p->started || p->stopped)
		return;
	overdue_follow_config(p, j, p->now());
	alert_policy_arm(p, j);
}

void
alert_policy_job_removed(struct alert_policy *p, struct job *j)
{
	overdue_remove(p, j);
	j->alert.deadline = 0;
	overdue_arm_timer(p);
}

void
alert_policy_stop(struct alert_policy *p)
{
	if (p->stopped)
		return;
	p->stopped = true;
	while (p->n > 0)
		overdue_remove(p, p->heap[p->n - 1]);
	if (p->started)
		uv_close((uv_handle_t *)&p->timer, NULL);
}

void
alert_policy_free(struct alert_policy *p)
{
	free(p->heap);
	p->heap = NULL;
	p->n = p->cap = 0;
}
