/* The alert event's names, copies and freeing (alert-event.h): shared by
 * the policy that decides and the delivery that writes. */
#include <stdlib.h>
#include <string.h>

#include "alert-event.h"
#include "strv.h"
#include "xmalloc.h"

const char *const alert_kind_name[ALERT_NKINDS] = {
	[ALERT_FAILED] = "failed",
	[ALERT_RECOVERED] = "recovered",
	[ALERT_OVERDUE] = "overdue",
	[ALERT_MISSED] = "missed",
	[ALERT_FINISHED] = "finished",
	[ALERT_TEST] = "test",
};

int
alert_kind_parse(const char *name)
{
	int i;

	for (i = 0; i < ALERT_NKINDS; i++)
		if (!strcmp(name, alert_kind_name[i]))
			return i;
	return -1;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct alert_event *
alert_event_dup(const struct alert_event *e)
{
	struct alert_event *c = xmalloc(sizeof(*c));

	*c = *e;
	c->job = dup_or_null(e->job);
	c->result = dup_or_null(e->result);
	c->reason = dup_or_null(e->reason);
	c->trigger = dup_or_null(e->trigger);
	c->tail = e->tail ? strv_copy(e->tail) : NULL;
	return c;
}

void
alert_event_free(struct alert_event *e)
{
	if (!e)
		return;
	free(e->job);
	free(e->result);
	free(e->reason);
	free(e->trigger);
	strv_free(e->tail);
	free(e);
}
