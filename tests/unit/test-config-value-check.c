/* Unit tests for one value read as jobd reads it without a file
 * (config_value_check, what jobctl import checks with), and stdin=text:,
 * the form a crontab's '%' input becomes. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

static char *
check(const char *section, const char *key, const char *value)
{
	char *cause = NULL;

	if (config_value_check(section, key, value, &cause) == 0) {
		ASSERT_NULL(cause);
		return NULL;
	}
	ASSERT_NOT_NULL(cause);
	return cause;
}

TEST(value_check)
{
	char *c;

	ASSERT_NULL(check("job", "schedule", "5-55/10 * * * *"));
	ASSERT_NULL(check("job", "schedule", "@reboot"));
	ASSERT_NULL(check("job", "command", "cd / && run-parts x"));
	ASSERT_NULL(check("service", "restart", "on-failure"));
	ASSERT_NULL(check("alert", "mail", "root"));
	c = check("job", "schedule", "0 0 31 2 *");
	ASSERT_NOT_NULL(strstr(c, "never fires"));
	free(c);
	c = check("job", "schedule", "0 0 * * 5#3");
	ASSERT_NOT_NULL(strstr(c, "Fri *-*-15..21"));
	free(c);
	c = check("alert", "mail", "<a@b>");
	ASSERT_NOT_NULL(c);
	free(c);
	/* A service-only key is no job key, and the other way round. */
	c = check("job", "restart", "always");
	ASSERT_STREQ(c, "jobd has no key 'restart' in [job]");
	free(c);
	c = check("service", "schedule", "daily");
	ASSERT_STREQ(c, "jobd has no key 'schedule' in [service]");
	free(c);
	c = check("group", "units", "a");
	ASSERT_STREQ(c, "jobd has no key 'units' in [group]");
	free(c);
	c = check("job", "timeout", "soon");
	ASSERT_NOT_NULL(strstr(c, "soon"));
	free(c);
}

TEST(stdin_text)
{
	_cleanup_(strv_freep) char **errors = NULL;
	struct config *cfg = NULL;
	struct job_config *j;
	char *c;

	ASSERT_OK(config_load_string("[job a]\ncommand=cat\n"
	    "stdin=text:one\\ntwo\\t% \\\\n\\n\n", "t.conf", &cfg, &errors));
	j = config_find_job(cfg, "a");
	ASSERT_NOT_NULL(j);
	ASSERT_STREQ(j->exec.stdin_data, "one\ntwo\t% \\n\n");
	config_free(cfg);
	c = check("job", "stdin", "text:a\\qb");
	ASSERT_STREQ(c, "invalid escape '\\q' in stdin=text: (\\n, \\t and "
	    "\\\\ are known)");
	free(c);
	c = check("job", "stdin", "text:trailing\\");
	ASSERT_STREQ(c, "invalid escape '\\' in stdin=text: (\\n, \\t and "
	    "\\\\ are known)");
	free(c);
	c = check("job", "stdin", "bytes:x");
	ASSERT_NOT_NULL(strstr(c, "data:TEXT or text:TEXT"));
	free(c);
	ASSERT_NULL(check("job", "stdin", "text:"));
}

static const struct test tests[] = {
	TEST_ENTRY(value_check),
	TEST_ENTRY(stdin_text),
};

TEST_MAIN(tests)
