/* What jobctl prints of jobs and services: the list table, status
 * paragraphs (with overdue and failing), locks, semaphores and events, and
 * the services' states. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "print-internal.h"
#include "terminal.h"
#include "timeutil.h"
#include "xmalloc.h"

/* The LAST-RUN cell: id and the time it ended (or started, or queued). */
static char *
job_last_cell(json_t *last)
{
	char tbuf[64];
	json_int_t id, t;

	if (!pr_num(last, "id", &id))
		return xstrdup("-");
	if (!pr_num(last, "ended_usec", &t) && !pr_num(last, "started_usec", &t) &&
	    !pr_num(last, "queued_usec", &t))
		return xstrfmt("%" JSON_INTEGER_FORMAT, id);
	return xstrfmt("%" JSON_INTEGER_FORMAT " %s", id,
	    pr_format_time(tbuf, sizeof(tbuf), t));
}

/* The STATE cell: the job's or service's state; an idle job with no
 * success within its expect_success_within= is "overdue". */
static char *
job_state_cell(json_t *job)
{
	if (json_is_true(json_object_get(job, "overdue")) &&
	    !strcmp(pr_str(job, "state"), "idle"))
		return xstrdup("overdue");
	return xstrdup(pr_str(job, "state"));
}

/* The NEXT cell: "paused", the next firing, or "-" for a job that does
 * not run by itself. */
static char *
job_next_cell(json_t *job)
{
	char tbuf[64];
	json_int_t t;

	if (pr_num(job, "paused_until_usec", &t))
		return xstrdup("paused");
	if (!pr_num(job, "next_usec", &t))
		return xstrdup("-");
	return xstrdup(pr_format_time(tbuf, sizeof(tbuf), t));
}

/* A service with a process: its current run, not the result of the one
 * before (which looked like this process's own).  Adds the LAST-RESULT
 * and LAST-RUN cells; false when there is no such run.  The service's
 * fields are in its own object (List) or the job's (Summary). */
static bool
service_current_run(json_t *job, struct table *t)
{
	json_t *svc = json_object_get(job, "service");
	json_int_t run, up;

	if (strcmp(pr_str(job, "kind"), "service"))
		return false;
	if (!json_is_object(svc))
		svc = job;
	if (!pr_num(svc, "run", &run))
		return false;
	pr_table_add(t, xstrdup("running"));
	if (pr_num(svc, "uptime_usec", &up)) {
		char sbuf[TIMESPAN_MAX];

		pr_table_add(t, xstrfmt("%" JSON_INTEGER_FORMAT " up %s", run,
		    pr_format_span(sbuf, sizeof(sbuf), up)));
	} else {
		pr_table_add(t, xstrfmt("%" JSON_INTEGER_FORMAT, run));
	}
	return true;
}

void
print_jobs(json_t *jobs)
{
	struct table t = { .ncols = 6 };
	json_t *job, *last;
	size_t i;

	pr_table_add(&t, xstrdup("NAME"));
	pr_table_add(&t, xstrdup("STATE"));
	pr_table_add(&t, xstrdup("NEXT"));
	pr_table_add(&t, xstrdup("LAST-RESULT"));
	pr_table_add(&t, xstrdup("LAST-RUN"));
	pr_table_add(&t, xstrdup("DESCRIPTION"));
	json_array_foreach(jobs, i, job) {
		last = json_object_get(job, "last");
		pr_table_add(&t, xstrdup(pr_str(job, "name")));
		pr_table_add(&t, job_state_cell(job));
		pr_table_add(&t, job_next_cell(job));
		if (!service_current_run(job, &t)) {
			pr_table_add(&t, xstrdup(json_is_object(last) ?
			    (json_object_get(last, "result") ?
			    pr_str(last, "result") : pr_str(last, "state")) : "-"));
			pr_table_add(&t, job_last_cell(last));
		}
		pr_table_add(&t, xstrdup(json_string_value(json_object_get(job,
		    "description")) ?: ""));
	}
	pr_table_print(&t);
}

