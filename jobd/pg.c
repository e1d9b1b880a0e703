/* The PostgreSQL connection: connecting (PQconnectStart on a pool thread,
 * PQconnectPoll on the loop), the FIFO of statements, reading results as
 * the socket becomes readable, and reconnecting with backoff.  A lost
 * connection keeps the statement in flight at the head of the queue. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "log.h"
#include "macro.h"
#include "pg.h"
#include "xmalloc.h"

enum pg_state {
	PG_DOWN,		/* waiting for the retry timer */
	PG_STARTING,		/* PQconnectStart on a pool thread */
	PG_CONNECTING,		/* PQconnectPoll on the loop */
	PG_UP,
};

struct pg_stmt {
	TAILQ_ENTRY(pg_stmt) entry;
	char *sql;
	int nparams;
	char **params;
	pg_result_fn fn;
	void *data;
	bool once;		/* not sent again after a loss */
};

/* A poll handle outlives its socket until its close callback. */
struct pg_poll {
	uv_poll_t h;
};

struct pg {
	uv_loop_t *loop;
	char *conninfo;
	const struct pg_ops *ops;
	void *owner;
	enum pg_state state;
	PGconn *conn;
	int fd;
	struct pg_poll *poll;
	uv_timer_t retry, deadline;
	uv_work_t work;
	PGconn *started;	/* the pool thread's result */
	usec_t backoff;
	TAILQ_HEAD(, pg_stmt) queue;
	size_t nqueued;
	bool inflight;		/* the head was sent */
	PGresult *result;	/* the in-flight statement's, kept */
	bool was_up, closing;
	int handles;		/* open uv handles and work */
	char *error;
};

static void pg_pump(struct pg *);
static void pg_lost(struct pg *, const char *why);
static void pg_poll_cb(uv_poll_t *, int status, int events);

struct pg *
pg_new(uv_loop_t *loop, const char *conninfo, const char *app_name,
    const struct pg_ops *ops, void *owner)
{
	struct pg *p = xcalloc(1, sizeof(*p));

	p->loop = loop;
	/* Later keywords win in a conninfo string; a URI takes ?options. */
	if (!strncmp(conninfo, "postgres://", 11) ||
	    !strncmp(conninfo, "postgresql://", 13))
		p->conninfo = xstrfmt("%s%sapplication_name=%s", conninfo,
		    strchr(conninfo, '?') ? "&" : "?", app_name);
	else
		p->conninfo = xstrfmt("%s application_name='%s'", conninfo,
		    app_name);
	p->ops = ops;
	p->owner = owner;
	p->fd = -1;
	p->backoff = 100 * USEC_PER_MSEC;
	TAILQ_INIT(&p->queue);
	uv_timer_init(loop, &p->retry);
	uv_timer_init(loop, &p->deadline);
	p->handles = 2;
	return p;
}

static void
pg_set_error(struct pg *p, const char *why)
{
	free(p->error);
	p->error = xstrdup(why);
	/* libpq's messages end with a newline. */
	p->error[strcspn(p->error, "\n")] = '\0';
}

static void
pg_maybe_free(struct pg *p)
{
	if (!p->closing || p->handles > 0)
		return;
	free(p->conninfo);
	free(p->error);
	free(p);
}

static void
pg_handle_closed(uv_handle_t *h)
{
	struct pg *p = h->data;

	p->handles--;
	pg_maybe_free(p);
}

static void
pg_poll_closed(uv_handle_t *h)
{
	struct pg *p = h->data;

	free(container_of((uv_poll_t *)h, struct pg_poll, h));
	p->handles--;
	pg_maybe_free(p);
}

static void
pg_poll_stop(struct pg *p)
{
	if (!p->poll)
		return;
	uv_poll_stop(&p->poll->h);
	uv_close((uv_handle_t *)&p->poll->h, pg_poll_closed);
	p->poll = NULL;
	p->fd = -1;
}

/* Watches the connection's socket (a new one after each connect, and
 * PQconnectPoll may move to another host's). */
static int
pg_poll_set(struct pg *p, int events)
{
	int fd = PQsocket(p->conn);

	if (fd < 0)
		return -EBADF;
	if (p->poll && fd != p->fd)
		pg_poll_stop(p);
	if (!p->poll) {
		p->poll = xcalloc(1, sizeof(*p->poll));
		if (uv_poll_init_socket(p->loop, &p->poll->h, fd) < 0) {
			free(p->poll);
			p->poll = NULL;
			return -EBADF;
		}
		p->poll->h.data = p;
		p->handles++;
		p->fd = fd;
	}
	uv_poll_start(&p->poll->h, events, pg_poll_cb);
	return 0;
}

static void
pg_stmt_free(struct pg_stmt *s)
{
	int i;

	for (i = 0; i < s->nparams; i++)
		free(s->params[i]);
	free(s->params);
	free(s->sql);
	free(s);
}

