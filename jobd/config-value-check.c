/* One value read as jobd reads it in a section, without a file: for
 * tools that write configuration (jobctl import) and must not write a
 * value jobd would refuse.  The key's own parser decides, on a scratch
 * section that is thrown away. */
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "config.h"
#include "xmalloc.h"

static int
check_unit(const struct config_key *k, const char *value, char **cause)
{
	struct job_config *j = xcalloc(1, sizeof(*j));
	int r;

	r = k->parse(value, (char *)j + k->offset, "/", cause);
	job_config_free(j);
	return r;
}

static int
check_alert(const struct config_key *k, const char *value, char **cause)
{
	struct config c = { 0 };
	struct config_alert *a;
	int r;

	c.alerts = a = xcalloc(1, sizeof(*a));
	c.nalerts = 1;
	r = k->parse(value, (char *)a + k->offset, "/", cause);
	config_alerts_free(&c);
	return r;
}

int
config_value_check(const char *section, const char *key, const char *value,
    char **cause)
{
	enum config_section s = !strcmp(section, "job") ? CONFIG_SECTION_JOB :
	    !strcmp(section, "service") ? CONFIG_SECTION_SERVICE :
	    !strcmp(section, "alert") ? CONFIG_SECTION_ALERT : 0;
	const struct config_key *k = s ? config_key_find(s, key) : NULL;

	*cause = NULL;
	if (!k) {
		*cause = xstrfmt("jobd has no key '%s' in [%s]", key, section);
		return -1;
	}
	if (s == CONFIG_SECTION_ALERT)
		return check_alert(k, value, cause) < 0 ? -1 : 0;
	return check_unit(k, value, cause) < 0 ? -1 : 0;
}
