/* What jobctl prints for a successful reply: aligned tables, status
 * paragraphs, log lines, or the reply itself as JSON.  Replies are read
 * leniently here (a missing field prints "-"); jobctl.c has already checked
 * that the arrays it hands over are arrays. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "print.h"
#include "terminal.h"
#include "timeutil.h"
#include "xmalloc.h"

/* Rows of cells, printed with every column but the last padded. */
struct table {
	size_t ncols, ncells;
	char **cells;
};

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

/* An optional int: false when absent or null. */
static bool
num(json_t *o, const char *key, json_int_t *ret)
{
	json_t *v = json_object_get(o, key);

	*ret = json_integer_value(v);
	return json_is_integer(v);
}

static void
table_add(struct table *t, char *cell)
{
	t->cells = xreallocarray(t->cells, t->ncells + 1, sizeof(char *));
	t->cells[t->ncells++] = cell;
}

static void
table_print(struct table *t)
{
	_cleanup_free_ size_t *w = xcalloc(t->ncols, sizeof(size_t));
	size_t i, c, end;

	for (i = 0; i < t->ncells; i++)
		w[i % t->ncols] = MAX(w[i % t->ncols], strlen(t->cells[i]));
	for (i = 0; i < t->ncells; i += t->ncols) {
		/* No padding after the last non-empty cell of a row. */
		for (end = t->ncols - 1; end > 0 && !*t->cells[i + end]; end--)
			;
		for (c = 0; c <= end; c++)
			printf("%-*s%s", c < end ? (int)w[c] : 0,
			    t->cells[i + c], c < end ? "  " : "\n");
		for (c = 0; c < t->ncols; c++)
			free(t->cells[i + c]);
	}
	free(t->cells);
}

/* To the second, "2026-11-23 10:00:03": local time, or UTC. */
static const char *
format_tm(char *buf, size_t len, json_int_t usec, bool utc)
{
	time_t t = usec / 1000000;
	struct tm tm;

	if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "@%" JSON_INTEGER_FORMAT, usec);
	return buf;
}

static const char *
format_time(char *buf, size_t len, json_int_t usec)
{
	return format_tm(buf, len, usec, false);
}

/* A runtime as "1min 3s": seconds are precise enough above one. */
static const char *
format_span(char *buf, size_t len, json_int_t usec)
{
	usec_t u = usec > 0 ? (usec_t)usec : 0;

	if (u >= USEC_PER_SEC)
		u = (u + USEC_PER_SEC / 2) / USEC_PER_SEC * USEC_PER_SEC;
	else
		u = (u + USEC_PER_MSEC / 2) / USEC_PER_MSEC * USEC_PER_MSEC;
	if (u == 0) {
		snprintf(buf, len, "0s");
		return buf;
	}
	return timespan_format(buf, len, u);
}

void
print_json(json_t *v)
{
	_cleanup_free_ char *text = NULL;
	const unsigned char *p;

	if (!terminal_stdout()) {
		json_dumpf(v, stdout, JSON_COMPACT);
		putchar('\n');
		return;
	}
	/* jansson escapes the C0 controls but not DEL or the C1 controls
	 * (U+0080 to U+009F); written as \u escapes the text is the same
	 * JSON and nothing is left for the terminal filter to change. */
	if (!(text = json_dumps(v, JSON_COMPACT)))
		return;
	for (p = (const unsigned char *)text; *p; p++) {
		if (*p == 0x7f)
			fputs("\\u007f", stdout);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			printf("\\u%04x", *++p);
		else
			putchar(*p);
	}
	putchar('\n');
}

/* The LAST-RUN cell: id and the time it ended (or started, or queued). */
static char *
job_last_cell(json_t *last)
{
	char tbuf[64];
	json_int_t id, t;

	if (!num(last, "id", &id))
		return xstrdup("-");
	if (!num(last, "ended_usec", &t) && !num(last, "started_usec", &t) &&
	    !num(last, "queued_usec", &t))
		return xstrfmt("%" JSON_INTEGER_FORMAT, id);
	return xstrfmt("%" JSON_INTEGER_FORMAT " %s", id,
	    format_time(tbuf, sizeof(tbuf), t));
}

/* The STATE cell: the job's or service's state; an idle job with no
 * success within its expect_success_within= is "overdue". */
