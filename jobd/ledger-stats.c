/* What the ledger keeps of each job beyond its rows (job_stats and
 * run_counts, kept by the triggers of schema version 3), read back in
 * one pass at start: the alerts' last verdicts and the metrics' counters
 * continue where the last daemon left them.  Blocking: worker threads
 * only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ledger-internal.h"

static const char ledger_stats_sql[] =
	"SELECT job, last_run, last_result, last_started_usec,"
	" last_ended_usec, last_duration_usec, last_success_usec"
	" FROM job_stats UNION SELECT DISTINCT job, NULL, NULL, NULL, NULL,"
	" NULL, NULL FROM run_counts WHERE job NOT IN"
	" (SELECT job FROM job_stats) ORDER BY job";
static const char ledger_counts_sql[] =
	"SELECT job, result, n FROM run_counts ORDER BY job";

static void
ledger_stats_row(sqlite3_stmt *st, void *elem)
{
	struct ledger_job_stats *x = elem;

	x->job = ledger_column_dup(st, 0);
	x->last_run = (uint64_t)sqlite3_column_int64(st, 1);
	x->last_result = ledger_column_dup(st, 2);
	x->last_started = (usec_t)sqlite3_column_int64(st, 3);
	x->last_ended = (usec_t)sqlite3_column_int64(st, 4);
	x->last_duration = (usec_t)sqlite3_column_int64(st, 5);
	x->last_success = (usec_t)sqlite3_column_int64(st, 6);
}

/* Both lists are in job order: one merge pass. */
static int
ledger_stats_counts(sqlite3_stmt *st, struct ledger_job_stats *v, size_t n)
{
	size_t i = 0;
	int rc, k;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *job = (const char *)sqlite3_column_text(st, 0);
		const char *result = (const char *)sqlite3_column_text(st, 1);

		while (i < n && job && strcmp(v[i].job, job) < 0)
			i++;
		if (i == n || !job || strcmp(v[i].job, job) != 0 || !result ||
		    (k = ledger_result_index(result)) < 0)
			continue;
		v[i].counts[k] = (uint64_t)sqlite3_column_int64(st, 2);
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
ledger_job_stats(struct ledger *l, struct ledger_job_stats **ret,
    size_t *ret_n, char **cause)
{
	sqlite3_stmt *st = NULL, *counts = NULL;
	struct ledger_job_stats *v = NULL;
	size_t n = 0;
	int rc;

	rc = sqlite3_prepare_v2(l->db, ledger_stats_sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(l->db, ledger_counts_sql, -1, &counts,
		    NULL);
	if (rc == SQLITE_OK)
		rc = ledger_read_rows(st, sizeof(*v), ledger_stats_row,
		    (void **)&v, &n);
	if (rc == SQLITE_OK)
		rc = ledger_stats_counts(counts, v, n);
	sqlite3_finalize(st);
	sqlite3_finalize(counts);
	if (rc != SQLITE_OK) {
		ledger_job_stats_free(v, n);
		return ledger_fail(l, rc, "job stats", cause);
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void
ledger_job_stats_free(struct ledger_job_stats *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].job);
		free(v[i].last_result);
	}
	free(v);
}
