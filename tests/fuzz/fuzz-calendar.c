/* libFuzzer harness for the calendar module: any bytes as a schedule
 * expression (either syntax, told by shape), then its next elapses in a
 * few zones from a few base times, with invariants checked: errors have a
 * cause, elapses strictly increase, the normalised form parses again to
 * itself and to the same elapses. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "tz.h"
#include "xmalloc.h"

#define FUZZ_MAX_INPUT	1024
#define FUZZ_NEXTS	4

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const fuzz_zone_names[] = {
	"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
};

/* Ordinary times, instants next to DST changes (gap and fold in Berlin,
 * New York and Lord Howe's half hour), and the ends of the range a
 * client may send as base_usec to io.jobd.Manager.Calendar. */
static const usec_t fuzz_bases[] = {
	0,
	1768478400000000ULL,		/* 2026-01-15 12:00:00 UTC */
	1774744200000000ULL,		/* 2026-03-29 00:30:00 UTC */
	1792889999500000ULL,		/* 2026-10-25 00:59:59.5 UTC */
	1793511000000000ULL,		/* 2026-11-01 05:30:00 UTC */
	1775312100000000ULL,		/* 2026-04-04 14:15:00 UTC */
	7258118399000000ULL,		/* 2199-12-31 23:59:59 UTC */
	(usec_t)INT64_MAX,
};

#define NZONES (sizeof(fuzz_zone_names) / sizeof(fuzz_zone_names[0]))
#define NBASES (sizeof(fuzz_bases) / sizeof(fuzz_bases[0]))

static struct tz *fuzz_zones[NZONES];

static void
fuzz_die(const char *what, const char *expr, const char *detail)
{
	fprintf(stderr, "fuzz-calendar: %s\n  expression: '%s'\n  %s\n",
	    what, expr, detail ? detail : "");
	abort();
}

static void
fuzz_load_zones(void)
{
	char *cause = NULL;
	size_t i;

	if (fuzz_zones[0])
		return;
	for (i = 0; i < NZONES; i++)
		if (tz_load(fuzz_zone_names[i], &fuzz_zones[i], &cause) < 0) {
			fprintf(stderr, "fuzz-calendar: %s\n", cause);
			exit(1);
		}
}

/* Up to FUZZ_NEXTS elapses after base; returns how many were found. */
static size_t
fuzz_elapses(const char *expr, const struct cal_spec *s, const struct tz *z,
    const struct cal_policy *p, usec_t base, usec_t *out)
{
	unsigned flags;
	usec_t after = base;
	size_t n;
	int r;

	for (n = 0; n < FUZZ_NEXTS; n++) {
		flags = ~0u;
		r = cal_next(s, z, p, after, &out[n], &flags);
		if (r == -ENOENT)
			break;
		if (r != 0)
			fuzz_die("cal_next returned neither 0 nor -ENOENT",
			    expr, NULL);
		if (out[n] <= after)
			fuzz_die("cal_next did not move forwards", expr, NULL);
		if (flags & ~(CAL_ELAPSE_GAP | CAL_ELAPSE_REPEAT))
			fuzz_die("cal_next set unknown flags", expr, NULL);
		after = out[n];
	}
	return n;
}

/* The normalised form must parse, normalise to itself and elapse at the
 * same instants. */
static void
fuzz_check_format(const char *expr, const struct cal_spec *s,
    const struct tz *z, const struct cal_policy *p, usec_t base)
{
	struct cal_spec *again = NULL;
	char *text, *text2, *cause = NULL;
	usec_t a[FUZZ_NEXTS], b[FUZZ_NEXTS];
	size_t na, nb;

	text = cal_format(s);
	if (!text)
		fuzz_die("cal_format returned NULL", expr, NULL);
	if (cal_parse(text, &again, &cause) < 0)
		fuzz_die("the normalised form does not parse", expr, text);
	text2 = cal_format(again);
	if (strcmp(text, text2) != 0)
		fuzz_die("normalising is not idempotent", expr, text);
	if (cal_syntax(again) != cal_syntax(s) ||
	    cal_is_reboot(again) != cal_is_reboot(s))
		fuzz_die("the normalised form has another syntax", expr, text);
	na = fuzz_elapses(expr, s, z, p, base, a);
	nb = fuzz_elapses(expr, again, z, p, base, b);
	if (na != nb || memcmp(a, b, na * sizeof(a[0])) != 0)
		fuzz_die("the normalised form elapses differently", expr, text);
	cal_free(again);
	free(text);
	free(text2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cal_spec *s = NULL;
	struct cal_policy p;
	char *expr, *cause = NULL;
	usec_t out[FUZZ_NEXTS];
	unsigned h = 0;
	size_t i;
	int r;

	if (size > FUZZ_MAX_INPUT)
		return -1;
	fuzz_load_zones();
	expr = xmalloc(size + 1);
	memcpy(expr, data, size);
	expr[size] = '\0';
	for (i = 0; i < size; i++)
		h = h * 31 + data[i];

	r = cal_parse(expr, &s, &cause);
	if (r < 0) {
		if (r != -EINVAL || !cause || !*cause || s)
			fuzz_die("cal_parse failed without -EINVAL and a cause",
			    expr, cause);
		free(cause);
		free(expr);
		return 0;
	}
	if (!s || cause)
		fuzz_die("cal_parse succeeded without a spec", expr, cause);
	(void)cal_zone(s);

	/* Every zone, from a base and with a policy that the input picks. */
	for (i = 0; i < NZONES; i++) {
		p.gap_set = p.repeat_set = true;
		p.gap = (h >> i) & 1 ? CAL_GAP_RUN : CAL_GAP_SKIP;
		p.repeat = (h >> (i + 4)) & 1 ? CAL_REPEAT_TWICE :
		    CAL_REPEAT_ONCE;
		fuzz_elapses(expr, s, fuzz_zones[i], &p,
		    fuzz_bases[(h + i) % NBASES], out);
	}
	fuzz_check_format(expr, s, fuzz_zones[h % NZONES], &p,
	    fuzz_bases[h % NBASES]);

	cal_free(s);
	free(expr);
	return 0;
}
