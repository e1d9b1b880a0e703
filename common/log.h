/* Logging for jobd and jobctl: stderr with a monotonic timestamp, or the
 * journal with structured fields.  Every function keeps errno intact. */
#ifndef JOBD_LOG_H
#define JOBD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#include "macro.h"

enum log_target {
	LOG_TARGET_STDERR,
	LOG_TARGET_JOURNAL,
};

void log_open(const char *ident, enum log_target, int max_level);
void log_set_level(int max_level);
int log_get_level(void);
enum log_target log_get_target(void);

/* Log with an optional job name and run id (0: none) as journal fields. */
void log_full(int level, const char *job, uint64_t run, const char *fmt, ...)
    PRINTF_LIKE(4, 5);
/* Like log_full, setting errno to -r for %m; returns r. */
int log_full_errno(int level, int r, const char *fmt, ...) PRINTF_LIKE(3, 4);

#define log_debug(...) log_full(LOG_DEBUG, NULL, 0, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, NULL, 0, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, NULL, 0, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, NULL, 0, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, NULL, 0, __VA_ARGS__)
#define log_warning_errno(r, ...) log_full_errno(LOG_WARNING, r, __VA_ARGS__)
#define log_error_errno(r, ...) log_full_errno(LOG_ERR, r, __VA_ARGS__)

#endif
