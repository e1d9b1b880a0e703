/* The scheduler.  Each periodic job has one pending slot (its next
 * calendar elapse, every= interval or boot run) and a firing time (the
 * slot plus the job's stable jitter); jobs sit in a heap by firing time
 * and one libuv timer waits for the earliest.  Waiting uses the monotonic
 * clock, slots are wall-clock times: so a timerfd that the kernel cancels
 * when the clock is set wakes us to re-arm, and every tick re-reads the
 * wall clock.  A slot is handled at most once (last_slot, persisted in
 * the ledger), so a clock set backwards never re-runs one. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "calendar.h"
#include "config.h"
#include "job.h"
#include "log.h"
#include "record.h"
#include "run-ctx.h"
#include "units.h"
#include "job.h"
#include "log.h"
#include "run.h"
#include "scheduler.h"
#include "xmalloc.h"

/* Longest single wait: bounds drift between the monotonic timer and the
 * wall clock (NTP slewing, suspend without a clock-set event). */
#define SCHED_MAX_WAIT (60 * USEC_PER_SEC)

static void sched_arm_timer(struct sched *);

/* The reason of a slot skipped with jobctl skip (compared by address). */
static const char SCHED_SKIP_BY_USER[] = "skipped with jobctl skip";

/* Heap of jobs by fire_at: the usual array heap, with each job knowing
 * its index so that re-arming one job is O(log n). */
static bool
sched_before(const struct job *a, const struct job *b)
{
	return a->sched.fire_at < b->sched.fire_at;
}

static void
sched_heap_set(struct sched *s, size_t i, struct job *j)
{
	s->heap[i] = j;
	j->sched.heap_index = i;
}

static void
sched_heap_up(struct sched *s, size_t i)
{
	struct job *j = s->heap[i];

	while (i > 0 && sched_before(j, s->heap[(i - 1) / 2])) {
		sched_heap_set(s, i, s->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	sched_heap_set(s, i, j);
}

static void
sched_heap_down(struct sched *s, size_t i)
{
	struct job *j = s->heap[i];
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= s->n)
			break;
		if (c + 1 < s->n && sched_before(s->heap[c + 1], s->heap[c]))
			c++;
		if (!sched_before(s->heap[c], j))
			break;
		sched_heap_set(s, i, s->heap[c]);
		i = c;
	}
	sched_heap_set(s, i, j);
}

static void
sched_heap_remove(struct sched *s, struct job *j)
{
	size_t i = j->sched.heap_index;

	if (i == SIZE_MAX)
		return;
	j->sched.heap_index = SIZE_MAX;
	if (i == --s->n)
		return;
	sched_heap_set(s, i, s->heap[s->n]);
	sched_heap_down(s, i);
	sched_heap_up(s, i);
}

static void
sched_heap_insert(struct sched *s, struct job *j)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->heap = xreallocarray(s->heap, s->cap, sizeof(*s->heap));
	}
	sched_heap_set(s, s->n, j);
	s->n++;
	sched_heap_up(s, s->n - 1);
}

/* FNV-1a: a stable hash, the same on every start (not seeded). */
static uint64_t
sched_hash(uint64_t h, const char *p)
{
	for (; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 0x100000001b3ULL;
	}
	return h;
}

usec_t
sched_jitter(const struct sched *s, const struct job *j)
{
	usec_t jitter = j->config ? j->config->sched.jitter : 0;

	if (jitter == 0 || jitter == USEC_INFINITY)
		return 0;
	return sched_hash(s->host_hash, j->name) % jitter;
}

const struct tz *
sched_tz(const struct sched *s, const struct job *j)
{
	const struct job_schedule *js = &j->config->sched;

	return js->tz ? js->tz : s->runs->config->local_tz;
}

static bool
sched_has_boot(const struct job *j)
{
	const struct job_schedule *js = &j->config->sched;
	size_t i;

	if (js->has_on_boot)
		return true;
	for (i = 0; i < js->n; i++)
		if (cal_is_reboot(js->specs[i]))
			return true;
	return false;
}

