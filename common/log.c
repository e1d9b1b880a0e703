/* The log sink: the only global state besides main.c's options.  On stderr
 * each line carries a monotonic timestamp; in the journal each entry carries
 * PRIORITY, MESSAGE and, when given, JOBD_JOB and JOBD_RUN.  A warning that
 * repeats (a full disk fails every write) is logged once a minute with a
 * count, not at every occurrence. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "log.h"

/* Warnings (and worse) remembered, to count repeats instead of logging
 * them: a message identical to one logged less than LOG_REPEAT_WINDOW ago
 * is counted; when the window has passed, the count is logged (at the next
 * log call, or at exit) and counting goes on while it repeats. */
#define LOG_REPEAT_SLOTS 16
#define LOG_REPEAT_WINDOW_SEC 60
#define LOG_MSG_MAX 2048
#define LOG_JOB_MAX 128

struct log_repeat {
	bool used;
	int level;
	uint64_t run;
	long long since;		/* monotonic seconds: window start */
	unsigned count;			/* repeats not logged */
	char job[LOG_JOB_MAX];
	char msg[LOG_MSG_MAX];
};

static const char *log_ident = "jobd";
static enum log_target log_target = LOG_TARGET_STDERR;
static int log_max_level = LOG_INFO;
static struct log_repeat log_repeats[LOG_REPEAT_SLOTS];

static void log_repeat_flush(bool all);

static void
log_repeat_atexit(void)
{
	log_repeat_flush(true);
}

void
log_open(const char *ident, enum log_target target, int max_level)
{
	static bool registered;

	log_ident = ident;
	log_target = target;
	log_max_level = max_level;
	if (!registered)
		registered = atexit(log_repeat_atexit) == 0;
}

void
log_set_level(int max_level)
{
	log_max_level = max_level;
}

int
log_get_level(void)
{
	return log_max_level;
}

enum log_target
log_get_target(void)
{
	return log_target;
}

static void
log_emit(int level, const char *job, uint64_t run, const char *msg)
{
	struct timespec ts;
	char runbuf[32];

	if (log_target == LOG_TARGET_JOURNAL) {
		snprintf(runbuf, sizeof(runbuf), "%" PRIu64, run);
		if (job && run)
			sd_journal_send("PRIORITY=%d", level, "MESSAGE=%s", msg,
			    "JOBD_JOB=%s", job, "JOBD_RUN=%s", runbuf, NULL);
		else if (job)
			sd_journal_send("PRIORITY=%d", level, "MESSAGE=%s", msg,
			    "JOBD_JOB=%s", job, NULL);
		else
			sd_journal_send("PRIORITY=%d", level, "MESSAGE=%s", msg,
			    NULL);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(stderr, "[%5lld.%06ld] %s: %s\n", (long long)ts.tv_sec,
	    ts.tv_nsec / 1000, log_ident, msg);
}

static long long
log_now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

/* Logs how often r repeated since its window began, and starts anew. */
static void
log_repeat_tell(struct log_repeat *r, long long now)
{
	char text[LOG_MSG_MAX + 64];

	snprintf(text, sizeof(text), "%s (repeated %u more times in %llds)",
	    r->msg, r->count, MAX(now - r->since, 1LL));
	log_emit(r->level, r->job[0] ? r->job : NULL, r->run, text);
	r->since = now;
	r->count = 0;
}

/* Tells the counts of windows that have passed (all: every count, at
 * exit); a slot that saw no repeat in its window is freed. */
static void
log_repeat_flush(bool all)
{
	long long now = log_now_sec();
	struct log_repeat *r;
	size_t i;

	for (i = 0; i < LOG_REPEAT_SLOTS; i++) {
		r = &log_repeats[i];
		if (!r->used ||
		    (!all && now - r->since < LOG_REPEAT_WINDOW_SEC))
			continue;
		if (r->count > 0)
			log_repeat_tell(r, now);
		else
			r->used = false;
	}
}

/* True when msg repeats a warning logged less than a window ago (it is
 * counted); else it is remembered and must be logged. */
static bool
log_repeat_seen(int level, const char *job, uint64_t run, const char *msg)
{
	struct log_repeat *r, *free_slot = NULL, *oldest = NULL;
	size_t i;

	for (i = 0; i < LOG_REPEAT_SLOTS; i++) {
		r = &log_repeats[i];
		if (!r->used) {
			free_slot = free_slot ? free_slot : r;
			continue;
		}
		if (r->level == level && r->run == run &&
		    !strcmp(r->job, job ? job : "") && !strcmp(r->msg, msg)) {
			r->count++;
			return true;
		}
		if (!oldest || r->since < oldest->since)
			oldest = r;
	}
	if (!(r = free_slot)) {
		/* Full: the oldest goes, its count told first. */
		r = oldest;
		if (r->count > 0)
			log_repeat_tell(r, log_now_sec());
	}
	*r = (struct log_repeat){ .used = true, .level = level, .run = run,
	    .since = log_now_sec() };
	snprintf(r->job, sizeof(r->job), "%s", job ? job : "");
	snprintf(r->msg, sizeof(r->msg), "%s", msg);
	return false;
}

static void
log_vfull(int level, const char *job, uint64_t run, const char *fmt,
    va_list ap)
{
	char msg[LOG_MSG_MAX];
	/* The table is the loop thread's; other threads log everything. */
	bool loop_thread = gettid() == getpid();

	if (level > log_max_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (loop_thread) {
		log_repeat_flush(false);
		if (level <= LOG_WARNING && log_repeat_seen(level, job, run,
		    msg))
			return;
	}
	log_emit(level, job, run, msg);
}

void
log_full(int level, const char *job, uint64_t run, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vfull(level, job, run, fmt, ap);
	va_end(ap);
	errno = saved;
}

int
log_full_errno(int level, int r, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	errno = r < 0 ? -r : r;
	va_start(ap, fmt);
	log_vfull(level, NULL, 0, fmt, ap);
	va_end(ap);
	errno = saved;
	return r;
}
