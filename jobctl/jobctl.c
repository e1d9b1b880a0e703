/* jobctl: the command line.  One table of verbs and one of options drive
 * argument parsing, the help text and the usage errors; each verb builds
 * one io.jobd.Manager call and says how to print its replies and which
 * exit code they mean.  Talking to the socket lives in client.c, the
 * scheduler verbs in verbs-sched.c, services and events in
 * verbs-service.c, metrics in verbs-metrics.c, alerts in verbs-alerts.c,
 * logs in verbs-logs.c. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "import.h"
#include "jobctl.h"
#include "terminal.h"
#include "timeutil.h"
#include "print.h"
#include "strv.h"
#include "strv-json.h"
#include "varlink.h"
#include "xmalloc.h"

#ifndef JOBD_VERSION
#define JOBD_VERSION "0.1.0"
#endif

static const struct opt {
	unsigned bit;
	int short_name;		/* 0: long form only */
	const char *name;
	const char *arg;	/* NULL: takes no argument */
	const char *help;
} opts[] = {
	{ OPT_SOCKET, 's', "socket", "PATH", "talk to jobd at PATH" },
	{ OPT_JSON, 0, "json", NULL, "print each reply as one line of JSON" },
	{ OPT_RAW, 0, "raw", NULL,
	    "print what jobd sends exactly, also on a terminal (where\n"
	    "        control characters are shown escaped otherwise)" },
	{ OPT_HELP, 'h', "help", NULL, "print this help" },
	{ OPT_VERSION, 0, "version", NULL, "print the version" },
	{ OPT_WAIT, 0, "wait", NULL,
	    "wait for the runs to finish, print their results; services:\n"
	    "        until ready (start, restart) or gone (stop)" },
	{ OPT_ANY, 0, "any", NULL, "return when the first run finishes" },
	{ OPT_RUN, 0, "run", "ID", "show run ID instead of the latest run (in a\n"
	    "        cluster NODE:ID, a run of another node)" },
	{ OPT_LINES, 'n', "lines", "N",
	    "how many: logs lines (default 50 per unit, 0: all kept),\n"
	    "        history runs and alerts (default 20, 0: all), next and\n"
	    "        calendar firings (default 5), skip slots (default 1)" },
	{ OPT_FOLLOW, 'f', "follow", NULL,
	    "print new lines as they come: of one job until its run ends;\n"
	    "        of a service or several units until interrupted, new\n"
	    "        runs too" },
	{ OPT_DRY_RUN, 0, "dry-run", NULL, "show what would change, apply "
	    "nothing" },
	{ OPT_DAEMON, 0, "daemon", NULL,
	    "show the daemon itself: loop lag, executor queue" },
	{ OPT_FAILED, 0, "failed", NULL,
	    "only runs that did not succeed (alerts: attempts that failed\n"
	    "        or were dropped)" },
	{ OPT_RESULT, 0, "result", "RESULT",
	    "only runs with this result: success, failed, timeout,\n"
	    "        cancelled, lost, skipped or oom" },
	{ OPT_SINCE, 0, "since", "TIME",
	    "only runs since TIME: 'YYYY-MM-DD [HH:MM[:SS]]', '@EPOCH' or a "
	    "span\n        ago ('2h')" },
	{ OPT_UNTIL, 0, "until", "TIME",
	    "pause until TIME: 'YYYY-MM-DD [HH:MM[:SS]]', '@EPOCH' or a span\n"
	    "        from now ('2h'); without it, until resume" },
	{ OPT_BASE, 0, "base", "TIME",
	    "elapses after TIME instead of now: 'YYYY-MM-DD [HH:MM[:SS]]' "
	    "or\n        '@EPOCH'" },
	{ OPT_TIMEZONE, 0, "timezone", "TZ",
	    "read the expression in zone TZ (default the system zone)" },
	{ OPT_ANYWHERE, 0, "anywhere", NULL,
	    "start in a cluster: queue the runs for the first node with\n"
	    "        room" },
	{ OPT_LOCAL, 0, "local", NULL,
	    "history in a cluster: this node's ledger only" },
	{ OPT_OUTPUT, 'o', "output", "FILE",
	    "import: write the conf.d file to FILE instead of stdout" },
	{ OPT_USER, 0, "user", "NAME",
	    "import crontab: the crontab's owner (default: who runs jobctl)" },
	{ OPT_SYSTEM, 0, "system", NULL,
	    "import crontab: /etc/crontab and /etc/cron.d lines, with a user\n"
	    "        field" },
	{ OPT_FORMAT, 0, "format", "FMT",
	    "metrics: openmetrics (default) or prometheus (the text format\n"
	    "        0.0.4 that node_exporter and promtool read)" },
	{ OPT_TEXTFILE, 0, "textfile", "DIR",
	    "metrics: write DIR/jobd.prom atomically (prometheus format) for\n"
	    "        node_exporter's textfile collector instead of printing" },
};

