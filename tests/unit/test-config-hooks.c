/* Unit tests for hook cycles: on_success= and on_failure= chain (a hook's
 * run starts its own hooks), so a cycle through them is refused at load
 * with the cycle named: a job naming itself, two and three jobs, the two
 * keys mixed on the way, a cycle away from the first unit, and chains
 * and diamonds that are no cycle. */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

#define WHY " forms a cycle (hooks chain: each would start the next " \
	"without end)"

/* All errors joined with newlines, or "" when the text loads. */
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

static const struct {
	const char *text, *errors;
} rows[] = {
	/* A job that starts itself: retry= is the way to run it again. */
	{ "[job a]\ncommand = x\non_failure = a\n",
	    "a.conf:1: job 'a': on_failure: a -> a" WHY },
	{ "[job a]\ncommand = x\non_success = a\n",
	    "a.conf:1: job 'a': on_success: a -> a" WHY },
	{ "[job a]\ncommand = x\non_success = b\n"
	    "[job b]\ncommand = x\non_success = a\n",
	    "a.conf:1: job 'a': on_success: a -> b -> a" WHY },
	{ "[job c]\ncommand = x\non_failure = a\n"
	    "[job b]\ncommand = x\non_failure = c\n"
	    "[job a]\ncommand = x\non_failure = b\n",
	    "a.conf:7: job 'a': on_failure: a -> b -> c -> a" WHY },
	/* Mixed: each arrow says which key it follows. */
	{ "[job a]\ncommand = x\non_success = b\n"
	    "[job b]\ncommand = x\non_failure = a\n",
	    "a.conf:1: job 'a': on_success/on_failure: "
	    "a -on_success-> b -on_failure-> a" WHY },
	{ "[job a]\ncommand = x\non_failure = b\n"
	    "[job b]\ncommand = x\non_success = c\n"
	    "[job c]\ncommand = x\non_success = b\n",
	    "a.conf:4: job 'b': on_success: b -> c -> b" WHY },
	{ "[job a]\ncommand = x\non_success = b\non_failure = c\n"
	    "[job b]\ncommand = x\non_success = z\n"
	    "[job c]\ncommand = x\non_failure = b\n"
	    "[job z]\ncommand = x\non_failure = c\n",
	    "a.conf:5: job 'b': on_success/on_failure: "
	    "b -on_success-> z -on_failure-> c -on_failure-> b" WHY },
	/* Away from the first unit, after units with no cycle. */
	{ "[job a]\ncommand = x\non_success = b\n"
	    "[job b]\ncommand = x\n"
	    "[job p]\ncommand = x\non_failure = q\n"
	    "[job q]\ncommand = x\non_failure = p\n",
	    "a.conf:6: job 'p': on_failure: p -> q -> p" WHY },
	/* One cycle is reported, as for dependencies. */
	{ "[job a]\ncommand = x\non_success = a\n"
	    "[job b]\ncommand = x\non_success = b\n",
	    "a.conf:1: job 'a': on_success: a -> a" WHY },
	/* Beside a dependency cycle: both are reported. */
	{ "[job a]\ncommand = x\nafter = b\non_success = b\n"
	    "[job b]\ncommand = x\nafter = a\non_failure = a\n",
	    "a.conf:1: job 'a': dependency cycle: a -> b -> a (after= and "
	    "requires= order units)\n"
	    "a.conf:1: job 'a': on_success/on_failure: "
	    "a -on_success-> b -on_failure-> a" WHY },
	/* No cycle: a chain, a diamond, both keys to the same job, and an
	 * after= back to the first (ordering is not starting). */
	{ "[job a]\ncommand = x\non_success = b\n"
	    "[job b]\ncommand = x\non_success = c\n"
	    "[job c]\ncommand = x\non_failure = d\n"
	    "[job d]\ncommand = x\n", "" },
	{ "[job a]\ncommand = x\non_success = b c\n"
	    "[job b]\ncommand = x\non_success = d\n"
	    "[job c]\ncommand = x\non_failure = d\n"
	    "[job d]\ncommand = x\n", "" },
	{ "[job a]\ncommand = x\non_success = b\non_failure = b\n"
	    "[job b]\ncommand = x\nafter = a\n", "" },
	/* A service may start hooks too; a cycle needs a job back to it,
	 * which on_success= refuses on its own. */
	{ "[service s]\ncommand = x\non_failure = a\n"
	    "[job a]\ncommand = x\non_failure = s\n",
	    "a.conf:4: job 'a': on_failure: unknown job 's'" },
};

TEST(hook_cycles)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(rows); i++) {
		_cleanup_free_ char *got = NULL;

		CASE("hook_cycles row %zu", i);
		got = load_errors(rows[i].text);
		ASSERT_STREQ(got, rows[i].errors);
	}
}

/* Long chains load: the runtime bound (hooks.c) is for what the check
 * cannot see, not a limit on the configuration. */
TEST(long_chain_loads)
{
	_cleanup_free_ char *text = xstrdup(""), *err = NULL;
	char *t;
	int i;

	for (i = 0; i < 40; i++) {
		t = xstrfmt("%s[job j%02d]\ncommand = x\non_success = j%02d\n",
		    text, i, i + 1);
		free(text);
		text = t;
	}
	t = xstrfmt("%s[job j40]\ncommand = x\n", text);
	free(text);
	text = t;
	err = load_errors(text);
	ASSERT_STREQ(err, "");
}

static const struct test tests[] = {
	TEST_ENTRY(hook_cycles),
	TEST_ENTRY(long_chain_loads),
};

TEST_MAIN(tests)
