/* Shared by jobctl's print files (print.c and the outputs it lists):
 * lenient field access, tables, times.  Not for other files. */
#ifndef JOBCTL_PRINT_INTERNAL_H
#define JOBCTL_PRINT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "print.h"

/* Rows of cells, printed with every column but the last padded. */
struct table {
	size_t ncols, ncells;
	char **cells;
};

/* The string at key, or "-". */
const char *pr_str(json_t *o, const char *key);
/* The integer at key into *ret; false when there is none. */
bool pr_num(json_t *o, const char *key, json_int_t *ret);
/* Appends a cell (taken). */
void pr_table_add(struct table *, char *cell);
/* Prints and frees the cells. */
void pr_table_print(struct table *);
/* A time (usec since the epoch) to the second, "2026-11-23 10:00:03",
 * in local time or UTC; "@USEC" when it cannot be shown. */
const char *pr_format_tm(char *buf, size_t len, json_int_t usec, bool utc);
const char *pr_format_time(char *buf, size_t len, json_int_t usec);
/* A runtime as "1min 3s" (rounded to the second above one), "0s" for
 * none or a negative one. */
const char *pr_format_span(char *buf, size_t len, json_int_t usec);

#endif