static int verb_list(struct ctx *);
static int verb_status(struct ctx *);
static int verb_start(struct ctx *);
static int verb_wait(struct ctx *);
static int verb_cancel(struct ctx *);
static int verb_help(struct ctx *);

/* The most names or run ids one call takes: jobd refuses more. */
#define MAXN VARLINK_MAX_NAMES

static const struct verb {
	const char *name;
	const char *args;
	int min_args, max_args;
	unsigned opts;		/* OPT_* accepted besides OPT_GLOBAL */
	const char *help;
	int (*run)(struct ctx *);
} verbs[] = {
	{ "list", NULL, 0, 0, 0,
	    "list every job with its state (overdue too) and last run",
	    verb_list },
	{ "status", "[NAME...]", 0, MAXN, OPT_DAEMON,
	    "show jobs, their unfinished runs, last result and whether they\n"
	    "        are failing or overdue (names: globs such as 'web*',\n"
	    "        all, or a [group]'s name)", verb_status },
	{ "start", "JOB|SERVICE...", 1, MAXN, OPT_WAIT | OPT_ANYWHERE,
	    "start a run of each JOB, print the run ids; or start services\n"
	    "        ('web*', groups and all too: all is every service)",
	    verb_start },
	{ "stop", "SERVICE...", 1, MAXN, OPT_WAIT,
	    "stop services ('web*', groups and all too)",
	    verbs_service_stop },
	{ "restart", "SERVICE...", 1, MAXN, OPT_WAIT,
	    "stop and start services, also failed ones ('web*', groups\n"
	    "        and all too)", verbs_service_restart },
	{ "wait", "RUN...", 1, MAXN, OPT_ANY,
	    "wait for runs to finish, print their results", verb_wait },
	{ "cancel", "RUN|JOB...", 1, MAXN, 0,
	    "cancel runs, or every unfinished run of jobs ('web*' and all\n"
	    "        too: the jobs with unfinished runs)", verb_cancel },
	{ "logs", "[NAME...]", 0, MAXN, OPT_RUN | OPT_LINES | OPT_FOLLOW,
	    "print the output of a unit's latest run; of several ('web*',\n"
	    "        all, none: every unit), each line after NAME[RUN]",
	    verbs_logs },
	{ "reload", "[SERVICE...]", 0, MAXN, OPT_DRY_RUN,
	    "read the configuration again and apply it; with services, send\n"
	    "        them their reload_signal", verbs_reload },
	{ "signal", "SERVICE SIGNAL", 2, 2, 0,
	    "send a signal to a service's main process", verbs_service_signal },
	{ "reset-failed", "SERVICE...", 1, MAXN, 0,
	    "clear the failed state and start count of services",
	    verbs_service_reset_failed },
	{ "event", "set|clear NAME|list", 1, 2, 0,
	    "set or clear a named event (kept across restarts), or list the\n"
	    "        events", verbs_event },
	{ "events", NULL, 0, 0, 0,
	    "print every state change as it happens, until interrupted",
	    verbs_events },
	{ "history", "[JOB]", 0, 1, OPT_FAILED | OPT_SINCE | OPT_LINES |
	    OPT_RESULT | OPT_LOCAL,
	    "list recorded runs, newest first (-n: how many, default 20);\n"
	    "        in a cluster every node's, with its node",
	    verbs_history },
	{ "nodes", NULL, 0, 0, 0,
	    "list the nodes of jobd's cluster: state, lease, runs, version,\n"
	    "        whether their job definitions match this node's",
	    verbs_nodes },
	{ "show", "RUN", 1, 1, 0,
	    "show every recorded field of a run and its output tail",
	    verbs_show },
	{ "next", "JOB", 1, 1, OPT_LINES,
	    "the next firings of a periodic job, in its zone and in UTC",
	    verbs_sched_next },
	{ "calendar", "EXPR", 1, 1, OPT_LINES | OPT_BASE | OPT_TIMEZONE,
	    "normalize a schedule expression and show its next elapses",
	    verbs_sched_calendar },
	{ "pause", "JOB", 1, 1, OPT_UNTIL,
	    "stop starting a periodic job by its schedule", verbs_sched_pause },
	{ "resume", "JOB", 1, 1, 0,
	    "undo pause; missed slots are caught up as catch_up= says",
	    verbs_sched_resume },
	{ "skip", "JOB", 1, 1, OPT_LINES,
	    "skip the next slots of a periodic job (-n: how many)",
	    verbs_sched_skip },
	{ "metrics", NULL, 0, 0, OPT_FORMAT | OPT_TEXTFILE,
	    "print jobd's metrics (OpenMetrics text), or write them for\n"
	    "        node_exporter's textfile collector", verbs_metrics },
	{ "alerts", NULL, 0, 0, OPT_FAILED | OPT_LINES,
	    "list alert delivery attempts, newest first (-n: how many, "
	    "default\n        20, 0: all kept)", verbs_alerts },
	{ "alert", "test NAME", 2, 2, 0,
	    "send a test alert to every sink of [alert NAME]", verbs_alert },
	{ "import", "crontab|supervisord|systemd FILE...", 2, MAXN,
	    OPT_OUTPUT | OPT_USER | OPT_SYSTEM,
	    "write a conf.d file from a crontab, supervisord.conf or\n"
	    "        systemd units (FILE -: stdin; for systemd a path or a\n"
	    "        unit name, NAME.timer with its service or NAME.service);\n"
	    "        jobd is not asked", import_verb },
	{ "help", NULL, 0, 0, 0, "print this help", verb_help },
};

