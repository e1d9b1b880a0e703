/* The import verb: picks the importer for the kind named, hands it the
 * files and options, and writes what it built.  It never talks to jobd:
 * the file it writes is checked with `jobd --check` like any other. */
#include <stdio.h>
#include <string.h>

#include "import.h"
#include "jobctl.h"
#include "macro.h"

static const struct {
	const char *kind;
	import_fn fn;
	unsigned opts;		/* OPT_USER, OPT_SYSTEM: who takes them */
} importers[] = {
	{ "crontab", import_crontab, OPT_USER | OPT_SYSTEM },
	{ "supervisord", import_supervisord, 0 },
	{ "systemd", import_systemd, 0 },
};

int
import_verb(struct ctx *c)
{
	struct import_args a = {
		.files = c->args + 1,
		.user = c->user,
		.system = c->opts & OPT_SYSTEM,
	};
	struct import_out *o;
	size_t i;
	int r;

	for (i = 0; i < ELEMENTSOF(importers); i++)
		if (!strcmp(importers[i].kind, c->args[0]))
			break;
	if (i == ELEMENTSOF(importers))
		return jobctl_usage_error(c->verb, "unknown kind '%s': "
		    "expected crontab, supervisord or systemd", c->args[0]);
	if (c->opts & (OPT_USER | OPT_SYSTEM) & ~importers[i].opts)
		return jobctl_usage_error(c->verb, "--user and --system are "
		    "for import crontab");
	if (a.user && a.system)
		return jobctl_usage_error(c->verb, "--user and --system "
		    "exclude each other: a system crontab names the user on "
		    "each line");
	o = import_out_new();
	r = importers[i].fn(&a, o);
	if (r == 0)
		r = import_out_write(o, c->output);
	import_out_free(o);
	return r < 0 ? 1 : 0;
}