static char *
job_state_cell(json_t *job)
{
	if (json_is_true(json_object_get(job, "overdue")) &&
	    !strcmp(str(job, "state"), "idle"))
		return xstrdup("overdue");
	return xstrdup(str(job, "state"));
}

/* The NEXT cell: "paused", the next firing, or "-" for a job that does
 * not run by itself. */
static char *
job_next_cell(json_t *job)
{
	char tbuf[64];
	json_int_t t;

	if (num(job, "paused_until_usec", &t))
		return xstrdup("paused");
	if (!num(job, "next_usec", &t))
		return xstrdup("-");
	return xstrdup(format_time(tbuf, sizeof(tbuf), t));
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

	if (strcmp(str(job, "kind"), "service"))
		return false;
	if (!json_is_object(svc))
		svc = job;
	if (!num(svc, "run", &run))
		return false;
	table_add(t, xstrdup("running"));
	if (num(svc, "uptime_usec", &up)) {
		char sbuf[TIMESPAN_MAX];

		table_add(t, xstrfmt("%" JSON_INTEGER_FORMAT " up %s", run,
		    format_span(sbuf, sizeof(sbuf), up)));
	} else {
		table_add(t, xstrfmt("%" JSON_INTEGER_FORMAT, run));
	}
	return true;
}

void
print_jobs(json_t *jobs)
{
	struct table t = { .ncols = 6 };
	json_t *job, *last;
	size_t i;

	table_add(&t, xstrdup("NAME"));
	table_add(&t, xstrdup("STATE"));
	table_add(&t, xstrdup("NEXT"));
	table_add(&t, xstrdup("LAST-RESULT"));
	table_add(&t, xstrdup("LAST-RUN"));
	table_add(&t, xstrdup("DESCRIPTION"));
	json_array_foreach(jobs, i, job) {
		last = json_object_get(job, "last");
		table_add(&t, xstrdup(str(job, "name")));
		table_add(&t, job_state_cell(job));
		table_add(&t, job_next_cell(job));
		if (!service_current_run(job, &t)) {
			table_add(&t, xstrdup(json_is_object(last) ?
			    (json_object_get(last, "result") ?
			    str(last, "result") : str(last, "state")) : "-"));
			table_add(&t, job_last_cell(last));
		}
		table_add(&t, xstrdup(json_string_value(json_object_get(job,
		    "description")) ?: ""));
	}
	table_print(&t);
}

/* "  run 13: running, pid 4242, runtime 1min 3s" */
static void
status_run(json_t *run)
{
	char sbuf[TIMESPAN_MAX];
	json_int_t id, pid, runtime, t;

	num(run, "id", &id);
	printf("  run %" JSON_INTEGER_FORMAT ": %s", id, str(run, "state"));
	if (num(run, "pid", &pid))
		printf(", pid %" JSON_INTEGER_FORMAT, pid);
	runtime = -1;
	if (num(run, "runtime_usec", &t))
		runtime = t;
	else if (num(run, "started_usec", &t))
		runtime = (json_int_t)now_realtime() - t;
	if (runtime >= 0)
		printf(", runtime %s",
		    format_span(sbuf, sizeof(sbuf), runtime));
	if (json_is_string(json_object_get(run, "waiting_for")))
		printf(", waiting for %s", str(run, "waiting_for"));
	putchar('\n');
}

/* A service's paragraph lines: state, pid, uptime, run; restarts and the
 * last exit; its STATUS= text; why it is down; when it restarts. */
