/* Reading rows back, for every table's file: a column's text copied, an
 * array grown one row at a time, and a statement stepped to its end into
 * such an array.  Blocking: worker threads only. */
#include <string.h>

#include "ledger-internal.h"
#include "xmalloc.h"

char *
ledger_column_dup(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? xstrdup(s) : NULL;
}

void *
ledger_grow(void *array, size_t *alloc, size_t n, size_t size)
{
	if (n < *alloc)
		return array;
	*alloc = *alloc ? *alloc * 2 : 16;
	return xreallocarray(array, *alloc, size);
}

int
ledger_select(struct ledger *l, const char *sql, const char *what,
    size_t size, void (*read)(sqlite3_stmt *, void *), void **v, size_t *n,
    char **cause)
{
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	rc = sqlite3_prepare_v2(l->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = ledger_read_rows(st, size, read, v, n);
	if (rc != SQLITE_OK)
		r = ledger_fail(l, rc, what, cause);
	sqlite3_finalize(st);
	return r;
}

int
ledger_read_rows(sqlite3_stmt *st, size_t size,
    void (*read)(sqlite3_stmt *, void *), void **v, size_t *n)
{
	size_t alloc = *n;
	char *elem;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*v = ledger_grow(*v, &alloc, *n, size);
		elem = (char *)*v + *n * size;
		memset(elem, 0, size);
		read(st, elem);
		(*n)++;
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}