static const char exit_codes_text[] =
    "Exit status:\n"
    "  0  success\n"
    "  1  jobd refused: unknown job or run, bad state, permission denied,\n"
    "     a waited-for run has no exit status, or metrics --textfile\n"
    "     could not write its file\n"
    "  2  usage error\n"
    "  3  jobd unreachable, or protocol mismatch\n"
    "  start --wait and wait exit with the run's own exit status instead\n"
    "  (128+N for signal N; for several runs, the first non-zero in the\n"
    "  order given).\n";

static void
opt_usage(FILE *f, const struct opt *o)
{
	if (o->short_name)
		fprintf(f, "-%c|", o->short_name);
	fprintf(f, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ?: "");
}

/* "start JOB... [--wait]", from the tables. */
static void
verb_usage(FILE *f, const struct verb *v)
{
	size_t i;

	fprintf(f, "%s", v->name);
	if (v->args)
		fprintf(f, " %s", v->args);
	for (i = 0; i < ELEMENTSOF(opts); i++) {
		if (!(v->opts & opts[i].bit))
			continue;
		fputs(" [", f);
		opt_usage(f, &opts[i]);
		fputc(']', f);
	}
}

/* The synopsis of every verb; with full, their help and the rest too. */
static void
usage(FILE *f, bool full)
{
	size_t i;

	fprintf(f, "usage: jobctl [-s PATH] [--json] [VERB [ARGS]]\n%s",
	    full ? "\nWithout a verb: list.\n\nVerbs:\n" : "");
	for (i = 0; i < ELEMENTSOF(verbs); i++) {
		fputs(full ? "  " : "       jobctl ", f);
		verb_usage(f, &verbs[i]);
		fputc('\n', f);
		if (full)
			fprintf(f, "        %s\n", verbs[i].help);
	}
	if (!full)
		return;
	fprintf(f, "\nOptions (before or after the verb):\n");
	for (i = 0; i < ELEMENTSOF(opts); i++) {
		fputs("  ", f);
		opt_usage(f, &opts[i]);
		fprintf(f, "\n        %s\n", opts[i].help);
	}
	fprintf(f, "\nThe socket is $JOBD_SOCKET, else /run/jobd/jobd.sock "
	    "for root and\n$XDG_RUNTIME_DIR/jobd/jobd.sock for others.\n\n%s",
	    exit_codes_text);
}

