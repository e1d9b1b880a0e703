/* The write batch: ops of every kind (runs, job states, alert states and
 * events, alert log rows) checked first, then applied in one transaction,
 * each by the file that owns its rows.  Blocking: worker threads only. */
#include <errno.h>

#include "ledger-internal.h"
#include "xmalloc.h"

static const char *
ledger_op_invalid(const struct ledger_op *op)
{
	if (op->type == LEDGER_OP_ALERT_LOG)
		return ledger_alert_log_invalid(&op->alert_log);
	if (ledger_op_is_alert(op))
		return ledger_alert_op_invalid(op);
	return ledger_row_invalid(op);
}

static int
ledger_apply(struct ledger *l, const struct ledger_op *op)
{
	if (op->type == LEDGER_OP_ALERT_LOG)
		return ledger_alert_log_apply(l, &op->alert_log);
	if (ledger_op_is_alert(op))
		return ledger_alert_apply(l, op);
	return ledger_row_apply(l, op);
}

int
ledger_write_batch(struct ledger *l, const struct ledger_op *ops, size_t n,
    char **cause)
{
	const char *why;
	size_t i;
	int r, rc;

	for (i = 0; i < n; i++) {
		if ((why = ledger_op_invalid(&ops[i])) == NULL)
			continue;
		if (cause)
			*cause = xstrfmt("ledger '%s': write: op %zu: %s",
			    l->path, i, why);
		return -EINVAL;
	}
	if (n == 0)
		return 0;
	if ((r = ledger_begin(l, cause)) < 0)
		return r;
	for (i = 0; i < n; i++) {
		rc = ledger_apply(l, &ops[i]);
		if (rc != SQLITE_OK)
			return ledger_abort(l, rc, "write", cause);
	}
	return ledger_commit(l, "write", cause);
}