/* "  run 13: running, pid 4242, runtime 1min 3s" */
static void
status_run(json_t *run)
{
	char sbuf[TIMESPAN_MAX];
	json_int_t id, pid, runtime, t;

	pr_num(run, "id", &id);
	printf("  run %" JSON_INTEGER_FORMAT ": %s", id, pr_str(run, "state"));
	if (pr_num(run, "pid", &pid))
		printf(", pid %" JSON_INTEGER_FORMAT, pid);
	runtime = -1;
	if (pr_num(run, "runtime_usec", &t))
		runtime = t;
	else if (pr_num(run, "started_usec", &t))
		runtime = (json_int_t)now_realtime() - t;
	if (runtime >= 0)
		printf(", runtime %s",
		    pr_format_span(sbuf, sizeof(sbuf), runtime));
	if (json_is_string(json_object_get(run, "waiting_for")))
		printf(", waiting for %s", pr_str(run, "waiting_for"));
	putchar('\n');
}

/* A service's paragraph lines: state, pid, uptime, run; restarts and the
 * last exit; its STATUS= text; why it is down; when it restarts. */
static void
status_service(json_t *svc)
{
	char sbuf[TIMESPAN_MAX], tbuf[64];
	json_int_t v, now = (json_int_t)now_realtime();

	printf("  state: %s", pr_str(svc, "state"));
	if (pr_num(svc, "pid", &v))
		printf(", pid %" JSON_INTEGER_FORMAT, v);
	if (pr_num(svc, "uptime_usec", &v))
		printf(", up %s", pr_format_span(sbuf, sizeof(sbuf), v));
	if (pr_num(svc, "run", &v))
		printf(", run %" JSON_INTEGER_FORMAT, v);
	pr_num(svc, "restarts", &v);
	printf("\n  restarts: %" JSON_INTEGER_FORMAT, v);
	if (pr_num(svc, "last_exit_status", &v))
		printf(", last exit status %" JSON_INTEGER_FORMAT " (%s)", v,
		    pr_str(svc, "last_result"));
	putchar('\n');
	if (json_is_string(json_object_get(svc, "status_text")))
		printf("  status: %s\n", pr_str(svc, "status_text"));
	if (json_is_string(json_object_get(svc, "reason")))
		printf("  reason: %s\n", pr_str(svc, "reason"));
	if (pr_num(svc, "next_restart_usec", &v))
		printf("  next restart: %s (in %s)\n", pr_format_time(tbuf,
		    sizeof(tbuf), v), pr_format_span(sbuf, sizeof(sbuf),
		    v > now ? v - now : 0));
}

/* "  last: run 12 failed (reason), exit status 3, ended 2026-..." */
static void
status_last(json_t *last)
{
	char tbuf[64];
	json_int_t id, status, ended;

	if (!json_is_object(last)) {
		printf("  last: none\n");
		return;
	}
	/* An unfinished last run is already listed among the runs. */
	if (strcmp(pr_str(last, "state"), "finished"))
		return;
	pr_num(last, "id", &id);
	printf("  last: run %" JSON_INTEGER_FORMAT " %s", id,
	    pr_str(last, "result"));
	if (json_is_string(json_object_get(last, "reason")))
		printf(" (%s)", pr_str(last, "reason"));
	if (pr_num(last, "exit_status", &status))
		printf(", exit status %" JSON_INTEGER_FORMAT, status);
	else
		printf(", no exit status");
	if (pr_num(last, "ended_usec", &ended))
		printf(", ended %s", pr_format_time(tbuf, sizeof(tbuf), ended));
	putchar('\n');
}

/* "  overdue since 2026-11-24 03:00:00 (expect_success_within=1d)" or
 * "  success due by ...", and "  alerts: failing". */
static void
status_alert(json_t *job)
{
	char sbuf[TIMESPAN_MAX], tbuf[64];
	json_int_t t, within;

	if (json_is_true(json_object_get(job, "failing")))
		printf("  alerts: failing\n");
	if (!pr_num(job, "expect_success_within_usec", &within))
		return;
	pr_format_span(sbuf, sizeof(sbuf), within);
	if (pr_num(job, "overdue_since_usec", &t) ||
	    pr_num(job, "expect_success_by_usec", &t))
		printf("  %s %s (expect_success_within=%s)\n",
		    json_is_true(json_object_get(job, "overdue")) ?
		    "overdue since" : "success due by",
		    pr_format_time(tbuf, sizeof(tbuf), t), sbuf);
}