/* Reports a usage error with the verb's synopsis (or all of them). */
int
jobctl_usage_error(const struct verb *v, const char *fmt, ...)
{
	va_list ap;

	fputs("jobctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (!v) {
		usage(stderr, false);
		return EXIT_USAGE;
	}
	fputs("usage: jobctl [-s PATH] [--json] ", stderr);
	verb_usage(stderr, v);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* Digits only, fitting an int64 (run ids, line counts). */
bool
parse_number(const char *s, json_int_t *ret)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > INT64_MAX)
		return false;
	*ret = (json_int_t)v;
	return true;
}

/* A reply array the printers may rely on, or NULL. */
json_t *
reply_array(json_t *params, const char *key)
{
	json_t *v = json_object_get(params, key);

	return json_is_array(v) ? v : NULL;
}

/* The exit status rule of start --wait and wait: the first non-zero
 * exit_status in the order given; a run without one counts as 1.  With
 * any, runs that have not finished do not count. */
static int
runs_exit_status(json_t *runs, bool any)
{
	json_int_t status;
	json_t *run, *v;
	const char *state;
	size_t i;

	json_array_foreach(runs, i, run) {
		state = json_string_value(json_object_get(run, "state"));
		if (any && (!state || strcmp(state, "finished")))
			continue;
		v = json_object_get(run, "exit_status");
		if (!json_is_integer(v))
			return EXIT_REFUSED;
		status = json_integer_value(v);
		if (status != 0)
			return status > 0 && status < 256 ? (int)status :
			    EXIT_REFUSED;
	}
	return 0;
}

int
jobctl_call(struct ctx *c, const char *method, json_t *params, bool more,
    client_reply_fn fn)
{
	struct client_request req = {
		.socket = c->socket,
		.method = method,
		.params = params,
		.more = more,
		.cancel = c->verb->run == verb_cancel,
		.reply = fn,
		.data = c,
	};

	return client_call(&req);
}

static int
reply_list(json_t *p, bool continues UNUSED, void *data)
{
	struct ctx *c = data;
	json_t *jobs = reply_array(p, "jobs");

	if (!jobs)
		return client_mismatch("reply has no 'jobs' array");
	if (c->opts & OPT_JSON)
		print_json(p);
	else if (c->verb->run == verb_list)
		print_jobs(jobs);
	else {
		print_status(jobs);
		print_sync(json_object_get(p, "sync"));
	}
	return 0;
}

static int
reply_daemon(json_t *p, bool continues, void *data)
{
	struct ctx *c = data;
	json_t *lane;

	(void)continues;
	if (c->opts & OPT_JSON) {
		print_json(p);
		return 0;
	}
	print_daemon(p);
	lane = json_object_get(p, "ledger_thread");
	if (json_is_object(lane))
		printf("  ledger thread: %lld queued, %lld completed\n",
		    (long long)json_integer_value(json_object_get(lane,
		    "queued")), (long long)json_integer_value(
		    json_object_get(lane, "completed")));
	return 0;
}

/* The human views ask for Summary, what they print; --json gets the full
 * List and Status. */
static int
verb_list(struct ctx *c)
{
	return jobctl_call(c, c->opts & OPT_JSON ? VARLINK_INTERFACE ".List" :
	    VARLINK_INTERFACE ".Summary", NULL, false, reply_list);
}

/* Several names: every unit is asked for and the reply cut down to
 * them, in the order jobd lists them. */
