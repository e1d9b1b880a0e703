/* The [Timer] section: OnCalendar= as schedule= (checked with jobd's own
 * calendar parser, so what jobd would refuse is listed with its reason
 * instead of failing jobd --check), Persistent= as catch_up=,
 * RandomizedDelaySec= as jitter=, the monotonic timers as on_boot= and
 * every=, and what jobd does instead of AccuracySec= and
 * FixedRandomDelay= said in a note. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "import-sd.h"
#include "xmalloc.h"

/* jobd's limit on schedule= lines of one job. */
#define SCHEDULES_MAX 64

/* The empty OnCalendar= after l that resets it, or NULL. */
static struct sd_line *
reset_after(struct sd_unit *u, struct sd_line *l)
{
	struct sd_line *e;

	for (e = l + 1; e < u->lines + u->n; e++)
		if (e->key && e->section && !strcmp(e->section, "Timer") &&
		    !strcmp(e->key, l->key) && !*e->value)
			return e;
	return NULL;
}

static void
map_calendar(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *v = NULL, *cause = NULL;
	struct sd_line *reset = reset_after(c->timer, l);
	struct cal_spec *spec = NULL;
	if (!*l->value) {
		sd_note(c, l, "(clears the OnCalendar= lines before it)");
		return;
	}
	if (reset) {
		_cleanup_free_ char *at = sd_line_ref(reset, l);

		sd_unmapped(c, l, "reset by the empty OnCalendar= at %s", at);
		return;
	}
	if (!(v = sd_specifiers(c->timer, l->value, &cause)))
		sd_unmapped(c, l, "%s", cause);
	else if (cal_parse(v, &spec, &cause) < 0)
		sd_unmapped(c, l, "jobd refuses this calendar event: %s",
		    cause);
	else if (cal_syntax(spec) != CAL_SYNTAX_SYSTEMD)
		sd_unmapped(c, l, "jobd would read '%s' as a cron line: write "
		    "it in the usual systemd form", v);
	else if (++c->schedules > SCHEDULES_MAX)
		sd_unmapped(c, l, "jobd takes at most %d schedule= lines",
		    SCHEDULES_MAX);
	else
		sd_key(c, l, "schedule", "%s", v);
	cal_free(spec);
}

static void
map_persistent(struct sd_ctx *c, struct sd_line *l)
{
	int b = sd_bool(l->value);

	if (b < 0)
		sd_unmapped(c, l, "not a boolean");
	else if (b) {
		sd_note(c, l, "the newest slot missed while jobd was down runs "
		    "when it starts; catch-up runs start at once, without "
		    "jitter=");
		import_key(c->o, "catch_up", "latest");
	} else
		sd_note(c, l, "(jobd's default, catch_up=none)");
}

static int
span(struct sd_ctx *c, struct sd_line *l, char **ret)
{
	usec_t s;

	if (sd_timespan(l->value, &s) < 0) {
		sd_unmapped(c, l, "not a time span systemd reads");
		return -1;
	}
	*ret = sd_span_text(s);
	return 0;
}

static void
map_jitter(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *s = NULL;

	if (span(c, l, &s) < 0)
		return;
	sd_note(c, l, "jobd's delay is fixed per host and job (a hash of "
	    "both), as with FixedRandomDelay=yes");
	import_key(c->o, "jitter", "%s", s);
}

static void
map_fixed_delay(struct sd_ctx *c, struct sd_line *l)
{
	int b = sd_bool(l->value);

	if (b < 0)
		sd_unmapped(c, l, "not a boolean");
	else if (b)
		sd_note(c, l, "(jobd's jitter= is always fixed like this)");
	else
		sd_note(c, l, "(jobd's jitter= is fixed per host and job, not "
		    "drawn again for each elapse)");
}

static void
map_accuracy(struct sd_ctx *c, struct sd_line *l)
{
	sd_note(c, l, "(jobd starts each run at its slot, plus jitter=, "
	    "not anywhere within AccuracySec= after it)");
}

/* OnBootSec=, OnStartupSec=, OnActiveSec=: once after the boot. */
static void
map_boot(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *s = NULL;

	if (c->boot_set) {
		sd_unmapped(c, l, "jobd has one on_boot= per job, set above");
		return;
	}
	if (span(c, l, &s) < 0)
		return;
	c->boot_set = true;
	if (!strcmp(l->key, "OnStartupSec"))
		sd_note(c, l, "(the system manager starts at boot; jobd counts "
		    "from the boot)");
	else if (!strcmp(l->key, "OnActiveSec"))
		sd_note(c, l, "(an enabled timer is activated at boot; jobd "
		    "counts from the boot)");
	sd_note(c, l, "runs once on jobd's first start after a boot, this "
	    "long after the boot");
	import_key(c->o, "on_boot", "%s", s);
}

/* OnUnitActiveSec=, OnUnitInactiveSec=: again and again. */
static void
map_every(struct sd_ctx *c, struct sd_line *l)
{
	_cleanup_free_ char *s = NULL;

	if (c->every_set) {
		sd_unmapped(c, l, "jobd has one every= per job, set above");
		return;
	}
	if (span(c, l, &s) < 0)
		return;
	c->every_set = true;
	if (!strcmp(l->key, "OnUnitInactiveSec"))
		sd_note(c, l, "(jobd counts every= from the start of the "
		    "previous run; systemd counts from its end)");
	sd_note(c, l, "the first run comes this long after jobd starts (or "
	    "after the last run on record)");
	import_key(c->o, "every", "%s", s);
}

static void
map_wake(struct sd_ctx *c, struct sd_line *l)
{
	int b = sd_bool(l->value);

	if (b == 0)
		sd_note(c, l, "(as jobd does)");
	else
		sd_unmapped(c, l, "jobd does not wake a suspended machine: the "
		    "run comes when it wakes (catch_up= decides)");
}

/* Unit= chose the service (import-systemd.c); kept above the section. */
static void
map_unit(struct sd_ctx *c, struct sd_line *l)
{
	sd_origin(c, l);
}

const struct sd_directive sd_timer_directives[] = {
	{ "Timer", "OnCalendar", map_calendar },
	{ "Timer", "Persistent", map_persistent },
	{ "Timer", "RandomizedDelaySec", map_jitter },
	{ "Timer", "FixedRandomDelay", map_fixed_delay },
	{ "Timer", "AccuracySec", map_accuracy },
	{ "Timer", "OnBootSec", map_boot },
	{ "Timer", "OnStartupSec", map_boot },
	{ "Timer", "OnActiveSec", map_boot },
	{ "Timer", "OnUnitActiveSec", map_every },
	{ "Timer", "OnUnitInactiveSec", map_every },
	{ "Timer", "WakeSystem", map_wake },
	{ "Timer", "Unit", map_unit },
	{ NULL, NULL, NULL },
};