/* "  next: 2026-11-24 00:06:10" or "  paused until ..." for a periodic
 * job; nothing for the others. */
static void
status_next(json_t *job)
{
	char tbuf[64];
	json_int_t t;

	if (pr_num(job, "paused_until_usec", &t))
		printf("  paused until %s\n", t == INT64_MAX ? "resumed" :
		    pr_format_time(tbuf, sizeof(tbuf), t));
	else if (pr_num(job, "next_usec", &t))
		printf("  next: %s\n", pr_format_time(tbuf, sizeof(tbuf), t));
}

/* "  group: web" or "  groups: web, workers": the [group]s naming it. */
static void
status_groups(json_t *job)
{
	json_t *groups = json_object_get(job, "groups"), *g;
	size_t i;

	if (json_array_size(groups) == 0)
		return;
	printf("  group%s:", json_array_size(groups) > 1 ? "s" : "");
	json_array_foreach(groups, i, g)
		printf("%s %s", i ? "," : "", json_string_value(g) ?: "?");
	putchar('\n');
}

void
print_status(json_t *jobs)
{
	json_t *job, *run;
	const char *desc;
	size_t i, j;

	json_array_foreach(jobs, i, job) {
		desc = json_string_value(json_object_get(job, "description"));
		if (i > 0)
			putchar('\n');
		if (desc && *desc)
			printf("%s - %s\n", pr_str(job, "name"), desc);
		else
			printf("%s\n", pr_str(job, "name"));
		if (!strcmp(pr_str(job, "kind"), "service"))
			status_service(job);
		else
			printf("  state: %s\n", pr_str(job, "state"));
		status_groups(job);
		status_next(job);
		status_alert(job);
		json_array_foreach(json_object_get(job, "runs"), j, run)
			status_run(run);
		status_last(json_object_get(job, "last"));
	}
}

void
print_ids(const char *prefix, json_t *ids)
{
	json_t *v;
	size_t i;

	if (json_array_size(ids) == 0)
		return;
	fputs(prefix, stdout);
	json_array_foreach(ids, i, v)
		printf(" %" JSON_INTEGER_FORMAT, json_integer_value(v));
}

void
print_sync(json_t *sync)
{
	json_t *locks = json_object_get(sync, "locks");
	json_t *sems = json_object_get(sync, "semaphores");
	json_t *events = json_object_get(sync, "events"), *o;
	json_int_t v;
	size_t i;

	if (json_array_size(locks) + json_array_size(sems) +
	    json_array_size(events) == 0)
		return;
	putchar('\n');
	json_array_foreach(locks, i, o) {
		printf("lock %s: ", pr_str(o, "name"));
		if (pr_num(o, "holder", &v))
			printf("held by run %" JSON_INTEGER_FORMAT, v);
		else
			printf("free");
		print_ids(", waiting:", json_object_get(o, "waiters"));
		putchar('\n');
	}
	json_array_foreach(sems, i, o) {
		pr_num(o, "limit", &v);
		printf("semaphore %s: %zu of %" JSON_INTEGER_FORMAT " held",
		    pr_str(o, "name"), json_array_size(json_object_get(o,
		    "holders")), v);
		print_ids(" by runs", json_object_get(o, "holders"));
		print_ids(", waiting:", json_object_get(o, "waiters"));
		putchar('\n');
	}
	json_array_foreach(events, i, o)
		printf("event %s: %s\n", pr_str(o, "name"),
		    json_is_true(json_object_get(o, "set")) ? "set" : "clear");
}

void
print_services(json_t *services)
{
	json_int_t pid;
	json_t *s;
	size_t i;

	json_array_foreach(services, i, s) {
		printf("%s: %s", pr_str(s, "name"), pr_str(s, "state"));
		if (pr_num(s, "pid", &pid))
			printf(", pid %" JSON_INTEGER_FORMAT, pid);
		if (json_is_string(json_object_get(s, "reason")))
			printf(" (%s)", pr_str(s, "reason"));
		putchar('\n');
	}
}
