/* The [alert NAME] sections: where alerts go (a webhook, mail, a command)
 * and how.  Which units send them and when is a unit's policy
 * (config-policy.c: alert=, alert_on=, alert_repeat=,
 * expect_success_within=). */
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "strv.h"

const char *const webhook_format_name[WEBHOOK_NFORMATS] = {
	[WEBHOOK_JSON] = "json",
	[WEBHOOK_SLACK] = "slack",
};

const struct config_alert *
config_find_alert(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nalerts; i++)
		if (!strcmp(c->alerts[i].name, name))
			return &c->alerts[i];
	return NULL;
}

void
config_alerts_free(struct config *c)
{
	struct config_alert *a;
	size_t i;

	for (i = 0; i < c->nalerts; i++) {
		a = &c->alerts[i];
		free(a->name);
		free(a->webhook);
		strv_free(a->webhook_headers);
		strv_free(a->mail);
		free(a->command_job);
		free(a->file);
	}
	free(c->alerts);
}
