/* jobd-calendar: a tiny CLI over the calendar and tz modules for the
 * oracle test, printing elapses as usec since the epoch, one per line.
 *   jobd-calendar [--tz ZONE] [--base USEC] [--iterations N]
 *       [--gap skip|run] [--repeat once|twice] [--format] EXPR
 * --format prints the normalised form instead.  Errors: "error: CAUSE"
 * on stdout, exit 1; bad usage exits 2. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "timeutil.h"
#include "tz.h"
#include "xmalloc.h"

static void
usage(void)
{
	fprintf(stderr, "usage: jobd-calendar [--tz ZONE] [--base USEC] "
	    "[--iterations N] [--gap skip|run] [--repeat once|twice] "
	    "[--format] EXPR\n");
	exit(2);
}

static int
fail(char *cause)
{
	printf("error: %s\n", cause);
	free(cause);
	return 1;
}

static void
parse_policy(const char *name, const char *v, struct cal_policy *p)
{
	p->gap_set |= strcmp(name, "gap") == 0;
	p->repeat_set |= strcmp(name, "repeat") == 0;
	if (strcmp(name, "gap") == 0 && strcmp(v, "skip") == 0)
		p->gap = CAL_GAP_SKIP;
	else if (strcmp(name, "gap") == 0 && strcmp(v, "run") == 0)
		p->gap = CAL_GAP_RUN;
	else if (strcmp(name, "repeat") == 0 && strcmp(v, "once") == 0)
		p->repeat = CAL_REPEAT_ONCE;
	else if (strcmp(name, "repeat") == 0 && strcmp(v, "twice") == 0)
		p->repeat = CAL_REPEAT_TWICE;
	else
		usage();
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tz", required_argument, NULL, 't' },
		{ "base", required_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "gap", required_argument, NULL, 'g' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "format", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	/* Unset: the syntax's own (cal_policy_for). */
	struct cal_policy policy = { CAL_GAP_SKIP, CAL_REPEAT_ONCE, false,
	    false };
	const char *zone = "UTC";
	struct cal_spec *spec;
	struct tz *tz;
	usec_t t = now_realtime();
	char *cause = NULL;
	long n = 5, i;
	bool format = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			zone = optarg;
			break;
		case 'b':
			t = strtoull(optarg, NULL, 10);
			break;
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 'g':
			parse_policy("gap", optarg, &policy);
			break;
		case 'r':
			parse_policy("repeat", optarg, &policy);
			break;
		case 'f':
			format = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	if (tz_load(zone, &tz, &cause) < 0)
		return fail(cause);
	if (cal_parse(argv[optind], &spec, &cause) < 0) {
		tz_free(tz);
		return fail(cause);
	}
	if (format) {
		cause = cal_format(spec);
		printf("%s\n", cause);
		free(cause);
	}
	for (i = 0; !format && i < n; i++) {
		if (cal_next(spec, tz, &policy, t, &t, NULL) < 0)
			break;
		printf("%" PRIu64 "\n", t);
	}
	cal_free(spec);
	tz_free(tz);
	return 0;
}