static void
status_service(json_t *svc)
{
	char sbuf[TIMESPAN_MAX], tbuf[64];
	json_int_t v, now = (json_int_t)now_realtime();

	printf("  state: %s", str(svc, "state"));
	if (num(svc, "pid", &v))
		printf(", pid %" JSON_INTEGER_FORMAT, v);
	if (num(svc, "uptime_usec", &v))
		printf(", up %s", format_span(sbuf, sizeof(sbuf), v));
	if (num(svc, "run", &v))
		printf(", run %" JSON_INTEGER_FORMAT, v);
	num(svc, "restarts", &v);
	printf("\n  restarts: %" JSON_INTEGER_FORMAT, v);
	if (num(svc, "last_exit_status", &v))
		printf(", last exit status %" JSON_INTEGER_FORMAT " (%s)", v,
		    str(svc, "last_result"));
	putchar('\n');
	if (json_is_string(json_object_get(svc, "status_text")))
		printf("  status: %s\n", str(svc, "status_text"));
	if (json_is_string(json_object_get(svc, "reason")))
		printf("  reason: %s\n", str(svc, "reason"));
	if (num(svc, "next_restart_usec", &v))
		printf("  next restart: %s (in %s)\n", format_time(tbuf,
		    sizeof(tbuf), v), format_span(sbuf, sizeof(sbuf),
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
	if (strcmp(str(last, "state"), "finished"))
		return;
	num(last, "id", &id);
	printf("  last: run %" JSON_INTEGER_FORMAT " %s", id,
	    str(last, "result"));
	if (json_is_string(json_object_get(last, "reason")))
		printf(" (%s)", str(last, "reason"));
	if (num(last, "exit_status", &status))
		printf(", exit status %" JSON_INTEGER_FORMAT, status);
	else
		printf(", no exit status");
	if (num(last, "ended_usec", &ended))
		printf(", ended %s", format_time(tbuf, sizeof(tbuf), ended));
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
	if (!num(job, "expect_success_within_usec", &within))
		return;
	format_span(sbuf, sizeof(sbuf), within);
	if (num(job, "overdue_since_usec", &t) ||
	    num(job, "expect_success_by_usec", &t))
		printf("  %s %s (expect_success_within=%s)\n",
		    json_is_true(json_object_get(job, "overdue")) ?
		    "overdue since" : "success due by",
		    format_time(tbuf, sizeof(tbuf), t), sbuf);
}

/* "  next: 2026-11-24 00:06:10" or "  paused until ..." for a periodic
 * job; nothing for the others. */
static void
status_next(json_t *job)
{
	char tbuf[64];
	json_int_t t;

	if (num(job, "paused_until_usec", &t))
		printf("  paused until %s\n", t == INT64_MAX ? "resumed" :
		    format_time(tbuf, sizeof(tbuf), t));
	else if (num(job, "next_usec", &t))
		printf("  next: %s\n", format_time(tbuf, sizeof(tbuf), t));
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
			printf("%s - %s\n", str(job, "name"), desc);
		else
			printf("%s\n", str(job, "name"));
		if (!strcmp(str(job, "kind"), "service"))
			status_service(job);
		else
			printf("  state: %s\n", str(job, "state"));
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
		printf("lock %s: ", str(o, "name"));
		if (num(o, "holder", &v))
			printf("held by run %" JSON_INTEGER_FORMAT, v);
		else
			printf("free");
		print_ids(", waiting:", json_object_get(o, "waiters"));
		putchar('\n');
	}
	json_array_foreach(sems, i, o) {
		num(o, "limit", &v);
		printf("semaphore %s: %zu of %" JSON_INTEGER_FORMAT " held",
		    str(o, "name"), json_array_size(json_object_get(o,
		    "holders")), v);
		print_ids(" by runs", json_object_get(o, "holders"));
		print_ids(", waiting:", json_object_get(o, "waiters"));
		putchar('\n');
	}
	json_array_foreach(events, i, o)
		printf("event %s: %s\n", str(o, "name"),
		    json_is_true(json_object_get(o, "set")) ? "set" : "clear");
}

void
print_services(json_t *services)
{
	json_int_t pid;
	json_t *s;
	size_t i;

	json_array_foreach(services, i, s) {
		printf("%s: %s", str(s, "name"), str(s, "state"));
		if (num(s, "pid", &pid))
			printf(", pid %" JSON_INTEGER_FORMAT, pid);
		if (json_is_string(json_object_get(s, "reason")))
			printf(" (%s)", str(s, "reason"));
		putchar('\n');
	}
}

void
print_run_ids(json_t *runs)
{
	json_int_t id;
	json_t *run;
	size_t i;

	json_array_foreach(runs, i, run)
		if (num(run, "id", &id))
			printf("%" JSON_INTEGER_FORMAT "\n", id);
}

void
print_run_results(json_t *runs)
{
	json_int_t id, status;
	json_t *run;
	size_t i;

	json_array_foreach(runs, i, run) {
		num(run, "id", &id);
		printf("%" JSON_INTEGER_FORMAT " %s %s", id, str(run, "job"),
		    json_object_get(run, "result") ? str(run, "result") :
		    str(run, "state"));
		if (num(run, "exit_status", &status))
			printf(" %" JSON_INTEGER_FORMAT "\n", status);
		else
			printf(" -\n");
	}
}

static int
base64_value(char c)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(set, c) : NULL;

	return p ? (int)(p - set) : -1;
}

