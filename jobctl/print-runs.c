/* What jobctl prints of runs and of the daemon: ids and results of
 * started runs, log lines, a reload's changes, status --daemon, history
 * and show. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "print-internal.h"
#include "terminal.h"
#include "timeutil.h"
#include "xmalloc.h"

void
print_run_ids(json_t *runs)
{
	json_int_t id;
	json_t *run;
	size_t i;

	json_array_foreach(runs, i, run)
		if (pr_num(run, "id", &id))
			printf("%" JSON_INTEGER_FORMAT "\n", id);
}

void
print_queued(json_t *queued)
{
	json_int_t id;
	json_t *q;
	size_t i;

	json_array_foreach(queued, i, q)
		if (pr_num(q, "queue_id", &id))
			printf("queued %s as q%" JSON_INTEGER_FORMAT
			    " (the first node with room runs it)\n",
			    pr_str(q, "job"), id);
}

void
print_cancel_requests(json_t *requested)
{
	json_t *q;
	size_t i;

	json_array_foreach(requested, i, q) {
		if (!*pr_str(q, "node") || !strcmp(pr_str(q, "node"), "-"))
			printf("%s cancelled (no node had taken it)\n",
			    pr_str(q, "target"));
		else
			printf("%s: cancel asked of node %s\n",
			    pr_str(q, "target"), pr_str(q, "node"));
	}
}

void
print_run_results(json_t *runs)
{
	json_int_t id, status;
	json_t *run;
	size_t i;

	json_array_foreach(runs, i, run) {
		pr_num(run, "id", &id);
		/* A run from the cluster's queue: where it ran. */
		if (json_is_string(json_object_get(run, "node")))
			printf("%s:", pr_str(run, "node"));
		printf("%" JSON_INTEGER_FORMAT " %s %s", id, pr_str(run, "job"),
		    json_object_get(run, "result") ? pr_str(run, "result") :
		    pr_str(run, "state"));
		if (pr_num(run, "exit_status", &status))
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

/* One line's bytes, marked when it came from stderr and stdout is a
 * terminal: in red, or after "stderr: " where colour is not wanted. */
static int
print_log_line(json_t *line)
{
	json_t *text = json_object_get(line, "text");
	const char *b64 = json_string_value(json_object_get(line, "base64"));
	const char *stream = json_string_value(json_object_get(line,
	    "stream"));
	enum terminal_mark mark = stream && !strcmp(stream, "stderr") ?
	    terminal_stderr_mark() : TERMINAL_MARK_NONE;
	int r = 0;

	if (mark == TERMINAL_MARK_TEXT)
		fputs("stderr: ", stdout);
	else if (mark == TERMINAL_MARK_COLOUR)
		terminal_sgr("\033[31m");
	if (json_is_string(text))
		fwrite(json_string_value(text), 1, json_string_length(text),
		    stdout);
	else if (b64 && base64_write(b64) < 0)
		r = -EBADMSG;
	if (mark == TERMINAL_MARK_COLOUR)
		terminal_sgr("\033[0m");
	putchar('\n');
	return r;
}

int
print_log_lines(json_t *lines, bool json, bool tagged)
{
	json_int_t run;
	json_t *line;
	size_t i;

	json_array_foreach(lines, i, line) {
		if (json) {
			print_json(line);
			continue;
		}
		/* "NAME[RUN] ", as supervisorctl's maintail. */
		if (tagged && pr_num(line, "run", &run))
			printf("%s[%" JSON_INTEGER_FORMAT "] ", pr_str(line,
			    "job"), run);
		if (print_log_line(line) < 0)
			return -EBADMSG;
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
	bool nodes = false;
	size_t i;
	json_t *r;

	/* A cluster's history: every node's runs, each with its node. */
	json_array_foreach(runs, i, r)
		nodes = nodes || json_is_string(json_object_get(r, "node"));
	if (nodes)
		printf("%-12s ", "NODE");
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
		if (nodes)
			printf("%-12s ", pr_str(r, "node"));
		printf("%-8lld %-16s %-9s %-10s %-5s %-19s %s\n",
		    json_int_at(r, "id", NULL),
		    json_string_value(json_object_get(r, "job")) ?: "?",
		    json_string_value(json_object_get(r, "trigger")) ?: "?",
		    json_is_string(res) ? json_string_value(res) : "running",
		    exit, when, rt >= 0 ? pr_format_span(span, sizeof(span), rt) :
		    "-");
	}
}

/* A hook's run: the run that started it, and its chain's first. */
static void
print_chain(json_t *r)
{
	const char *job = json_string_value(json_object_get(r, "hook_of_job"));
	const char *first = json_string_value(json_object_get(r,
	    "chain_first_job"));

	if (json_int_at(r, "hook_of", NULL) <= 0)
		return;
	printf("%-12s run %lld of %s\n", "hook of",
	    json_int_at(r, "hook_of", NULL), job ? job : "?");
	printf("%-12s run %lld of %s, %lld hook%s deep\n", "chain",
	    json_int_at(r, "chain_first", NULL), first ? first : "?",
	    json_int_at(r, "chain_depth", NULL),
	    json_int_at(r, "chain_depth", NULL) == 1 ? "" : "s");
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
	print_chain(r);
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
		printf("%-12s %s\n", "duration", pr_format_span(span,
		    sizeof(span), json_int_at(r, "runtime_usec", NULL)));
	out = json_object_get(p, "output");
	if (json_is_string(out)) {
		printf("output:\n");
		fwrite(json_string_value(out), 1, json_string_length(out),
		    stdout);
	}
}