static int
reply_some(json_t *p, bool continues, void *data)
{
	struct ctx *c = data;
	json_t *jobs = reply_array(p, "jobs"), *keep, *j, *n;
	_cleanup_(strv_freep) char **found = NULL;
	int r = 0;
	size_t i;

	if (!jobs)
		return reply_list(p, continues, data);
	keep = json_array();
	json_array_foreach(jobs, i, j) {
		n = json_object_get(j, "name");
		if (!n)		/* Status: {job: Job, runs} */
			n = json_object_get(json_object_get(j, "job"), "name");
		if (json_is_string(n) && strv_contains(c->args,
		    json_string_value(n))) {
			json_array_append(keep, j);
			found = strv_append(found, json_string_value(n));
		}
	}
	json_object_set_new(p, "jobs", keep);
	for (i = 0; i < (size_t)c->nargs; i++)
		if (!strv_contains(found, c->args[i])) {
			fprintf(stderr, "jobctl: no such job or service: "
			    "%s\n", c->args[i]);
			r = EXIT_REFUSED;
		}
	if (r)
		return r;
	return reply_list(p, continues, data);
}

static int
verb_status(struct ctx *c)
{
	json_t *p;
	int r;

	if (c->opts & OPT_DAEMON)
		return jobctl_call(c, VARLINK_INTERFACE ".Daemon", NULL, false,
		    reply_daemon);
	if ((r = names_expand(c, NAMES_ANY)) >= 0)
		return r;
	p = json_object();
	if (c->nargs == 1)
		json_object_set_new(p, "job", json_string(c->args[0]));
	return jobctl_call(c, c->opts & OPT_JSON ? VARLINK_INTERFACE
	    ".Status" : VARLINK_INTERFACE ".Summary", p, false,
	    c->nargs > 1 ? reply_some : reply_list);
}

/* Start, Wait and Cancel all reply with runs.  Start --wait replies
 * twice: the new runs (ids printed and flushed at once, so a script can
 * read them), then the same runs finished. */
static int
reply_runs(json_t *p, bool continues, void *data)
{
	struct ctx *c = data;
	json_t *runs = reply_array(p, "runs");
	bool waiting = (c->opts & OPT_WAIT) || c->verb->run == verb_wait;

	if (json_is_array(json_object_get(p, "services")))
		return verbs_service_reply(p, continues, data);
	if (!runs)
		return client_mismatch("reply has no 'runs' array");
	if (c->opts & OPT_JSON)
		print_json(p);
	else if (c->replies == 0 && c->verb->run != verb_wait) {
		print_run_ids(runs);
		if (json_is_array(json_object_get(p, "queued")))
			print_queued(json_object_get(p, "queued"));
		if (json_is_array(json_object_get(p, "requested")))
			print_cancel_requests(json_object_get(p, "requested"));
	}
	c->replies++;
	if (!waiting)
		return 0;
	if (continues) {
		fflush(stdout);
		return -1;
	}
	if (!(c->opts & OPT_JSON))
		print_run_results(runs);
	return runs_exit_status(runs, c->opts & OPT_ANY);
}

static int
verb_start(struct ctx *c)
{
	json_t *p;
	bool wait = c->opts & OPT_WAIT;
	int r;

	if ((r = names_expand(c, NAMES_START)) >= 0)
		return r;
	p = json_pack("{s:o}", "jobs", strv_json(c->args));

	if (wait)
		json_object_set_new(p, "wait", json_true());
	if (c->opts & OPT_ANYWHERE)
		json_object_set_new(p, "anywhere", json_true());
	return jobctl_call(c, VARLINK_INTERFACE ".Start", p, wait, reply_runs);
}

static int
verb_wait(struct ctx *c)
{
	json_t *runs = json_array();
	json_int_t id;
	int i;

	for (i = 0; i < c->nargs; i++) {
		if (!parse_number(c->args[i], &id)) {
			json_decref(runs);
			return jobctl_usage_error(c->verb,
			    "invalid run id '%s'", c->args[i]);
		}
		json_array_append_new(runs, json_integer(id));
	}
	return jobctl_call(c, VARLINK_INTERFACE ".Wait", json_pack("{s:o, s:b}",
	    "runs", runs, "any", (c->opts & OPT_ANY) != 0), false,
	    reply_runs);
}

