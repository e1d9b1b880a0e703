/* Metrics exposition text written straight into one growing buffer: a
 * family's HELP, TYPE and UNIT lines, then its samples with escaped label
 * values, in one of two dialects.  OpenMetrics 1.0 is what jobctl metrics
 * prints and Prometheus scrapes; the Prometheus text format 0.0.4 is what
 * node_exporter's textfile collector and promtool read.  They differ in
 * how a counter's family is named (runs, or runs_total), in the info type
 * (a gauge in 0.0.4), and in # UNIT and # EOF (OpenMetrics only). */
#ifndef JOBD_OM_WRITER_H
#define JOBD_OM_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "timeutil.h"

enum om_dialect {
	OM_OPENMETRICS,
	OM_PROMETHEUS,
	OM_NDIALECTS,
};

enum om_type {
	OM_GAUGE,
	OM_COUNTER,
	OM_SUMMARY,
	OM_INFO,
	OM_NTYPES,
};

extern const char *const om_dialect_name[OM_NDIALECTS];
/* The dialect named name ("openmetrics", "prometheus"), or -1. */
int om_dialect_from_string(const char *name);

struct om_label {
	const char *name;
	const char *value;
};

struct om_writer {
	char *buf;
	size_t len, cap;
	enum om_dialect dialect;
	const char *family;	/* the family being written */
	enum om_type type;
	const struct om_label *common;	/* on every sample, first */
	size_t ncommon;
};

void om_init(struct om_writer *, enum om_dialect);
void om_done(struct om_writer *);
/* The text (NUL-terminated); the writer is empty afterwards. */
char *om_steal(struct om_writer *, size_t *ret_len);

/*
 * Starts a family: its name as OpenMetrics has it (a counter's without
 * _total, an info's without _info), its unit (NULL: none; the name must
 * end in _UNIT) and one line of help (no backslash, quote or newline).
 * Every family is written once, all its samples following.
 */
void om_family(struct om_writer *, const char *name, enum om_type,
    const char *unit, const char *help);
/*
 * A sample of the current family: its name is the family's plus suffix
 * ("", "_total", "_created", "_sum", "_count", "_info"), then the n
 * labels (values escaped: backslash, double quote, newline; invalid UTF-8
 * replaced by U+FFFD), then the value: an integer, or a time or span in
 * seconds from a usec_t (the microseconds as decimals).  In 0.0.4 a
 * _created sample is left out: it would be a family of its own there.
 */
void om_sample_u64(struct om_writer *, const char *suffix,
    const struct om_label *labels, size_t n, uint64_t value);
void om_sample_usec(struct om_writer *, const char *suffix,
    const struct om_label *labels, size_t n, usec_t value);
/* Labels every sample written after this carries before its own (a
 * cluster node's node="NAME"); the array must outlive the writing. */
void om_common_labels(struct om_writer *, const struct om_label *,
    size_t n);
/* The end: "# EOF" in OpenMetrics, nothing in 0.0.4. */
void om_end(struct om_writer *);

#endif
