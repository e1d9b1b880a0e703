/* What every file of the cluster module sends through: a statement of
 * the module, counted so that the module knows when nothing more will
 * answer (shutdown, freeing), a result checked and logged, a read for a
 * caller's callback, and array literals of names or numbers. */
#include <stdlib.h>
#include <string.h>

#include "cluster-internal.h"
#include "log.h"
#include "xmalloc.h"

int
cluster_query(struct cluster *c, const char *sql, int n,
    const char *const *params, pg_result_fn fn, void *data)
{
	int r = pg_query(c->pg, sql, n, params, fn, data);

	if (r == 0)
		c->inflight++;
	else
		log_warning("cluster: %d statements wait for the database; "
		    "dropping one", (int)pg_queued(c->pg));
	return r;
}

void
cluster_answered(struct cluster *c)
{
	c->inflight--;
	if (c->freed && c->inflight == 0)
		free(c);
	else if (c->closing && !c->freed && c->inflight == 0 && c->ops.idle)
		c->ops.idle(c->ops.owner);
}

bool
cluster_result_ok(const PGresult *res, const char *what)
{
	ExecStatusType st;

	if (!res)
		return false;
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return true;
	log_error("cluster: %s: %s", what, PQresultErrorMessage(res));
	return false;
}


/* A statement whose rows go to a caller (a method answering a client). */
struct cluster_asked {
	struct cluster *c;
	cluster_rows_fn fn;
	void *data;
};

static void
cluster_asked_cb(void *data, const PGresult *res)
{
	struct cluster_asked *a = data;

	cluster_answered(a->c);
	a->fn(a->data, res);
	free(a);
}

/* Refused (-ENOTCONN) or dropped (fn gets NULL) while the database is
 * away: a caller waits for it now, not once it is back; nor is it sent
 * twice (a queued run must not be queued again by a resend). */
int
cluster_ask(struct cluster *c, const char *sql, int n,
    const char *const *params, cluster_rows_fn fn, void *data)
{
	struct cluster_asked *a = xmalloc(sizeof(*a));
	int r;

	*a = (struct cluster_asked){ .c = c, .fn = fn, .data = data };
	if ((r = pg_query_once(c->pg, sql, n, params, cluster_asked_cb,
	    a)) < 0) {
		free(a);
		return r;
	}
	c->inflight++;
	return 0;
}

/* "{...}" in the making: item added to list (NULL: a new one), quoted
 * as a string ("name": names are of A-Za-z0-9_.@- only) or not (a
 * number); cluster_array_end() closes it. */
char *
cluster_array_add(char *list, const char *item, bool quote)
{
	const char *q = quote ? "\"" : "";
	char *s = xstrfmt("%s%s%s%s%s", list ? list : "{", list ? "," : "", q,
	    item, q);

	free(list);
	return s;
}

char *
cluster_array_end(char *list)
{
	char *s = xstrfmt("%s}", list ? list : "{");

	free(list);
	return s;
}
