/* The journal as the long-term store of output: jobd keeps only a tail
 * per run, so `jobctl logs --run ID` of an older run asks journald for the
 * entries carrying that run's JOBD_RUN.  sd_journal reads files and may
 * block for a long time on a big journal: this runs on the executor. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "journal-read.h"
#include "macro.h"

static int
journal_field(sd_journal *j, const char *field, const char **ret,
    size_t *ret_len)
{
	size_t flen = strlen(field);
	const void *data;
	size_t len;
	int r;

	r = sd_journal_get_data(j, field, &data, &len);
	if (r < 0)
		return r;
	if (len <= flen || ((const char *)data)[flen] != '=')
		return -EBADMSG;
	*ret = (const char *)data + flen + 1;
	*ret_len = len - flen - 1;
	return 0;
}

int
journal_read_run(const char *job, uint64_t run, size_t lines,
    struct tail *t)
{
	char match_job[256], match_run[64], match_uid[32];
	sd_journal *j = NULL;
	const char *msg, *stream;
	size_t len, slen;
	uint64_t usec;
	int r, n = 0;

	r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0)
		return r;
	snprintf(match_job, sizeof(match_job), "JOBD_JOB=%s", job);
	snprintf(match_run, sizeof(match_run), "JOBD_RUN=%llu",
	    (unsigned long long)run);
	/* Anyone may log JOBD_JOB= and JOBD_RUN= fields; _UID is set by
	 * journald itself, so only what jobd sent matches. */
	snprintf(match_uid, sizeof(match_uid), "_UID=%u",
	    (unsigned)geteuid());
	if ((r = sd_journal_add_match(j, match_job, 0)) < 0 ||
	    (r = sd_journal_add_match(j, match_run, 0)) < 0 ||
	    (r = sd_journal_add_match(j, match_uid, 0)) < 0)
		goto out;
	SD_JOURNAL_FOREACH_BACKWARDS(j) {
		/* jobd's own messages about the run carry the same fields
		 * but no JOBD_STREAM: they are not output. */
		if (journal_field(j, "JOBD_STREAM", &stream, &slen) < 0 ||
		    journal_field(j, "MESSAGE", &msg, &len) < 0)
			continue;
		if (sd_journal_get_realtime_usec(j, &usec) < 0)
			usec = 0;
		if ((lines && (size_t)n == lines) || !tail_prepend(t,
		    slen == 6 && !memcmp(stream, "stderr", 6) ? TAIL_STDERR :
		    TAIL_STDOUT, usec, msg, len))
			break;
		n++;
	}
	r = n;
out:
	sd_journal_close(j);
	return r;
}