/* The calendar and every= slot strictly after `after`; 0 if none. */
usec_t
sched_next_regular(const struct sched *s, const struct job *j, usec_t after,
    unsigned *ret_flags)
{
	const struct job_schedule *js = &j->config->sched;
	usec_t best = 0, t, base;
	unsigned f, bestf = 0;
	size_t i;

	for (i = 0; i < js->n; i++) {
		if (cal_is_reboot(js->specs[i]))
			continue;
		if (cal_next(js->specs[i], sched_tz(s, j), &js->dst, after, &t,
		    &f) < 0)
			continue;
		if (!best || t < best) {
			best = t;
			bestf = f;
		}
	}
	if (js->every) {
		/* every= counts from the previous run's start; in a cluster
		 * from the Unix epoch, so that every node names the same
		 * slots. */
		base = s->claim ? 0 : MAX(j->last_started, j->sched.last_slot);
		if (!base && !s->claim)
			base = s->daemon_started;
		t = base + js->every;
		/* Missed periods are not counted one by one: the next
		 * period boundary after `after` comes next. */
		if (t <= after)
			t = base + ((after - base) / js->every + 1) *
			    js->every;
		if (!best || t < best) {
			best = t;
			bestf = 0;
		}
	}
	*ret_flags = bestf;
	return best;
}

/* Computes the job's next slot after `after` and puts it in the heap. */
static void
sched_arm_job(struct sched *s, struct job *j, usec_t after)
{
	struct job_sched *js = &j->sched;
	unsigned flags = 0;

	sched_heap_remove(s, j);
	if (!j->config || !job_config_is_periodic(j->config))
		return;
	if (s->boot_first && !js->boot_done && sched_has_boot(j)) {
		js->next_slot = s->boot_time + j->config->sched.on_boot;
		js->flags = SCHED_SLOT_BOOT;
		js->fire_at = js->next_slot;
	} else {
		js->next_slot = sched_next_regular(s, j, after, &flags);
		js->flags = flags;
		js->fire_at = js->next_slot ? js->next_slot +
		    sched_jitter(s, j) : 0;
	}
	if (js->next_slot)
		sched_heap_insert(s, j);
}

static void
sched_persist(struct sched *s, struct job *j)
{
	record_job_state(s->record, j->name, j->sched.last_slot,
	    j->sched.paused_until, j->sched.skips_pending);
}

static void
sched_queue_push(struct job *j, usec_t slot, enum run_trigger trigger)
{
	struct job_sched *js = &j->sched;

	js->queue = xreallocarray(js->queue, js->nqueue + 1,
	    sizeof(*js->queue));
	js->queue[js->nqueue++] = (struct sched_slot){ slot, trigger };
}

/* A slot that does not run: on record as a skipped run with the reason
 * (it gets a run id like any run); the owner hears of it (alerts). */
static void
sched_skip_slot(struct sched *s, struct job *j, enum run_trigger trigger,
    usec_t slot, const char *reason)
{
	uint64_t id = s->runs->next_id(s->runs->owner);

	log_full(LOG_NOTICE, j->name, id, "job '%s': slot %s skipped: %s",
	    j->name, timestamp_format((char[TIMESTAMP_MAX]){ 0 },
	    TIMESTAMP_MAX, slot), reason);
	record_run_skipped(s->record, id, j->name, run_trigger_name[trigger],
	    slot, reason, reason == SCHED_SKIP_BY_USER ? &j->sched.skip_by :
	    NULL);
	if (s->skipped)
		s->skipped(s->owner, j, id, trigger, slot, reason,
		    reason == SCHED_SKIP_BY_USER);
}

/* Starts a slot now, unless its starting deadline has passed. */
static void
sched_start_slot(struct sched *s, struct job *j, usec_t slot,
    enum run_trigger trigger, usec_t now)
{
	usec_t deadline = j->config->sched.starting_deadline;
	char a[TIMESPAN_MAX], b[TIMESPAN_MAX], *why;