/* Writes the bytes s encodes; -EBADMSG when it is not base64. */
static int
base64_write(const char *s)
{
	unsigned int acc = 0;
	int bits = 0, v;

	for (; *s && *s != '='; s++) {
		if ((v = base64_value(*s)) < 0)
			return -EBADMSG;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			putchar((acc >> bits) & 0xff);
		}
	}
	while (*s == '=')
		s++;
	return *s ? -EBADMSG : 0;
}

int
print_log_lines(json_t *lines, bool json)
{
	const char *text, *b64;
	json_t *line;
	size_t i;

	json_array_foreach(lines, i, line) {
		if (json) {
			print_json(line);
			continue;
		}
		text = json_string_value(json_object_get(line, "text"));
		b64 = json_string_value(json_object_get(line, "base64"));
		if (text)
			fwrite(text, 1, json_string_length(json_object_get(line,
			    "text")), stdout);
		else if (b64 && base64_write(b64) < 0)
			return -EBADMSG;
		putchar('\n');
	}
	return 0;
}

/* "changed 2: a b" */
static void
reload_line(json_t *params, const char *key, bool names)
{
	json_t *list = json_object_get(params, key), *v;
	size_t i;

	printf("%s %zu", key, json_array_size(list));
	if (names && json_array_size(list) > 0) {
		putchar(':');
		json_array_foreach(list, i, v)
			printf(" %s", json_string_value(v) ?: "?");
	}
	putchar('\n');
}

void
print_reload(json_t *params, bool dry_run)
{
	reload_line(params, "added", true);
	reload_line(params, "removed", true);
	reload_line(params, "changed", true);
	if (json_is_array(json_object_get(params, "restarted")))
		reload_line(params, "restarted", true);
	if (json_is_array(json_object_get(params, "updated")))
		reload_line(params, "updated", true);
	reload_line(params, "unchanged", false);
	if (dry_run)
		printf("dry run: nothing was changed\n");
}

static long long
json_int_at(json_t *o, const char *key, const char *sub)
{
	json_t *v = json_object_get(o, key);

	if (sub)
		v = json_object_get(v, sub);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

void
print_daemon(json_t *p)
{
	json_t *v;

	v = json_object_get(p, "version");
	printf("jobd %s, pid %lld\n", json_is_string(v) ?
	    json_string_value(v) : "?", json_int_at(p, "pid", NULL));
	v = json_object_get(p, "config");
	printf("  config:    %s\n", json_is_string(v) ? json_string_value(v) :
	    "?");
	v = json_object_get(p, "socket");
	printf("  socket:    %s\n", json_is_string(v) ? json_string_value(v) :
	    "?");
	printf("  jobs:      %lld, %lld runs in flight\n",
	    json_int_at(p, "jobs", NULL), json_int_at(p, "running", NULL));
	printf("  loop lag:  %lld us now, p99 %lld us, max %lld us "
	    "(last minute)\n", json_int_at(p, "loop_lag", "current_usec"),
	    json_int_at(p, "loop_lag", "p99_usec"),
	    json_int_at(p, "loop_lag", "max_usec"));
	printf("  executor:  %lld queued, %lld completed\n",
	    json_int_at(p, "executor", "queued"),
	    json_int_at(p, "executor", "completed"));
	v = json_object_get(p, "ledger");
	printf("  ledger:    %s, %lld rows written, %lld queued, %lld "
	    "dropped%s%s\n", json_is_true(json_object_get(v, "ok")) ? "ok" :
	    "NOT WRITING", json_int_at(p, "ledger", "written"),
	    json_int_at(p, "ledger", "queued"),
	    json_int_at(p, "ledger", "dropped"),
	    json_is_string(json_object_get(v, "error")) ? ": " : "",
	    json_is_string(json_object_get(v, "error")) ?
	    json_string_value(json_object_get(v, "error")) : "");
}

static void
print_time(const char *label, json_t *run, const char *key)
{
	char buf[32];
	long long v = json_int_at(run, key, NULL);
	time_t t;

	if (v <= 0)
		return;
	t = (time_t)(v / 1000000);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", localtime(&t));
	printf("%-12s %s\n", label, buf);
}

void
print_history(json_t *runs)
{
	char when[32], span[TIMESPAN_MAX], exit[16];
	size_t i;
	json_t *r;

	printf("%-8s %-16s %-9s %-10s %-5s %-19s %s\n", "RUN", "JOB",
	    "TRIGGER", "RESULT", "EXIT", "STARTED", "DURATION");
	json_array_foreach(runs, i, r) {
		long long st = json_int_at(r, "started_usec", NULL);
		long long es = json_int_at(r, "exit_status", NULL);
		long long rt = json_int_at(r, "runtime_usec", NULL);
		json_t *res = json_object_get(r, "result");
		time_t t = (time_t)(st / 1000000);

		if (st > 0)
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
			    localtime(&t));
		else
			snprintf(when, sizeof(when), "-");
		snprintf(exit, sizeof(exit), es >= 0 ? "%lld" : "-", es);
		printf("%-8lld %-16s %-9s %-10s %-5s %-19s %s\n",
		    json_int_at(r, "id", NULL),
		    json_string_value(json_object_get(r, "job")) ?: "?",
		    json_string_value(json_object_get(r, "trigger")) ?: "?",
		    json_is_string(res) ? json_string_value(res) : "running",
		    exit, when, rt >= 0 ? format_span(span, sizeof(span), rt) :
		    "-");
	}
}

