/* Unit tests for the [group NAME] sections: units= parsed in order
 * (repeated, continued, duplicates dropped), each unit's groups, and
 * every error with its text and line: a unit that does not exist, a group
 * named as a unit, a group defined twice, no units=, a group in units=,
 * bad names, unknown keys and the bounds. */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

#define SVC(n) "[service " n "]\ncommand = /bin/sleep 1\n"

static char *
load_errors(const char *text)
{
	_cleanup_(strv_freep) char **errors = NULL;
	struct config *cfg = NULL;
	int r;

	r = config_load_string(text, "a.conf", &cfg, &errors);
	if (r == 0) {
		config_free(cfg);
		return xstrdup("");
	}
	ASSERT_EQ(r, -EINVAL);
	ASSERT_NULL(cfg);
	return test_join_lines(errors);
}

static struct config *
load_ok(const char *text)
{
	struct config *cfg = NULL;
	char **errors = NULL;
	int r;

	r = config_load_string(text, "a.conf", &cfg, &errors);
	if (r < 0)
		test_fail(__FILE__, __LINE__, "load failed: %s", errors[0]);
	return cfg;
}

TEST(units_in_order)
{
	struct config *cfg = load_ok(
	    "[group web]\n"
	    "units = web-b web-a\n"
	    "  db\n"
	    "units = web-a job1\n"
	    SVC("web-a") SVC("web-b") SVC("db")
	    "[job job1]\ncommand = /bin/true\n"
	    "[group other]\nunits = db\n");
	const struct config_group *g = config_find_group(cfg, "web");
	_cleanup_free_ char *units = NULL, *dbs = NULL;

	ASSERT_EQ(cfg->ngroups, 2);
	ASSERT_NOT_NULL(g);
	units = strv_join_quoted(g->units);
	ASSERT_STREQ(units, "web-b web-a db job1");
	ASSERT_EQ(g->unit_lines[0], 2);
	ASSERT_EQ(g->unit_lines[2], 2);		/* continued: the key's */
	ASSERT_EQ(g->unit_lines[3], 4);
	ASSERT_EQ(g->line, 1);
	ASSERT_STREQ(g->file, "a.conf");
	ASSERT_NULL(config_find_group(cfg, "web-a"));
	dbs = strv_join_quoted(config_find_job(cfg, "db")->groups);
	ASSERT_STREQ(dbs, "web other");
	ASSERT_STREQ(config_find_job(cfg, "job1")->groups[0], "web");
	ASSERT_NULL(config_find_job(cfg, "job1")->groups[1]);
	config_free(cfg);
}

TEST(units_groups_make_a_job_differ)
{
	struct config *a = load_ok(SVC("x") SVC("y") "[group g]\nunits=x\n");
	struct config *b = load_ok(SVC("x") SVC("y") "[group g]\nunits=x y\n");

	ASSERT(job_config_equal(config_find_job(a, "x"),
	    config_find_job(b, "x")));
	ASSERT(!job_config_equal(config_find_job(a, "y"),
	    config_find_job(b, "y")));
	/* The same process: a reload updates it, it does not restart. */
	ASSERT(job_config_exec_equal(config_find_job(a, "y"),
	    config_find_job(b, "y")));
	config_free(a);
	config_free(b);
}

static const struct {
	const char *text;
	const char *want;
} bad[] = {
	{ SVC("x") "[group g]\nunits = x nope\n",
	    "a.conf:4: group 'g': units: unknown unit 'nope'" },
	{ SVC("x") "[group x]\nunits = x\n",
	    "a.conf:3: group 'x': a service has that name (a.conf:1); "
	    "groups and units share jobctl's names" },
	{ "[group j]\nunits = j2\n[job j]\ncommand=/bin/true\n"
	    "[job j2]\ncommand=/bin/true\n",
	    "a.conf:1: group 'j': a job has that name (a.conf:3); "
	    "groups and units share jobctl's names" },
	{ SVC("x") "[group g]\nunits = x\n[group g]\nunits = x\n",
	    "a.conf:5: group 'g' already defined at a.conf:3" },
	{ SVC("x") "[group g]\n",
	    "a.conf:3: group 'g' has no units=" },
	{ SVC("x") "[group g]\nunits =\n",
	    "a.conf:4: units: empty value" },
	{ SVC("x") "[group g]\nunits = x\n[group h]\nunits = g\n",
	    "a.conf:6: group 'h': units: 'g' is a group, not a unit "
	    "(groups do not nest)" },
	{ SVC("x") "[group g]\nunits = x bad!\n",
	    "a.conf:4: units: invalid name 'bad!'" },
	{ SVC("x") "[group -g]\nunits = x\n",
	    "a.conf:3: invalid group name '-g': expected 1-64 of A-Z a-z 0-9 "
	    "_ . @ -, not starting with - or ." },
	{ SVC("x") "[group g]\nunits = x\nprograms = x\n",
	    "a.conf:5: unknown key 'programs' in [group g]" },
	{ SVC("x") "[group g]\nunits = x\n[defaults]\nunits = x\n",
	    "a.conf:6: unknown key 'units' in [defaults] (it takes the keys "
	    "of [job] and [service])" },
	{ SVC("x") "[group g]\nunits = x\n[job j]\nunits = x\n",
	    "a.conf:5: job 'j' has no command\n"
	    "a.conf:6: unknown key 'units' in [job j]" },
};

TEST(group_bad)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_free_ char *err = load_errors(bad[i].text);

		ASSERT_STREQ(err, bad[i].want);
	}
}

TEST(bounds)
{
	_cleanup_free_ char *units = xstrdup(""), *text = NULL, *err = NULL;
	_cleanup_free_ char *groups = xstrdup("");
	size_t i;

	for (i = 0; i <= 64; i++) {
		char *t = xstrfmt("%s u%zu", units, i);

		free(units);
		units = t;
	}
	text = xstrfmt("[group g]\nunits =%s\n", units);
	err = load_errors(text);
	/* The first 64 are kept (and are no units). */
	ASSERT(strstr(err, "a.conf:2: units: too many names (max 64)\n"
	    "a.conf:2: group 'g': units: unknown unit 'u0'\n") == err);
	ASSERT_NULL(strstr(err, "'u64'"));
	free(err);
	free(text);
	for (i = 0; i <= CONFIG_MAX_GROUPS; i++) {
		char *t = xstrfmt("%s[group g%zu]\nunits = x\n", groups, i);

		free(groups);
		groups = t;
	}
	text = xstrfmt(SVC("x") "%s", groups);
	err = load_errors(text);
	ASSERT_STREQ(err, "a.conf:2051: too many groups (max 1024)");
}

static const struct test tests[] = {
	TEST_ENTRY(units_in_order),
	TEST_ENTRY(units_groups_make_a_job_differ),
	TEST_ENTRY(group_bad),
	TEST_ENTRY(bounds),
};

TEST_MAIN(tests)
