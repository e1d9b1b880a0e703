/* jobctl's output: human tables and lines, or the reply as JSON. */
#ifndef JOBCTL_PRINT_H
#define JOBCTL_PRINT_H

#include <stdbool.h>

#include <jansson.h>

/* One JSON value, compact, on one line. */
void print_json(json_t *v);
/* list: NAME STATE NEXT LAST-RESULT LAST-RUN DESCRIPTION, of JobSummary
 * objects. */
void print_jobs(json_t *jobs);
/* status: a paragraph per JobSummary. */
void print_status(json_t *jobs);
/* status: locks, semaphores and events with holders and waiters (nothing
 * when there are none). */
void print_sync(json_t *sync);
/* " PREFIX 1 2 3" for an array of run ids; nothing when it is empty. */
void print_ids(const char *prefix, json_t *ids);
/* "NAME: STATE, pid N (reason)" per Service. */
void print_services(json_t *services);
/* Each run's id alone on a line. */
void print_run_ids(json_t *runs);
/* "RUN JOB RESULT EXIT" per run ("-" when there is no exit status). */
void print_run_results(json_t *runs);
/* Cancels asked of other nodes (cancel NODE:RUN, qN). */
void print_cancel_requests(json_t *requested);
/* Runs put in the cluster's queue (start --anywhere). */
void print_queued(json_t *queued);
/* Each LogLine's bytes and a newline (or the LogLine as JSON), with
 * tagged each TailLine after "NAME[RUN] "; on a terminal, stderr lines
 * are marked (terminal_stderr_mark).  -EBADMSG when a line's base64 is
 * corrupt. */
int print_log_lines(json_t *lines, bool json, bool tagged);
/* reload: counts and names of added, removed, changed (restarted and
 * updated among them), unchanged. */
void print_reload(json_t *params, bool dry_run);
/* status --daemon. */
void print_daemon(json_t *params);
/* history and show. */
void print_history(json_t *runs);
void print_show(json_t *params);
/* next: a table of the job's coming firings (LOCAL, UTC, NOTE). */
void print_next(json_t *params);
/* calendar: the expression and its elapses, as systemd-analyze calendar. */
void print_calendar(json_t *params, const char *expr);
/* pause, resume, skip: "JOB: paused until ..., skipping the next slot". */
void print_sched_state(json_t *params);

#endif