/* A target made of digits is a run id, and must be one (jobd would refuse
 * it too): anything else is a job name, a glob or all.  The jobs a
 * pattern stands for may end their runs before the call: jobd then passes
 * them over (skip_idle). */
static int
verb_cancel(struct ctx *c)
{
	json_int_t id;
	json_t *p;
	int i, r;

	for (i = 0; i < c->nargs; i++)
		if (isdigit((unsigned char)c->args[i][0]) &&
		    strspn(c->args[i], "0123456789") == strlen(c->args[i]) &&
		    !parse_number(c->args[i], &id))
			return jobctl_usage_error(c->verb,
			    "invalid run id '%s'", c->args[i]);
	if ((r = names_expand(c, NAMES_CANCEL)) >= 0)
		return r;
	if (c->nargs == 0) {
		fprintf(stderr, "jobctl: no unfinished runs to cancel\n");
		return 0;
	}
	p = json_pack("{s:o}", "targets", strv_json(c->args));
	if (c->patterns)
		json_object_set_new(p, "skip_idle", json_true());
	return jobctl_call(c, VARLINK_INTERFACE ".Cancel", p, false,
	    reply_runs);
}

/* What a time span means where a TIME is asked for. */
enum span_mode {
	SPAN_AGO,		/* --since 2h */
	SPAN_AHEAD,		/* --until 2h */
	SPAN_NONE,		/* --base: absolute times only */
};

/* '@EPOCH', 'YYYY-MM-DD [HH:MM[:SS]]' in jobctl's local time (TZ), or a
 * span before or after now. */
static int
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

static int
verb_help(struct ctx *c UNUSED)
{
	usage(stdout, true);
	return 0;
}

/* Handles one option; returns -1 to go on or an exit code. */
static int
parse_option(struct ctx *c, const struct opt *o, const char *arg)
{
	c->opts |= o->bit;
	switch (o->bit) {
	case OPT_SOCKET:
		c->socket = arg;
		break;
	case OPT_HELP:
		usage(stdout, true);
		return 0;
	case OPT_VERSION:
		printf("jobctl %s\n", JOBD_VERSION);
		return 0;
	case OPT_RUN:
		/* NODE:ID: a run of another node of a cluster. */
		if (strchr(arg, ':')) {
			c->run_node = xstrndup(arg, strcspn(arg, ":"));
			arg = strchr(arg, ':') + 1;
		}
		if (!parse_number(arg, &c->run) || (c->run_node &&
		    !*c->run_node))
			return jobctl_usage_error(NULL, "invalid run id '%s'",
			    arg);
		break;
	case OPT_LINES:
		if (!parse_number(arg, &c->lines))
			return jobctl_usage_error(NULL,
			    "invalid line count '%s'", arg);
		break;
	case OPT_SINCE:
		if (parse_time(arg, SPAN_AGO, &c->since) < 0)
			return jobctl_usage_error(NULL, "invalid time '%s'",
			    arg);
		break;
	case OPT_UNTIL:
		if (parse_time(arg, SPAN_AHEAD, &c->until) < 0)
			return jobctl_usage_error(NULL, "invalid time '%s'",
			    arg);
		if (c->until <= now_realtime())
			return jobctl_usage_error(NULL, "time '%s' is in the "
			    "past", arg);
		break;
	case OPT_BASE:
		if (parse_time(arg, SPAN_NONE, &c->base) < 0)
			return jobctl_usage_error(NULL, "invalid time '%s': "
			    "expected 'YYYY-MM-DD [HH:MM[:SS]]' or '@EPOCH'",
			    arg);
		break;
	case OPT_TIMEZONE:
		if (!*arg)
			return jobctl_usage_error(NULL, "empty time zone");
		c->timezone = arg;
		break;
	case OPT_FORMAT:
		c->format = arg;
		break;
	case OPT_RESULT:
		c->result = arg;
		break;
	case OPT_OUTPUT:
		c->output = arg;
		break;
	case OPT_USER:
		c->user = arg;
		break;
	case OPT_TEXTFILE:
		if (!*arg)
			return jobctl_usage_error(NULL, "empty directory");
		c->textfile = arg;
		break;
	}
	return -1;
}