static void
pg_retry_cb(uv_timer_t *t)
{
	pg_start(t->data);
}

static void
pg_schedule_retry(struct pg *p)
{
	p->state = PG_DOWN;
	p->retry.data = p;
	uv_timer_start(&p->retry, pg_retry_cb, p->backoff / USEC_PER_MSEC, 0);
	p->backoff = MIN(p->backoff * 2, 5 * USEC_PER_SEC);
}

/* Reads that are worth nothing late go now, answered NULL. */
static void
pg_drop_once(struct pg *p)
{
	struct pg_stmt *s, *tmp;

	TAILQ_FOREACH_SAFE(s, &p->queue, entry, tmp) {
		if (!s->once)
			continue;
		TAILQ_REMOVE(&p->queue, s, entry);
		p->nqueued--;
		if (s->fn)
			s->fn(s->data, NULL);
		pg_stmt_free(s);
	}
}

/* The connection is gone (or never came): what was in flight stays at
 * the head of the queue and goes again after the reconnect. */
static void
pg_lost(struct pg *p, const char *why)
{
	pg_set_error(p, why && *why ? why : "connection lost");
	pg_poll_stop(p);
	uv_timer_stop(&p->deadline);
	if (p->conn)
		PQfinish(p->conn);
	p->conn = NULL;
	PQclear(p->result);
	p->result = NULL;
	p->inflight = false;
	if (p->was_up && p->ops->down)
		p->ops->down(p->owner, p->error);
	else if (!p->was_up && p->backoff == 100 * USEC_PER_MSEC &&
	    p->ops->down)
		p->ops->down(p->owner, p->error);
	p->was_up = false;
	pg_drop_once(p);
	if (!p->closing)
		pg_schedule_retry(p);
}

/* The server's notices ("relation ... already exists, skipping") are
 * no news for jobd's log: debug only, not libpq's stderr. */
static void
pg_notice(void *arg, const char *message)
{
	(void)arg;
	log_debug("database: %.*s", (int)strcspn(message, "\n"), message);
}

static void
pg_connected(struct pg *p)
{
	p->state = PG_UP;
	p->was_up = true;
	p->backoff = 100 * USEC_PER_MSEC;
	PQsetnonblocking(p->conn, 1);
	PQsetNoticeProcessor(p->conn, pg_notice, NULL);
	if (pg_poll_set(p, UV_READABLE) < 0) {
		pg_lost(p, "no socket");
		return;
	}
	if (p->ops->up)
		p->ops->up(p->owner);
	pg_pump(p);
}

static void
pg_connect_step(struct pg *p)
{
	switch (PQconnectPoll(p->conn)) {
	case PGRES_POLLING_OK:
		pg_connected(p);
		return;
	case PGRES_POLLING_READING:
		if (pg_poll_set(p, UV_READABLE) < 0)
			pg_lost(p, PQerrorMessage(p->conn));
		return;
	case PGRES_POLLING_WRITING:
		if (pg_poll_set(p, UV_WRITABLE) < 0)
			pg_lost(p, PQerrorMessage(p->conn));
		return;
	default:
		pg_lost(p, PQerrorMessage(p->conn));
		return;
	}
}

static void
pg_start_work(uv_work_t *w)
{
	struct pg *p = w->data;

	p->started = PQconnectStart(p->conninfo);
}

static void
pg_start_done(uv_work_t *w, int status)
{
	struct pg *p = w->data;

	p->handles--;
	p->conn = p->started;
	p->started = NULL;
	if (p->closing || status < 0) {
		if (p->conn)
			PQfinish(p->conn);
		p->conn = NULL;
		pg_maybe_free(p);
		return;
	}
	if (!p->conn) {
		pg_lost(p, "out of memory");
		return;
	}
	if (PQstatus(p->conn) == CONNECTION_BAD) {
		pg_lost(p, PQerrorMessage(p->conn));
		return;
	}
	p->state = PG_CONNECTING;
	pg_connect_step(p);
}

void
pg_start(struct pg *p)
{
	if (p->closing || p->state != PG_DOWN)
		return;
	p->state = PG_STARTING;
	p->work.data = p;
	p->handles++;
	if (uv_queue_work(p->loop, &p->work, pg_start_work,
	    pg_start_done) < 0) {
		p->handles--;
		pg_schedule_retry(p);
	}
}

static int
pg_queue(struct pg *p, const char *sql, int nparams,
    const char *const *params, pg_result_fn fn, void *data, bool once)
{
	struct pg_stmt *s;
	int i;

	if (p->nqueued >= PG_MAX_QUEUED)
		return -ENOBUFS;
	if (once && p->state != PG_UP)
		return -ENOTCONN;
	s = xcalloc(1, sizeof(*s));
	s->sql = xstrdup(sql);
	s->nparams = nparams;
	s->params = xcalloc(nparams ? nparams : 1, sizeof(char *));
	for (i = 0; i < nparams; i++)
		s->params[i] = params[i] ? xstrdup(params[i]) : NULL;
	s->fn = fn;
	s->data = data;
	s->once = once;
	TAILQ_INSERT_TAIL(&p->queue, s, entry);
	p->nqueued++;
	pg_pump(p);
	return 0;
}