void
print_show(json_t *p)
{
	json_t *r = json_object_get(p, "run"), *out;
	const char *keys[] = { "job", "trigger", "state", "result", "reason" };
	char span[TIMESPAN_MAX];
	size_t i;

	printf("%-12s %lld\n", "run", json_int_at(r, "id", NULL));
	for (i = 0; i < ELEMENTSOF(keys); i++)
		if (json_is_string(json_object_get(r, keys[i])))
			printf("%-12s %s\n", keys[i], json_string_value(
			    json_object_get(r, keys[i])));
	if (json_int_at(r, "pid", NULL) > 0)
		printf("%-12s %lld\n", "pid", json_int_at(r, "pid", NULL));
	if (json_int_at(r, "exit_code", NULL) >= 0)
		printf("%-12s %lld\n", "exit code",
		    json_int_at(r, "exit_code", NULL));
	if (json_int_at(r, "signal", NULL) > 0)
		printf("%-12s %lld\n", "signal", json_int_at(r, "signal",
		    NULL));
	print_time("scheduled", r, "scheduled_usec");
	print_time("queued", r, "queued_usec");
	print_time("started", r, "started_usec");
	print_time("ended", r, "ended_usec");
	if (json_int_at(r, "runtime_usec", NULL) >= 0)
		printf("%-12s %s\n", "duration", format_span(span,
		    sizeof(span), json_int_at(r, "runtime_usec", NULL)));
	out = json_object_get(p, "output");
	if (json_is_string(out)) {
		printf("output:\n");
		fwrite(json_string_value(out), 1, json_string_length(out),
		    stdout);
	}
}

/* An elapse's remarks: DST and jitter, "" when there are none. */
static char *
elapse_note(json_t *e)
{
	char sbuf[TIMESPAN_MAX];
	json_int_t jitter;
	char *note = xstrdup(""), *s;

	if (json_is_true(json_object_get(e, "gap"))) {
		free(note);
		note = xstrdup("DST gap: moved to end of gap");
	}
	if (json_is_true(json_object_get(e, "repeat"))) {
		s = xstrfmt("%s%srepeated local time", note,
		    *note ? ", " : "");
		free(note);
		note = s;
	}
	if (num(e, "jitter_usec", &jitter) && jitter > 0) {
		s = xstrfmt("%s%sjitter +%s", note, *note ? ", " : "",
		    format_span(sbuf, sizeof(sbuf), jitter));
		free(note);
		note = s;
	}
	return note;
}