	if (s->units->nruns_open >= JOB_MAX_RUNS) {
		why = xstrfmt("too many runs in flight (the limit is %d)",
		    JOB_MAX_RUNS);
		sched_skip_slot(s, j, trigger, slot, why);
		free(why);
		return;
	}
	if (deadline && deadline != USEC_INFINITY && now > slot + deadline) {
		why = xstrfmt("started %s after its slot, past "
		    "starting_deadline=%s", timespan_format(a, sizeof(a),
		    now - slot), timespan_format(b, sizeof(b), deadline));
		sched_skip_slot(s, j, trigger, slot, why);
		free(why);
		return;
	}
	if (s->claim)
		s->claim(s->claim_owner, j, trigger, slot);
	else
		s->trigger(j, trigger, slot);
}

/* A slot is due: skip, queue, replace or start, as the job says. */
static void
sched_fire(struct sched *s, struct job *j, usec_t slot,
    enum run_trigger trigger, usec_t now)
{
	const struct job_schedule *cfg = &j->config->sched;
	struct run *r, *tmp;
	char *why;

	if (j->sched.skips_pending > 0) {
		j->sched.skips_pending--;
		sched_skip_slot(s, j, trigger, slot, SCHED_SKIP_BY_USER);
		return;
	}
	if (j->nactive == 0) {
		sched_start_slot(s, j, slot, trigger, now);
		return;
	}
	switch (cfg->overlap) {
	case OVERLAP_SKIP:
		why = xstrfmt("run %" PRIu64 " still running (overlap=skip)",
		    TAILQ_FIRST(&j->runs)->id);
		sched_skip_slot(s, j, trigger, slot, why);
		free(why);
		break;
	case OVERLAP_QUEUE:
		if (j->sched.nqueue < cfg->queue_max) {
			sched_queue_push(j, slot, trigger);
			break;
		}
		why = xstrfmt("queue full (queue_max=%u)", cfg->queue_max);
		sched_skip_slot(s, j, trigger, slot, why);
		free(why);
		break;
	case OVERLAP_REPLACE:
		TAILQ_FOREACH_SAFE(r, &j->runs, entry, tmp)
			run_event(r, RUN_EV_CANCEL);
		sched_start_slot(s, j, slot, trigger, now);
		break;
	default:
		sched_start_slot(s, j, slot, trigger, now);
		break;
	}
}

void
sched_run_finished(struct sched *s, struct job *j)
{
	struct sched_slot q;

	if (!s->started || j->nactive > 0 || j->sched.nqueue == 0)
		return;
	q = j->sched.queue[0];
	memmove(j->sched.queue, j->sched.queue + 1,
	    --j->sched.nqueue * sizeof(*j->sched.queue));
	sched_start_slot(s, j, q.slot, q.trigger, s->now());
}

/*
 * Slots in (from, to] that nobody ran (jobd was down, the job paused, the
 * clock jumped): with catch_up=latest the newest runs, with all the
 * newest catch_up_max run oldest first, one after another; the rest are
 * only counted in the log, since a minutely job down for a week would
 * otherwise write ten thousand rows.
 */
static void
sched_catch_up(struct sched *s, struct job *j, usec_t from, usec_t to,
    const char *why)
{
	const struct job_schedule *cfg = &j->config->sched;
	unsigned max = cfg->catch_up == CATCH_UP_ALL ? cfg->catch_up_max : 1;
	usec_t *ring = xcalloc(max, sizeof(*ring)), t = from;
	size_t count = 0, i, kept;
	unsigned flags;

	while (count < SCHED_MAX_MISSED &&
	    (t = sched_next_regular(s, j, t, &flags)) && t <= to)
		ring[count++ % max] = t;
	if (count == 0)
		goto out;
	kept = cfg->catch_up == CATCH_UP_NONE ? 0 : MIN(count, max);
	log_full(LOG_NOTICE, j->name, 0, "job '%s': %s%zu slots missed %s; "
	    "catching up %zu (catch_up=%s)", j->name,
	    count == SCHED_MAX_MISSED ? "at least " : "", count, why, kept,
	    catch_up_mode_name[cfg->catch_up]);
	for (i = count - kept; i < count; i++)
		sched_queue_push(j, ring[i % max], TRIGGER_CATCH_UP);
	j->sched.last_slot = MAX(j->sched.last_slot, ring[(count - 1) % max]);
	sched_persist(s, j);
	sched_run_finished(s, j);
out:
	free(ring);
}

