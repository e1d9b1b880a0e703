/* What alerts and events keep in the ledger (tables alert_state and
 * events of schema version 3): the ops that write them in a batch, and
 * the whole tables read back once at start, so that change-only alerts,
 * the dead man's switch and set events go on where the last daemon left
 * them.  Blocking: worker threads only. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "ledger-internal.h"
#include "macro.h"

static const char ledger_alerts_sql[] =
	"SELECT job, failing, overdue, since_usec, overdue_usec"
	" FROM alert_state ORDER BY job";
static const char ledger_events_sql[] =
	"SELECT name, set_usec FROM events ORDER BY name";

const char *
ledger_alert_op_invalid(const struct ledger_op *op)
{
	switch (op->type) {
	case LEDGER_OP_ALERT_STATE:
		return op->alert.job && *op->alert.job ? NULL : "no job name";
	case LEDGER_OP_EVENT_SET:
	case LEDGER_OP_EVENT_CLEAR:
		return op->event.name && *op->event.name ? NULL :
		    "no event name";
	default:
		return "unknown op type";
	}
}

static int64_t
usec_column(usec_t v)
{
	return (int64_t)MIN(v, (usec_t)INT64_MAX);
}

/* Binds a time, 0 as NULL. */
static int
bind_time(sqlite3_stmt *st, int i, usec_t v)
{
	return v ? sqlite3_bind_int64(st, i, usec_column(v)) :
	    sqlite3_bind_null(st, i);
}

int
ledger_alert_apply(struct ledger *l, const struct ledger_op *op)
{
	const struct ledger_alert_state *a = &op->alert;
	enum ledger_stmt id;
	sqlite3_stmt *st;
	int rc;

	switch (op->type) {
	case LEDGER_OP_ALERT_STATE:
		id = ST_ALERT_PUT;
		break;
	case LEDGER_OP_EVENT_SET:
		id = ST_EVENT_PUT;
		break;
	case LEDGER_OP_EVENT_CLEAR:
		id = ST_EVENT_DELETE;
		break;
	default:
		return SQLITE_MISUSE;
	}
	st = l->stmt[id];
	if (op->type == LEDGER_OP_ALERT_STATE) {
		rc = sqlite3_bind_text(st, 1, a->job, -1, SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(st, 2, a->failing);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int(st, 3, a->overdue);
		if (rc == SQLITE_OK)
			rc = bind_time(st, 4, a->since);
		if (rc == SQLITE_OK)
			rc = bind_time(st, 5, a->overdue_since);
	} else {
		rc = sqlite3_bind_text(st, 1, op->event.name, -1,
		    SQLITE_STATIC);
		if (rc == SQLITE_OK && op->type == LEDGER_OP_EVENT_SET)
			rc = sqlite3_bind_int64(st, 2,
			    usec_column(op->event.set));
	}
	if (rc != SQLITE_OK) {
		sqlite3_clear_bindings(st);
		return rc;
	}
	return ledger_exec_stmt(l, id);
}

static void
read_state(sqlite3_stmt *st, void *elem)
{
	*(struct ledger_alert_state *)elem = (struct ledger_alert_state){
		.job = ledger_column_dup(st, 0),
		.failing = sqlite3_column_int(st, 1) != 0,
		.overdue = sqlite3_column_int(st, 2) != 0,
		.since = (usec_t)sqlite3_column_int64(st, 3),
		.overdue_since = (usec_t)sqlite3_column_int64(st, 4),
	};
}

static void
read_event(sqlite3_stmt *st, void *elem)
{
	*(struct ledger_event *)elem = (struct ledger_event){
		.name = ledger_column_dup(st, 0),
		.set = (usec_t)sqlite3_column_int64(st, 1),
	};
}

int
ledger_alert_states(struct ledger *l, struct ledger_alert_state **ret,
    size_t *ret_n, char **cause)
{
	struct ledger_alert_state *v = NULL;
	size_t n = 0;
	int r;

	r = ledger_select(l, ledger_alerts_sql, "read alert states", sizeof(*v),
	    read_state, (void **)&v, &n, cause);
	if (r < 0) {
		ledger_alert_states_free(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void
ledger_alert_states_free(struct ledger_alert_state *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].job);
	free(v);
}

int
ledger_events(struct ledger *l, struct ledger_event **ret, size_t *ret_n,
    char **cause)
{
	struct ledger_event *v = NULL;
	size_t n = 0;
	int r;

	r = ledger_select(l, ledger_events_sql, "read events", sizeof(*v),
	    read_event, (void **)&v, &n, cause);
	if (r < 0) {
		ledger_events_free(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void
ledger_events_free(struct ledger_event *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}
