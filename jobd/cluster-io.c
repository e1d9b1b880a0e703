/* What every file of the cluster module sends through: a statement of
 * the module, counted so that the module knows when nothing more will
 * answer (shutdown, freeing), and a result checked and logged. */
#include <stdlib.h>

#include "cluster-internal.h"
#include "log.h"

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