/* The job's pending slot is due at now. */
static void
sched_due(struct sched *s, struct job *j, usec_t now)
{
	struct job_sched *js = &j->sched;
	usec_t slot = js->next_slot, t;
	unsigned flags;

	if (js->paused_until && js->paused_until > now) {
		/* Paused: the slot stays unhandled, resume catches up (a
		 * boot run is simply not run). */
		js->boot_done = true;
		sched_arm_job(s, j, now);
		return;
	}
	if (js->flags & SCHED_SLOT_BOOT) {
		js->boot_done = true;
		sched_fire(s, j, slot, TRIGGER_BOOT, now);
		sched_arm_job(s, j, MAX(now, js->last_slot));
		return;
	}
	if (js->paused_until) {
		/* The pause ended by itself. */
		js->paused_until = 0;
		sched_catch_up(s, j, js->last_slot, slot - 1, "while paused");
	}
	/* More slots passed than this one (a clock jump, a stalled loop):
	 * the newest runs now, the older ones are caught up by policy. */
	t = sched_next_regular(s, j, slot, &flags);
	if (t && t <= now) {
		usec_t newest = slot, from = js->last_slot ? js->last_slot :
		    slot - 1;
		size_t n = 0;

		while (t && t <= now && n++ < SCHED_MAX_MISSED) {
			newest = t;
			t = sched_next_regular(s, j, t, &flags);
		}
		/* The newest runs first, as the slot due now; the older
		 * ones queue behind it by the catch-up policy. */
		js->last_slot = newest;
		sched_fire(s, j, newest, TRIGGER_SCHEDULE, now);
		sched_catch_up(s, j, from, newest - 1,
		    "at once (clock jump or delay)");
		js->last_slot = MAX(js->last_slot, newest);
		sched_persist(s, j);
		sched_arm_job(s, j, MAX(now, js->last_slot));
		return;
	}
	js->last_slot = MAX(js->last_slot, slot);
	sched_fire(s, j, slot, TRIGGER_SCHEDULE, now);
	sched_persist(s, j);
	sched_arm_job(s, j, MAX(now, js->last_slot));
}

usec_t
sched_tick(struct sched *s, usec_t now)
{
	struct job *j;

	while (s->n > 0 && s->heap[0]->sched.fire_at <= now) {
		j = s->heap[0];
		sched_heap_remove(s, j);
		sched_due(s, j, now);
	}
	return s->n > 0 ? s->heap[0]->sched.fire_at : 0;
}

static void
sched_timer_cb(uv_timer_t *t)
{
	struct sched *s = t->data;

	sched_arm_timer(s);
}

/* Runs what is due and waits for the next firing. */
static void
sched_arm_timer(struct sched *s)
{
	usec_t now = s->now(), next, wait;

	next = sched_tick(s, now);
	uv_timer_stop(&s->timer);
	if (!next)
		return;
	wait = next > now ? next - now : 0;
	wait = MIN(wait, SCHED_MAX_WAIT);
	uv_timer_start(&s->timer, sched_timer_cb,
	    (wait + USEC_PER_MSEC - 1) / USEC_PER_MSEC, 0);
}

/* Arms the timerfd that the kernel cancels when the clock is set. */
static int
sched_clock_watch_arm(int fd)
{
	struct itimerspec its = { .it_value = { .tv_sec = INT32_MAX } };

	return timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
	    &its, NULL);
}

static void
sched_clock_cb(uv_poll_t *p, int status, int events)
{
	struct sched *s = p->data;
	uint64_t n;

	(void)status;
	(void)events;
	if (read(s->clock_fd, &n, sizeof(n)) < 0 && errno != ECANCELED &&
	    errno != EAGAIN)
		log_warning("clock watch: %s", strerror(errno));
	sched_clock_watch_arm(s->clock_fd);
	log_notice("the system clock was set; re-arming the schedule");
	sched_arm_timer(s);
}

static struct run *
sched_trigger_run(struct job *j, int trigger, usec_t slot)
{
	return job_trigger_slot(j, trigger, slot);
}

void
sched_init(struct sched *s, const struct run_ctx *runs, struct units *u,
    struct record *rec, usec_t started)
{
	char host[256] = "";
	struct timespec ts;

