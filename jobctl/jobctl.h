/* What the verb modules of jobctl share with jobctl.c: the option bits,
 * the parsed invocation, and the helpers that call jobd and report usage
 * errors.  The tables themselves stay in jobctl.c. */
#ifndef JOBCTL_JOBCTL_H
#define JOBCTL_JOBCTL_H

#include <stdbool.h>

#include <jansson.h>

#include "client.h"
#include "timeutil.h"

enum {
	OPT_SOCKET = 1 << 0,
	OPT_JSON = 1 << 1,
	OPT_HELP = 1 << 2,
	OPT_VERSION = 1 << 3,
	OPT_WAIT = 1 << 4,
	OPT_ANY = 1 << 5,
	OPT_RUN = 1 << 6,
	OPT_LINES = 1 << 7,
	OPT_FOLLOW = 1 << 8,
	OPT_DRY_RUN = 1 << 9,
	OPT_DAEMON = 1 << 10,
	OPT_FAILED = 1 << 11,
	OPT_SINCE = 1 << 12,
	OPT_UNTIL = 1 << 13,
	OPT_BASE = 1 << 14,
	OPT_TIMEZONE = 1 << 15,
	OPT_RAW = 1 << 16,
	OPT_FORMAT = 1 << 17,
	OPT_TEXTFILE = 1 << 18,
	OPT_RESULT = 1 << 19,
	OPT_OUTPUT = 1 << 20,
	OPT_USER = 1 << 21,
	OPT_SYSTEM = 1 << 22,
	OPT_NAME = 1 << 23,
	OPT_TIMEOUT = 1 << 24,
	OPT_LOCK = 1 << 25,
	OPT_ENV = 1 << 26,
	OPT_PARAM = 1 << 27,
	OPT_ON_CALENDAR = 1 << 28,
	OPT_LOCAL = 1 << 29,
	OPT_ANYWHERE = 1 << 30,
};
#define OPT_GLOBAL (OPT_SOCKET | OPT_JSON | OPT_HELP | OPT_VERSION | OPT_RAW)

struct verb;

/* What a scheduler verb's reply holds (verbs-sched.c). */
enum sched_reply {
	SCHED_NEXT,		/* elapses of a job */
	SCHED_CALENDAR,		/* elapses of an expression */
	SCHED_STATE,		/* a job's pause state */
};

/* What one invocation asked for. */
struct ctx {
	const struct verb *verb;
	char **args;		/* after the verb, NULL-terminated */
	int nargs;
	unsigned opts;		/* OPT_* given */
	const char *socket;
	json_int_t run, lines;	/* lines: -n, whatever the verb counts */
	usec_t since, until, base;
	const char *timezone;
	const char *format;	/* metrics --format */
	const char *textfile;	/* metrics --textfile DIR */
	const char *result;	/* history --result */
	const char *output;	/* import -o FILE */
	const char *user;	/* import --user NAME, run --user */
	const char *name;	/* run --name */
	const char *timeout;	/* run --timeout */
	const char *on_calendar;	/* run --on-calendar */
	char **locks, **env;	/* run --lock, --env (repeated) */
	char **params;		/* start --param NAME=VALUE (repeated) */
	char **trailing;	/* after --: run's command, start's args */
	int ntrailing;
	bool dashdash;		/* -- was given */
	char *run_node;		/* --run NODE:ID: the node, owned */
	int replies;		/* replies printed so far */
	bool wait_gone;		/* stop --wait: services must be gone */
	enum sched_reply sched;	/* the scheduler verbs' reply */
	char **expanded;	/* args after names_expand, owned */
	bool all_units;		/* logs all: every unit, args empty */
	bool patterns;		/* names_expand met a glob or all */
};

/* What "all" and a glob stand for (names.c). */
enum names_scope {
	NAMES_ANY,		/* status: every unit */
	NAMES_START,		/* start: all = services, a glob any unit */
	NAMES_SERVICES,		/* stop, restart, reset-failed */
	NAMES_CANCEL,		/* jobs with unfinished runs */
	NAMES_LOGS,		/* any unit; all: c->all_units, no names */
};

/* Replaces c->args' globs, "all" and group names with the units they
 * stand for (one Summary call): -1 to go on, or an exit code (1: a
 * pattern matched nothing, a group has nothing the verb takes).
 * Cancel's may leave no name (every job it matched is idle). */
int names_expand(struct ctx *, enum names_scope);

/* One io.jobd.Manager call (params stolen); returns the exit code. */
int jobctl_call(struct ctx *, const char *method, json_t *params, bool more,
    client_reply_fn fn);
/* "jobctl: MESSAGE" and the verb's synopsis on stderr; returns 2. */
int jobctl_usage_error(const struct verb *, const char *fmt, ...)
    PRINTF_LIKE(2, 3);

/* Prints the runs of Start, Run, Wait and Cancel (with --wait, until
 * they have finished) and returns the exit code. */
int jobctl_reply_runs(json_t *params, bool continues, void *data);
/* What a time span means where a TIME is asked for. */
enum span_mode {
	SPAN_AGO,		/* --since 2h */
	SPAN_AHEAD,		/* --until 2h */
	SPAN_NONE,		/* --base: absolute times only */
};

/* '@EPOCH', 'YYYY-MM-DD [HH:MM[:SS]]' in local time (TZ), or a span
 * before or after now, as mode says (parse-time.c): 0, or -1. */
int parse_time(const char *s, enum span_mode mode, usec_t *ret);

/* Digits only, fitting an int64 (run ids, line counts). */
bool parse_number(const char *s, json_int_t *ret);
/* A reply array the printers may rely on, or NULL. */
json_t *reply_array(json_t *params, const char *key);

/* logs (verbs-logs.c). */
int verbs_logs(struct ctx *);

/* history and show (verbs-history.c). */
int verbs_history(struct ctx *);
int verbs_show(struct ctx *);
/* verbs-cluster.c */
int verbs_nodes(struct ctx *);

/* The scheduler's verbs (verbs-sched.c). */
int verbs_sched_next(struct ctx *);
int verbs_sched_calendar(struct ctx *);
int verbs_sched_pause(struct ctx *);
int verbs_sched_resume(struct ctx *);
int verbs_sched_skip(struct ctx *);

/* Services and events (verbs-service.c).  verbs_service_reply handles any
 * reply that lists services: prints them and, with --wait, exits 1 unless
 * each one is ready (gone, for stop). */
int verbs_service_reply(json_t *params, bool continues, void *data);
int verbs_service_stop(struct ctx *);
int verbs_service_restart(struct ctx *);
int verbs_service_signal(struct ctx *);
int verbs_service_reset_failed(struct ctx *);
int verbs_reload(struct ctx *);
int verbs_event(struct ctx *);
int verbs_events(struct ctx *);

/* Transient jobs and what start gives a run (verbs-run.c). */
int verbs_run(struct ctx *);
int verbs_remove(struct ctx *);
/* Start's params and args (--param, after --) into p; -1 to go on, or
 * an exit code. */
int verbs_start_extras(struct ctx *, json_t *p);
/* One of run's and start's options; -1 to go on, or an exit code. */
int verbs_run_option(struct ctx *, unsigned bit, const char *arg);

/* Metrics (verbs-metrics.c). */
int verbs_metrics(struct ctx *);
/* Alerts (verbs-alerts.c). */
int verbs_alerts(struct ctx *);
int verbs_alert(struct ctx *);

#endif
