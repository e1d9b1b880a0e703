/* Output lines as the Logs and Tail replies carry them (LogLine and
 * TailLine of io.jobd.Manager.varlink), and what they cost in a reply. */
#ifndef JOBD_LOGS_JSON_H
#define JOBD_LOGS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "control.h"
#include "tail.h"

/* The lines of one reply, as logs_line_size counts them: the newest that
 * fit, with the number left out.  As much as a slow client may have
 * queued (CONTROL_MAX_WRITE_QUEUE); the default output_tail= never
 * comes near it. */
#define LOGS_REPLY_MAX CONTROL_MAX_WRITE_QUEUE
/* A follower's batch is sent when it reaches this many bytes. */
#define LOGS_BATCH_MAX (64 * 1024)

/* A LogLine: stream, usec, and text (valid UTF-8) or base64. */
json_t *logs_line_json(const struct tail_line *);
/* A TailLine: the LogLine with the unit's name and the run's id. */
json_t *logs_tagged_line_json(const struct tail_line *, const char *job,
    uint64_t run);
/* An upper bound of the bytes a LogLine takes in a reply (with job, a
 * TailLine of that job). */
size_t logs_line_size(const struct tail_line *, const char *job);
/* The last n lines of t (n == 0: all) that fit in one reply, oldest
 * first, as LogLines (job NULL) or as TailLines of job and run;
 * *ret_omitted: how many of those n did not fit. */
json_t *logs_lines_json(const struct tail *t, size_t n, const char *job,
    uint64_t run, size_t *ret_omitted);

#endif