/* getopt_long in GNU order, so options may follow the verb. */
static int
parse_options(int argc, char **argv, struct ctx *c)
{
	struct option longopts[ELEMENTSOF(opts) + 1] = { { 0 } };
	char shortopts[2 * ELEMENTSOF(opts) + 2] = ":", *s = shortopts + 1;
	size_t i;
	int ch, r;

	for (i = 0; i < ELEMENTSOF(opts); i++) {
		longopts[i] = (struct option){ opts[i].name,
		    opts[i].arg ? required_argument : no_argument, NULL,
		    256 + (int)i };
		if (opts[i].short_name) {
			*s++ = (char)opts[i].short_name;
			if (opts[i].arg)
				*s++ = ':';
		}
	}
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts,
	    NULL)) != -1) {
		if (ch == '?' && optopt)
			return jobctl_usage_error(NULL, "unknown option '-%c'",
			    optopt);
		if (ch == '?')
			return jobctl_usage_error(NULL, "unknown option '%s'",
			    argv[optind - 1]);
		if (ch == ':')
			return jobctl_usage_error(NULL, "option '%s' needs an "
			    "argument", argv[optind - 1]);
		for (i = 0; ch < 256 && opts[i].short_name != ch; i++)
			;
		if (ch >= 256)
			i = ch - 256;
		if ((r = parse_option(c, &opts[i], optarg)) >= 0)
			return r;
	}
	return -1;
}

/* Fills c from argv; returns -1 to go on, or an exit code. */
static int
parse_args(int argc, char **argv, struct ctx *c)
{
	size_t i;
	int r;

	if ((r = parse_options(argc, argv, c)) >= 0)
		return r;
	/* jobctl alone is the overview, as systemctl and supervisorctl
	 * status are. */
	for (i = 0; i < ELEMENTSOF(verbs); i++)
		if (!strcmp(verbs[i].name, optind < argc ? argv[optind] :
		    "list"))
			c->verb = &verbs[i];
	if (optind >= argc) {
		c->args = argv + argc;
		c->nargs = 0;
		return c->opts & ~OPT_GLOBAL ? jobctl_usage_error(c->verb,
		    "options other than -s, --json and --raw need a verb") :
		    -1;
	}
	if (!c->verb)
		return jobctl_usage_error(NULL, "unknown verb '%s'",
		    argv[optind]);
	c->args = argv + optind + 1;
	c->nargs = argc - optind - 1;
	for (i = 0; i < ELEMENTSOF(opts); i++)
		if (c->opts & opts[i].bit & ~(c->verb->opts | OPT_GLOBAL))
			return jobctl_usage_error(c->verb, "'%s' takes no "
			    "option --%s", c->verb->name, opts[i].name);
	if (c->nargs < c->verb->min_args)
		return jobctl_usage_error(c->verb, "'%s' needs %s",
		    c->verb->name, c->verb->args);
	if (c->nargs > c->verb->max_args)
		return jobctl_usage_error(c->verb,
		    "too many arguments for '%s' (at most %d)", c->verb->name,
		    c->verb->max_args);
	return -1;
}

int
main(int argc, char **argv)
{
	_cleanup_free_ char *socket = NULL;
	struct ctx c = { .lines = 50 };
	int r;

	/* A reader that goes away must not kill us mid-reply. */
	signal(SIGPIPE, SIG_IGN);
	if ((r = parse_args(argc, argv, &c)) >= 0)
		return r;
	if (!c.socket)
		c.socket = socket = client_default_socket();
	terminal_init(c.opts & OPT_RAW);
	r = c.verb->run(&c);
	/* Write errors on stdout (| head) end jobctl quietly. */
	fflush(stdout);
	terminal_done();
	strv_free(c.expanded);
	free(c.run_node);
	return r;
}
