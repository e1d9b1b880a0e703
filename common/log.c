/* The log sink: the only global state besides main.c's options.  On stderr
 * each line carries a monotonic timestamp; in the journal each entry carries
 * PRIORITY, MESSAGE and, when given, JOBD_JOB and JOBD_RUN. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-journal.h>

#include "log.h"

static const char *log_ident = "jobd";
static enum log_target log_target = LOG_TARGET_STDERR;
static int log_max_level = LOG_INFO;

void
log_open(const char *ident, enum log_target target, int max_level)
{
	log_ident = ident;
	log_target = target;
	log_max_level = max_level;
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

static void
log_vfull(int level, const char *job, uint64_t run, const char *fmt,
    va_list ap)
{
	char msg[2048];

	if (level > log_max_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
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
