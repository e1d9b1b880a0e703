/* One PostgreSQL connection on the loop, through libpq's asynchronous
 * API: PQconnectStart runs on a pool thread (it may resolve a host name),
 * everything after it on the loop with PQsocket watched by a uv_poll.
 * Statements wait in a FIFO and go one at a time; a statement in flight
 * when the connection is lost is sent again once it is back (so every
 * statement given here must be idempotent), and the connection comes
 * back by itself with backoff.  Nothing here blocks the loop. */
#ifndef JOBD_PG_H
#define JOBD_PG_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>
#include <uv.h>

#include "timeutil.h"

struct pg;

/* A statement's end: res is its result (PGRES_TUPLES_OK, COMMAND_OK, or
 * an error the server gave), freed after the call; NULL when the
 * connection is closed for good (pg_close) with the statement unsent, or
 * (pg_query_once) was lost. */
typedef void (*pg_result_fn)(void *data, const PGresult *res);

struct pg_ops {
	/* Connected (again): statements flow. */
	void (*up)(void *owner);
	/* Lost or could not connect: why, in libpq's words.  Called once
	 * per loss, not for every failed retry. */
	void (*down)(void *owner, const char *why);
};

/* At most this many statements wait; past it pg_query refuses. */
#define PG_MAX_QUEUED 200000
/* A statement not answered in this long drops the connection. */
#define PG_STATEMENT_TIMEOUT (15 * USEC_PER_SEC)

struct pg *pg_new(uv_loop_t *, const char *conninfo, const char *app_name,
    const struct pg_ops *, void *owner);
/* Starts connecting. */
void pg_start(struct pg *);
/* Queues sql with its text parameters (copied; a NULL param is SQL
 * NULL); 0, or -ENOBUFS when PG_MAX_QUEUED wait already. */
int pg_query(struct pg *, const char *sql, int nparams,
    const char *const *params, pg_result_fn, void *data);
/* The same for a read that is worth nothing late: refused (-ENOTCONN)
 * while the connection is down, and answered NULL (not sent again) when
 * it is lost. */
int pg_query_once(struct pg *, const char *sql, int nparams,
    const char *const *params, pg_result_fn, void *data);
bool pg_is_up(const struct pg *);
size_t pg_queued(const struct pg *);
const char *pg_last_error(const struct pg *);
/* Drops the connection and every queued statement (their callbacks get
 * NULL), closes the handles; frees itself once they are closed. */
void pg_close(struct pg *);

#endif
