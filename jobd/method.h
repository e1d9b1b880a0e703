/* Helpers shared by the method-*.c files: runs and jobs as the JSON the
 * interface description (io.jobd.Manager.varlink) defines. */
#ifndef JOBD_METHOD_H
#define JOBD_METHOD_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#include "control.h"
#include "json-writer.h"
#include "timeutil.h"

struct alerts;
struct bus;
struct figures;
struct conn;
struct heap;
struct job;
struct logs_hub;
struct looplag;
struct record;
struct reload_plan;
struct run;
struct run_ctx;
struct sched;
struct service;
struct sync;
struct transient;
struct units;

/* What the protocol layer reaches: the modules it asks and acts on, and
 * the two things only the owner (daemon.c) can do.  Filled once. */
struct cluster;

struct method_ctx {
	struct run_ctx *runs;		/* config in force, executor, stopping */
	struct units *units;
	struct record *record;
	struct sync *sync;
	struct bus *bus;
	struct logs_hub *logs;		/* Tail's followers */
	struct sched *sched;
	struct looplag *looplag;
	struct heap *heap;		/* trims after large replies */
	struct figures *figures;	/* the jobs' counts, for Metrics */
	struct alerts *alerts;		/* AlertTest */
	struct transient *transient;	/* Run and Remove */
	struct cluster *cluster;	/* Nodes; NULL: one host */
	const char *config_path, *socket_path;
	usec_t started;
	/* A configuration reload; done gets the errors or the plan. */
	void (*reload)(void *owner, bool dry_run,
	    void (*done)(void *ctx, int r, char **errors,
	    const struct reload_plan *plan), void *ctx);
	void *owner;
};

/* What a reload did, or would do (--dry-run), unit names per kind. */
struct reload_plan {
	char **added, **removed, **changed, **unchanged;
	char **restarted, **updated;	/* the changed, split */
};

/* The Run, Job and Service shapes, written into a reply... */
void method_run_write(struct json_writer *, const struct run *);
void method_job_write(struct json_writer *, const struct job *);
void method_service_write(struct json_writer *, const struct service *);
/* ...and a service's fields without its name (JobSummary). */
void method_service_fields(struct json_writer *, const struct service *);
/* Locks, semaphores and events with holders and waiters (Status,
 * EventList). */
json_t *method_sync_json(struct method_ctx *);
/* Replies to a call that started runs: at once (once on record), or
 * with wait when they have finished (method-runs.c). */
void method_runs_started(struct conn *, struct run **runs, size_t n,
    bool wait);
/* Start when the names are services. */
void method_start_services(struct conn *, json_t *names, bool wait);

/* Who asked (method-audit.c): the peer and its claim on_behalf_of (may be
 * NULL), strings borrowed; -1 after an InvalidParameter reply. */
struct ledger_run;
struct run_who;
int method_who(struct conn *, const char *on_behalf_of, struct run_who *);
/* "uid N (NAME) for CLAIM", for log lines, in buf. */
const char *method_who_text(const struct run_who *, char *buf, size_t n);
/* params, args, requested_by and cancelled_by of the Run shape. */
void method_run_audit_write(struct json_writer *, const struct run *);
void method_row_audit_json(json_t *, const struct ledger_run *);

/* Method handlers (method-*.c), and their table (method-table.c). */

void method_list(struct conn *, json_t *);
void method_status(struct conn *, json_t *);
void method_summary(struct conn *, json_t *);
void method_start(struct conn *, json_t *);
void method_wait(struct conn *, json_t *);
void method_cancel(struct conn *, json_t *);
void method_logs(struct conn *, json_t *);
void method_tail(struct conn *, json_t *);
void method_reload(struct conn *, json_t *);
void method_history(struct conn *, json_t *);
void method_nodes(struct conn *, json_t *);
/* Start's jobs into the cluster's queue (asked: --anywhere; else only
 * when each is an on-demand job with run_on=any): true when it answered
 * the call (or will). */
/* Cancel's targets on other nodes ("NODE:RUN") or in the cluster's
 * queue ("qN"): true when it answered the call (all targets such, or an
 * error), false when none is. */
bool method_cancel_remote(struct conn *, json_t *targets);
/* Logs of run RUN of another NODE, from the cluster's table: true when it
 * answered the call (or will). */
bool method_logs_remote(struct conn *, const char *node, int64_t run,
    int64_t lines);
struct job;
bool method_start_anywhere(struct conn *, struct job **jobs, size_t n,
    bool asked, bool wait);
/* History from the cluster's table (method-cluster.c): 0 when the answer
 * will come, else -errno and nothing was sent.  fallback(conn, why, ctx)
 * is called once: with the connection when the database could not
 * answer (answer locally), with NULL once it did or the client has gone
 * (only free ctx). */
struct cluster_history_query;
int method_cluster_history(struct conn *, const struct cluster_history_query *,
    void (*fallback)(struct conn *, const char *why, void *), void *ctx);
void method_recent(struct conn *, json_t *);
void method_next(struct conn *, json_t *);
void method_event_set(struct conn *, json_t *);
void method_event_clear(struct conn *, json_t *);
void method_event_list(struct conn *, json_t *);
void method_events(struct conn *, json_t *);
void method_stop(struct conn *, json_t *);
void method_restart(struct conn *, json_t *);
void method_reset_failed(struct conn *, json_t *);
void method_reload_service(struct conn *, json_t *);
void method_signal(struct conn *, json_t *);
void method_calendar(struct conn *, json_t *);
void method_pause(struct conn *, json_t *);
void method_resume(struct conn *, json_t *);
void method_skip(struct conn *, json_t *);
void method_show(struct conn *, json_t *);
void method_daemon(struct conn *, json_t *);
void method_metrics(struct conn *, json_t *);
void method_alerts(struct conn *, json_t *);
void method_alert_test(struct conn *, json_t *);
void method_run(struct conn *, json_t *);	/* method-adhoc.c */
void method_remove(struct conn *, json_t *);
void method_get_info(struct conn *, json_t *);
void method_get_interface_description(struct conn *, json_t *);
#ifdef JOBD_DEBUG_METHODS
void method_debug_stall(struct conn *, json_t *);	/* method-debug.c */
#endif

extern const struct ctl_method method_table[];
extern const size_t method_table_size;

#define IFACE_ERROR(name) "io.jobd.Manager." name

#endif