void
print_next(json_t *params)
{
	struct table t = { .ncols = 3 };
	json_t *elapses = json_object_get(params, "elapses"), *e;
	char tbuf[64];
	size_t i;

	if (json_array_size(elapses) == 0) {
		printf("%s: no coming firings\n", str(params, "job"));
		return;
	}
	table_add(&t, xstrfmt("LOCAL (%s)", str(params, "timezone")));
	table_add(&t, xstrdup("UTC"));
	table_add(&t, xstrdup("NOTE"));
	json_array_foreach(elapses, i, e) {
		json_int_t usec = 0;

		num(e, "usec", &usec);
		table_add(&t, xstrdup(str(e, "local")));
		table_add(&t, xstrdup(format_tm(tbuf, sizeof(tbuf), usec,
		    true)));
		table_add(&t, elapse_note(e));
	}
	table_print(&t);
}

/* "Sun " for a local time "2026-03-29 03:00:00+02:00": the weekday of
 * its date, whatever the zone. */
static const char *
local_weekday(const char *local)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	struct tm tm = { .tm_hour = 12 };
	int y, m, d;

	if (sscanf(local, "%d-%d-%d", &y, &m, &d) != 3)
		return "";
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	if (timegm(&tm) == (time_t)-1 || tm.tm_wday < 0 || tm.tm_wday > 6)
		return "";
	return days[tm.tm_wday];
}

/* "3h 2min left" or "1d 4h ago": the two largest units, as systemd. */
static const char *
format_from_now(char *buf, size_t len, json_int_t usec)
{
	static const usec_t units[] = { USEC_PER_DAY, USEC_PER_HOUR,
	    USEC_PER_MINUTE, USEC_PER_SEC };
	json_int_t now = (json_int_t)now_realtime();
	usec_t d = (usec_t)(usec > now ? usec - now : now - usec);
	char sbuf[TIMESPAN_MAX];
	size_t i;

	for (i = 0; i + 1 < ELEMENTSOF(units) && d < units[i]; i++)
		;
	d -= d % units[MIN(i + 1, ELEMENTSOF(units) - 1)];
	if (d == 0) {
		snprintf(buf, len, "now");
		return buf;
	}
	snprintf(buf, len, "%s %s", timespan_format(sbuf, sizeof(sbuf), d),
	    usec > now ? "left" : "ago");
	return buf;
}

void
print_calendar(json_t *params, const char *expr)
{
	json_t *elapses = json_object_get(params, "elapses"), *e;
	char tbuf[64], label[32];
	_cleanup_free_ char *note = NULL;
	json_int_t usec;
	size_t i;

	printf("%15s: %s\n", "Original form", expr);
	printf("%15s: %s\n", "Normalized form", str(params, "normalized"));
	printf("%15s: %s\n", "Syntax", str(params, "syntax"));
	printf("%15s: %s\n", "Time zone", str(params, "timezone"));
	if (json_array_size(elapses) == 0)
		printf("%15s: never\n", "Next elapse");
	json_array_foreach(elapses, i, e) {
		usec = 0;
		num(e, "usec", &usec);
		if (i == 0)
			snprintf(label, sizeof(label), "Next elapse");
		else
			snprintf(label, sizeof(label), "Iter. #%zu", i + 1);
		free(note);
		note = elapse_note(e);
		printf("%15s: %s %s%s%s%s\n", label,
		    local_weekday(str(e, "local")), str(e, "local"),
		    *note ? " (" : "", note, *note ? ")" : "");
		printf("%15s: %s %s UTC\n", "(in UTC)", local_weekday(
		    format_tm(tbuf, sizeof(tbuf), usec, true)), tbuf);
		printf("%15s: %s\n", "From now", format_from_now(tbuf,
		    sizeof(tbuf), usec));
	}
}

void
print_sched_state(json_t *params)
{
	char tbuf[64];
	json_int_t until, skips = 0;

	printf("%s: ", str(params, "job"));
	if (!num(params, "paused_until_usec", &until))
		printf("not paused");
	else if (until == INT64_MAX)
		printf("paused until resumed");
	else
		printf("paused until %s", format_time(tbuf, sizeof(tbuf),
		    until));
	num(params, "skips_pending", &skips);
	if (skips == 1)
		printf(", skipping the next slot");
	else if (skips > 1)
		printf(", skipping the next %" JSON_INTEGER_FORMAT " slots",
		    skips);
	putchar('\n');
}
