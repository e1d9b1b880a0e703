/* The times jobctl's options take (--since, --until, --base): an instant
 * in jobctl's local time zone or as seconds since the epoch, or a span
 * counted from now. */
#include <stdlib.h>
#include <time.h>

#include "jobctl.h"

/* '@EPOCH', 'YYYY-MM-DD [HH:MM[:SS]]' in jobctl's local time (TZ), or a
 * span before or after now. */
int
parse_time(const char *s, enum span_mode mode, usec_t *ret)
{
	struct tm tm = { 0 };
	const char *end;
	usec_t span, now;
	char *cause = NULL;
	json_int_t v;
	time_t t;

	if (s[0] == '@') {
		if (!parse_number(s + 1, &v) ||
		    v > (json_int_t)(INT64_MAX / USEC_PER_SEC))
			return -1;
		*ret = (usec_t)v * USEC_PER_SEC;
		return 0;
	}
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end && *end == ' ')
		end = strptime(end + 1, "%H:%M", &tm);
	if (end && *end == ':')
		end = strptime(end + 1, "%S", &tm);
	if (end && *end == '\0') {
		tm.tm_isdst = -1;
		if ((t = mktime(&tm)) == (time_t)-1 || t < 0)
			return -1;
		*ret = (usec_t)t * USEC_PER_SEC;
		return 0;
	}
	if (mode == SPAN_NONE || timespan_parse(s, &span, &cause) < 0) {
		free(cause);
		return -1;
	}
	now = now_realtime();
	if (mode == SPAN_AGO)
		*ret = now > span ? now - span : 0;
	else
		*ret = span < (usec_t)INT64_MAX - now ? now + span :
		    USEC_INFINITY;	/* also for "infinity" */
	return 0;
}