	*s = (struct sched){ .runs = runs, .units = u, .record = rec,
	    .daemon_started = started, .now = now_realtime,
	    .trigger = sched_trigger_run, .clock_fd = -1 };
	gethostname(host, sizeof(host) - 1);
	s->host_hash = sched_hash(0xcbf29ce484222325ULL, host);
	clock_gettime(CLOCK_BOOTTIME, &ts);
	s->boot_time = now_realtime() - ((usec_t)ts.tv_sec * USEC_PER_SEC +
	    ts.tv_nsec / 1000);
}

/* Catch-up for a job whose last slot is known, then its next slot. */
static void
sched_start_job(struct sched *s, struct job *j, usec_t now)
{
	if (j->sched.last_slot && j->config->sched.n > 0 &&
	    !(j->sched.paused_until && j->sched.paused_until > now))
		sched_catch_up(s, j, j->sched.last_slot, now,
		    "while jobd was not running");
	sched_arm_job(s, j, MAX(now, j->sched.last_slot));
}

void
sched_start(struct sched *s)
{
	struct job *j;
	usec_t now = s->now();

	uv_timer_init(s->runs->loop, &s->timer);
	s->timer.data = s;
	s->clock_fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK |
	    TFD_CLOEXEC);
	if (s->clock_fd >= 0 && sched_clock_watch_arm(s->clock_fd) == 0) {
		uv_poll_init(s->runs->loop, &s->clock_watch, s->clock_fd);
		s->clock_watch.data = s;
		uv_poll_start(&s->clock_watch, UV_READABLE, sched_clock_cb);
	} else if (s->clock_fd >= 0) {
		close(s->clock_fd);
		s->clock_fd = -1;
	}
	s->started = true;
	TAILQ_FOREACH(j, &s->units->jobs, entry)
		if (j->config && job_config_is_periodic(j->config))
			sched_start_job(s, j, now);
	sched_arm_timer(s);
}

void
sched_stop(struct sched *s)
{
	if (!s->started)
		return;
	s->started = false;
	uv_close((uv_handle_t *)&s->timer, NULL);
	if (s->clock_fd >= 0) {
		uv_close((uv_handle_t *)&s->clock_watch, NULL);
		close(s->clock_fd);
		s->clock_fd = -1;
	}
	while (s->n > 0)
		sched_heap_remove(s, s->heap[s->n - 1]);
	free(s->heap);
	s->heap = NULL;
	s->cap = 0;
}

void
sched_job_changed(struct sched *s, struct job *j)
{
	if (!s->started)
		return;
	sched_arm_job(s, j, MAX(s->now(), j->sched.last_slot));
	sched_arm_timer(s);
}

void
sched_job_removed(struct sched *s, struct job *j)
{
	sched_heap_remove(s, j);
	j->sched.nqueue = 0;
}

void
sched_pause(struct sched *s, struct job *j, usec_t until)
{
	j->sched.paused_until = until ? until : USEC_INFINITY;
	sched_persist(s, j);
}

void
sched_resume(struct sched *s, struct job *j)
{
	usec_t now = s->now();

	if (!j->sched.paused_until)
		return;
	j->sched.paused_until = 0;
	if (j->sched.last_slot)
		sched_catch_up(s, j, j->sched.last_slot, now, "while paused");
	sched_persist(s, j);
	sched_arm_job(s, j, MAX(now, j->sched.last_slot));
	if (s->started)
		sched_arm_timer(s);
}

void
sched_skip(struct sched *s, struct job *j, unsigned n,
    const struct run_who *who)
{
	run_who_copy(&j->sched.skip_by, who);
	j->sched.skips_pending += n;
	sched_persist(s, j);
}

static void
sched_finished_cb(struct run_subscriber *sub, struct run *r)
{
	struct sched *s = container_of(sub, struct sched, sub);

	if (r->job->config)
		sched_run_finished(s, r->job);
}

void
sched_subscribe(struct sched *s, struct run_hub *hub)
{
	s->sub = (struct run_subscriber){ .finished = sched_finished_cb };
	run_hub_subscribe(hub, &s->sub);
}