int
pg_query(struct pg *p, const char *sql, int nparams,
    const char *const *params, pg_result_fn fn, void *data)
{
	return pg_queue(p, sql, nparams, params, fn, data, false);
}

int
pg_query_once(struct pg *p, const char *sql, int nparams,
    const char *const *params, pg_result_fn fn, void *data)
{
	return pg_queue(p, sql, nparams, params, fn, data, true);
}

static void
pg_deadline_cb(uv_timer_t *t)
{
	struct pg *p = t->data;

	pg_lost(p, "no answer from the server in time");
}

/* Sends the head of the queue when nothing is in flight. */
static void
pg_pump(struct pg *p)
{
	struct pg_stmt *s = TAILQ_FIRST(&p->queue);
	int ok;

	if (p->state != PG_UP || p->inflight || !s)
		return;
	if (s->nparams == 0)
		ok = PQsendQuery(p->conn, s->sql);
	else
		ok = PQsendQueryParams(p->conn, s->sql, s->nparams, NULL,
		    (const char *const *)s->params, NULL, NULL, 0);
	if (!ok) {
		pg_lost(p, PQerrorMessage(p->conn));
		return;
	}
	p->inflight = true;
	p->deadline.data = p;
	uv_timer_start(&p->deadline, pg_deadline_cb,
	    PG_STATEMENT_TIMEOUT / USEC_PER_MSEC, 0);
	/* What does not fit in the socket now goes when it is writable. */
	if (pg_poll_set(p, PQflush(p->conn) == 1 ? UV_READABLE | UV_WRITABLE :
	    UV_READABLE) < 0)
		pg_lost(p, "no socket");
}

/* The statement in flight is answered: hand its result over. */
static void
pg_complete(struct pg *p)
{
	struct pg_stmt *s = TAILQ_FIRST(&p->queue);
	PGresult *res = p->result;

	uv_timer_stop(&p->deadline);
	p->result = NULL;
	p->inflight = false;
	TAILQ_REMOVE(&p->queue, s, entry);
	p->nqueued--;
	if (s->fn)
		s->fn(s->data, res);
	PQclear(res);
	pg_stmt_free(s);
}

/* Reads what came; returns false when the connection is gone. */
static bool
pg_read(struct pg *p)
{
	PGresult *res;

	if (!PQconsumeInput(p->conn))
		return false;
	while (p->inflight && !PQisBusy(p->conn)) {
		res = PQgetResult(p->conn);
		if (res) {
			/* Several statements: the first error, else the
			 * last result. */
			if (p->result && PQresultStatus(p->result) ==
			    PGRES_FATAL_ERROR)
				PQclear(res);
			else {
				PQclear(p->result);
				p->result = res;
			}
			continue;
		}
		/* The server ended the session (pg_terminate_backend):
		 * its error is no answer to the statement. */
		if (PQstatus(p->conn) == CONNECTION_BAD)
			return false;
		pg_complete(p);
		if (p->closing || p->state != PG_UP)
			return true;
		pg_pump(p);
	}
	return PQstatus(p->conn) != CONNECTION_BAD;
}

static void
pg_poll_cb(uv_poll_t *h, int status, int events)
{
	struct pg *p = h->data;

	if (p->state == PG_CONNECTING) {
		pg_connect_step(p);
		return;
	}
	if (p->state != PG_UP)
		return;
	if (status < 0) {
		pg_lost(p, uv_strerror(status));
		return;
	}
	if ((events & UV_WRITABLE) && PQflush(p->conn) == 0 && p->poll)
		uv_poll_start(&p->poll->h, UV_READABLE, pg_poll_cb);
	if (!pg_read(p))
		pg_lost(p, PQerrorMessage(p->conn));
}

bool
pg_is_up(const struct pg *p)
{
	return p->state == PG_UP;
}

size_t
pg_queued(const struct pg *p)
{
	return p->nqueued;
}

const char *
pg_last_error(const struct pg *p)
{
	return p->error;
}

void
pg_close(struct pg *p)
{
	struct pg_stmt *s;

	p->closing = true;
	pg_poll_stop(p);
	if (p->conn)
		PQfinish(p->conn);
	p->conn = NULL;
	PQclear(p->result);
	p->result = NULL;
	while ((s = TAILQ_FIRST(&p->queue))) {
		TAILQ_REMOVE(&p->queue, s, entry);
		if (s->fn)
			s->fn(s->data, NULL);
		pg_stmt_free(s);
	}
	p->retry.data = p->deadline.data = p;
	uv_close((uv_handle_t *)&p->retry, pg_handle_closed);
	uv_close((uv_handle_t *)&p->deadline, pg_handle_closed);
}
