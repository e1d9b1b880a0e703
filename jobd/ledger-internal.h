/* Shared by ledger.c (the file: open, checks, migrations), ledger-runs.c
 * (the rows: cached statements and the operations on them) and
 * ledger-alert-log.c (the alert log's rows) and ledger-alert-state.c
 * (alert states and events). */
#ifndef JOBD_LEDGER_INTERNAL_H
#define JOBD_LEDGER_INTERNAL_H

#include <sqlite3.h>

#include "ledger.h"

enum ledger_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_START,
	ST_COMPLETE,
	ST_STATE_PUT,
	ST_STATE_GET,
	ST_GET,
	ST_QUERY_ALL,
	ST_QUERY_JOB,
	ST_QUERY_RECENT,
	ST_MAX_ID,
	ST_UNFINISHED,
	ST_MARK_LOST,
	ST_JOBS,
	ST_PRUNE,
	ST_META_GET,
	ST_EXISTS,
	ST_IDS_BEGIN,
	ST_RESERVE,
	ST_RESERVE_SET,
	ST_INSTANCE_SET,
	ST_ALERT_LOG_PUT,
	ST_ALERT_PUT,
	ST_EVENT_PUT,
	ST_EVENT_DELETE,
	ST_N
};

struct ledger {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[ST_N];
	long long max_page_count;	/* as opened: lifts LEDGER_FAULT_FULL */
};

/* Reports SQLite's latest error as "ledger 'PATH': what: message". */
int ledger_fail(struct ledger *, int rc, const char *what, char **cause);
/* Steps a statement that returns no rows we need, then resets it. */
int ledger_exec_stmt(struct ledger *, enum ledger_stmt);
/* ledger_fail, then rolls back the transaction if one is open. */
int ledger_abort(struct ledger *, int rc, const char *what, char **cause);
int ledger_begin(struct ledger *, char **cause);
int ledger_commit(struct ledger *, const char *what, char **cause);
/* ledger-alert-log.c: appends one attempt (LEDGER_OP_ALERT_LOG) with
 * ST_ALERT_LOG_PUT; an SQLite result code. */
int ledger_alert_log_apply(struct ledger *, const struct ledger_alert *);
/* Why the row would be refused, or NULL. */
const char *ledger_alert_log_invalid(const struct ledger_alert *);
/* ledger-runs.c: the ops of runs and job states, checked (why one is
 * malformed, or NULL; "unknown op type" for another kind) and applied
 * (an SQLite result code). */
const char *ledger_row_invalid(const struct ledger_op *);
int ledger_row_apply(struct ledger *, const struct ledger_op *);
/* ledger-rows.c: a column's text (allocated), or NULL. */
char *ledger_column_dup(sqlite3_stmt *, int i);
/* Room for element n of an array of elements of size. */
void *ledger_grow(void *array, size_t *alloc, size_t n, size_t size);
/* Steps st to its end, each row read by read into a new zeroed element
 * appended to *v (*n of them): SQLITE_OK, or the error, with what was
 * read so far in *v for the caller to free. */
int ledger_read_rows(sqlite3_stmt *st, size_t size,
    void (*read)(sqlite3_stmt *, void *), void **v, size_t *n);
/* A query with no parameters, every row read into *v as above: 0, or
 * ledger_fail's error about what (the rows read so far stay in *v for
 * the caller to free). */
int ledger_select(struct ledger *, const char *sql, const char *what,
    size_t size, void (*read)(sqlite3_stmt *, void *), void **v, size_t *n,
    char **cause);
/* Prepares every statement; once the schema is current. */
int ledger_prepare(struct ledger *, char **cause);

/* ledger-alert-state.c: the ops of alert states and events (those
 * ledger_op_is_alert says), checked (why one is malformed, or NULL) and
 * applied (an SQLite result code). */
static inline bool
ledger_op_is_alert(const struct ledger_op *op)
{
	return op->type == LEDGER_OP_ALERT_STATE ||
	    op->type == LEDGER_OP_EVENT_SET ||
	    op->type == LEDGER_OP_EVENT_CLEAR;
}
const char *ledger_alert_op_invalid(const struct ledger_op *);
int ledger_alert_apply(struct ledger *, const struct ledger_op *);

#endif
