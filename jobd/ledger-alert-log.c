/* The alert log's rows (tables alert_log and alert_counts, schema version
 * 3): an attempt appended within a write batch, the newest attempts read
 * back for jobctl alerts, and the counts of every attempt ever made for
 * the metrics.  The table keeps its newest LEDGER_ALERT_LOG_MAX rows (a
 * trigger prunes as it counts).  Blocking: worker threads only. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ledger-internal.h"

#define ALERT_COLUMNS \
	"id, at_usec, alert, sink, event, job, run, attempt, status, detail"

static const char alert_log_sql[] =
	"SELECT " ALERT_COLUMNS " FROM alert_log"
	" WHERE ?1 = 0 OR status <> 'sent' ORDER BY id DESC LIMIT ?2";
static const char alert_counts_sql[] =
	"SELECT alert, sink, status, n FROM alert_counts"
	" ORDER BY alert, sink, status";

static bool
status_valid(const char *s)
{
	return s && (!strcmp(s, "sent") || !strcmp(s, "failed") ||
	    !strcmp(s, "dropped"));
}

const char *
ledger_alert_log_invalid(const struct ledger_alert *a)
{
	if (!a->alert || !*a->alert || !a->sink || !*a->sink || !a->event ||
	    !*a->event)
		return "alert row without alert, sink or event";
	if (!status_valid(a->status))
		return "alert row with an unknown status";
	if (a->run > INT64_MAX || a->at > INT64_MAX)
		return "alert row out of range";
	return NULL;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s, int *rc)
{
	if (*rc == SQLITE_OK)
		*rc = s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) :
		    sqlite3_bind_null(st, i);
}

static void
bind_int(sqlite3_stmt *st, int i, int64_t v, bool null_if_zero, int *rc)
{
	if (*rc != SQLITE_OK)
		return;
	*rc = v == 0 && null_if_zero ? sqlite3_bind_null(st, i) :
	    sqlite3_bind_int64(st, i, v);
}

int
ledger_alert_log_apply(struct ledger *l, const struct ledger_alert *a)
{
	sqlite3_stmt *st = l->stmt[ST_ALERT_LOG_PUT];
	int rc = SQLITE_OK;

	bind_int(st, 1, (int64_t)a->at, false, &rc);
	bind_text(st, 2, a->alert, &rc);
	bind_text(st, 3, a->sink, &rc);
	bind_text(st, 4, a->event, &rc);
	bind_text(st, 5, a->job, &rc);
	bind_int(st, 6, (int64_t)a->run, true, &rc);
	bind_int(st, 7, a->attempt, false, &rc);
	bind_text(st, 8, a->status, &rc);
	bind_text(st, 9, a->detail, &rc);
	if (rc != SQLITE_OK) {
		sqlite3_clear_bindings(st);
		return rc;
	}
	return ledger_exec_stmt(l, ST_ALERT_LOG_PUT);
}

static void
read_alert(sqlite3_stmt *st, void *elem)
{
	struct ledger_alert *a = elem;

	*a = (struct ledger_alert){
		.id = (uint64_t)sqlite3_column_int64(st, 0),
		.at = (usec_t)sqlite3_column_int64(st, 1),
		.alert = ledger_column_dup(st, 2),
		.sink = ledger_column_dup(st, 3),
		.event = ledger_column_dup(st, 4),
		.job = ledger_column_dup(st, 5),
		.run = (uint64_t)sqlite3_column_int64(st, 6),
		.attempt = (unsigned)sqlite3_column_int64(st, 7),
		.status = ledger_column_dup(st, 8),
		.detail = ledger_column_dup(st, 9),
	};
}

int
ledger_alert_log(struct ledger *l, bool failed_only, size_t limit,
    struct ledger_alert **ret, size_t *ret_n, char **cause)
{
	struct ledger_alert *v = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int rc;

	rc = sqlite3_prepare_v2(l->db, alert_log_sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 1, failed_only);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, limit && limit <= INT64_MAX ?
		    (int64_t)limit : -1);
	if (rc == SQLITE_OK)
		rc = ledger_read_rows(st, sizeof(*v), read_alert, (void **)&v,
		    &n);
	if (rc != SQLITE_OK) {
		rc = ledger_fail(l, rc, "read alert log", cause);
		sqlite3_finalize(st);
		ledger_alerts_free(v, n);
		return rc;
	}
	sqlite3_finalize(st);
	*ret = v;
	*ret_n = n;
	return 0;
}

void
ledger_alerts_free(struct ledger_alert *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].alert);
		free(v[i].sink);
		free(v[i].event);
		free(v[i].job);
		free(v[i].status);
		free(v[i].detail);
	}
	free(v);
}

static void
read_count(sqlite3_stmt *st, void *elem)
{
	*(struct ledger_alert_count *)elem = (struct ledger_alert_count){
		.alert = ledger_column_dup(st, 0),
		.sink = ledger_column_dup(st, 1),
		.status = ledger_column_dup(st, 2),
		.n = (uint64_t)sqlite3_column_int64(st, 3),
	};
}

int
ledger_alert_counts(struct ledger *l, struct ledger_alert_count **ret,
    size_t *ret_n, char **cause)
{
	struct ledger_alert_count *v = NULL;
	size_t n = 0;
	int r;

	r = ledger_select(l, alert_counts_sql, "read alert counts", sizeof(*v),
	    read_count, (void **)&v, &n, cause);
	if (r < 0) {
		ledger_alert_counts_free(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void
ledger_alert_counts_free(struct ledger_alert_count *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].alert);
		free(v[i].sink);
		free(v[i].status);
	}
	free(v);
}
