/* The alerts' counters: attempts per alert, sink and status, kept in
 * memory for the metrics and seeded once from the ledger's alert_counts,
 * so that they count since the alert log began, not since jobd started.
 * Attempts made while the ledger is being asked are added to its answer,
 * those before it are in it already. */
#include <stdlib.h>
#include <string.h>

#include "alerts-internal.h"
#include "ledger.h"
#include "log.h"
#include "record.h"
#include "xmalloc.h"

static struct alert_count *
alerts_counter(struct alerts *a, const char *alert, enum alert_sink sink,
    enum alert_status st)
{
	struct alert_count *c;
	size_t i;

	for (i = 0; i < a->ncounts; i++) {
		c = &a->counts[i];
		if (c->sink == sink && c->status == st &&
		    !strcmp(c->alert, alert))
			return c;
	}
	a->counts = xreallocarray(a->counts, a->ncounts + 1,
	    sizeof(*a->counts));
	c = &a->counts[a->ncounts++];
	*c = (struct alert_count){ .alert = xstrdup(alert), .sink = sink,
	    .status = st };
	return c;
}

void
alerts_count(struct alerts *a, const char *alert, enum alert_sink sink,
    enum alert_status st)
{
	alerts_counter(a, alert, sink, st)->n++;
}

static int
name_index(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static void
alerts_counts_loaded(void *ctx, int r, const struct ledger_alert_count *v,
    size_t n)
{
	struct alerts *a = ctx;
	struct alert_count *c;
	int sink, st;
	size_t i;

	if (r < 0) {
		log_warning("alert counters start at zero: the ledger could "
		    "not be read (%s)", strerror(-r));
		return;
	}
	/* What was counted before the question is in the answer. */
	for (i = 0; i < a->ncounts; i++)
		a->counts[i].n -= a->counts[i].asked;
	for (i = 0; i < n; i++) {
		sink = name_index(alert_sink_name, ALERT_NSINKS, v[i].sink);
		st = name_index(alert_status_name, ALERT_NSTATUSES,
		    v[i].status);
		if (sink < 0 || st < 0 || !v[i].alert)
			continue;
		c = alerts_counter(a, v[i].alert, sink, st);
		c->n += v[i].n;
	}
}

void
alerts_load_counts(struct alerts *a)
{
	size_t i;

	if (!a->o.record)
		return;
	for (i = 0; i < a->ncounts; i++)
		a->counts[i].asked = a->counts[i].n;
	record_load_alert_counts(a->o.record, alerts_counts_loaded, a);
}

void
alerts_each_count(const struct alerts *a,
    void (*fn)(void *, const char *, const char *, const char *, uint64_t),
    void *ctx)
{
	size_t i;

	for (i = 0; i < a->ncounts; i++)
		fn(ctx, a->counts[i].alert, alert_sink_name[a->counts[i].sink],
		    alert_status_name[a->counts[i].status], a->counts[i].n);
}

void
alerts_counts_free(struct alerts *a)
{
	size_t i;

	for (i = 0; i < a->ncounts; i++)
		free(a->counts[i].alert);
	free(a->counts);
	a->counts = NULL;
	a->ncounts = 0;
}
