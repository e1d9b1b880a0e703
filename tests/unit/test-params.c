/* Unit tests for parameters and transient jobs' definitions: param= and
 * args= in a file (good, bad, file:line), what Start may give
 * (params_check: unknown, malformed, repeated, too long, missing), what a
 * run gets (params_effective, params_env), the bound on arguments, and
 * config_transient_new's refusals (name, user, env, schedule, command). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config-transient.h"
#include "config.h"
#include "params.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

static char *
load_errors(const char *text)
{
	_cleanup_(strv_freep) char **errors = NULL;
	struct config *cfg = NULL;

	if (config_load_string(text, "p.conf", &cfg, &errors) == 0) {
		config_free(cfg);
		return xstrdup("");
	}
	return test_join_lines(errors);
}

TEST(config_keys)
{
	_cleanup_(strv_freep) char **errors = NULL;
	struct config *cfg = NULL;
	struct job_config *j;

	ASSERT_OK(config_load_string("[job a]\ncommand=true\nparam=WHO\n"
	    "param=PLACE=the big house\nparam=EMPTY=\nargs=append\n",
	    "p.conf", &cfg, &errors));
	j = config_find_job(cfg, "a");
	ASSERT_EQ(strv_length(j->params), 3);
	ASSERT_STREQ(j->params[0], "WHO");
	ASSERT_STREQ(j->params[1], "PLACE=the big house");
	ASSERT_STREQ(j->params[2], "EMPTY=");
	ASSERT(j->args_append);
	ASSERT(!j->transient);
	config_free(cfg);
}

TEST(config_bad_keys)
{
	char *e;

	CASE("a bad name, with its file and line"); {
		e = load_errors("[job a]\ncommand=true\nparam=1X\n");
		ASSERT_NOT_NULL(strstr(e, "p.conf:3: param: invalid parameter "
		    "name '1X'"));
		free(e);
	}
	CASE("a space in the name"); {
		e = load_errors("[job a]\ncommand=true\nparam=A B\n");
		ASSERT_NOT_NULL(strstr(e, "p.conf:3: param: invalid parameter "
		    "name 'A B'"));
		free(e);
	}
	CASE("declared twice"); {
		e = load_errors("[job a]\ncommand=true\nparam=A\nparam=A=1\n");
		ASSERT_NOT_NULL(strstr(e, "p.conf:4: param: parameter 'A' "
		    "declared twice"));
		free(e);
	}
	CASE("args= takes append or no"); {
		e = load_errors("[job a]\ncommand=true\nargs=yes\n");
		ASSERT_NOT_NULL(strstr(e, "p.conf:3: args: invalid value "
		    "'yes': expected append or no"));
		free(e);
	}
}

TEST(check_given)
{
	char *decls[] = { "WHO", "PLACE=home", NULL };
	char *cause = NULL;

	CASE("all good"); {
		char *g[] = { "WHO=bob", "PLACE=", NULL };

		ASSERT_OK(params_check(decls, g, &cause));
	}
	CASE("unknown"); {
		char *g[] = { "WHO=a", "WHAT=b", NULL };

		ASSERT_EQ(params_check(decls, g, &cause), -EINVAL);
		ASSERT_STREQ(cause, "unknown parameter 'WHAT': the job "
		    "declares others (param=)");
		free(cause);
	}
	CASE("the job declares none"); {
		char *g[] = { "X=1", NULL };

		ASSERT_EQ(params_check(NULL, g, &cause), -EINVAL);
		ASSERT_STREQ(cause, "unknown parameter 'X': the job declares "
		    "none");
		free(cause);
	}
	CASE("malformed"); {
		char *g[] = { "WHO", NULL };

		ASSERT_EQ(params_check(decls, g, &cause), -EINVAL);
		ASSERT_STREQ(cause, "malformed parameter 'WHO': expected "
		    "NAME=VALUE");
		free(cause);
	}
	CASE("a bad name"); {
		char *g[] = { "W-HO=1", NULL };

		ASSERT_EQ(params_check(decls, g, &cause), -EINVAL);
		ASSERT_STREQ(cause, "invalid parameter name 'W-HO'");
		free(cause);
	}
	CASE("twice"); {
		char *g[] = { "WHO=a", "WHO=b", NULL };

		ASSERT_EQ(params_check(decls, g, &cause), -EINVAL);
		ASSERT_STREQ(cause, "parameter 'WHO' given twice");
		free(cause);
	}
	CASE("missing, no default"); {
		char *g[] = { "PLACE=x", NULL };

		ASSERT_EQ(params_check(decls, g, &cause), -EINVAL);
		ASSERT_STREQ(cause, "missing parameter 'WHO': the job declares "
		    "it without a default");
		free(cause);
	}
	CASE("too long a value"); {
		char *big = xmalloc(PARAM_MAX_VALUE + 8);
		char *g[] = { big, NULL };

		memset(big, 'x', PARAM_MAX_VALUE + 7);
		memcpy(big, "WHO=", 4);
		big[PARAM_MAX_VALUE + 5] = '\0';
		ASSERT_EQ(params_check(decls, g, &cause), -EINVAL);
		ASSERT_NOT_NULL(strstr(cause, "longer than 4096 bytes"));
		free(cause);
		big[PARAM_MAX_VALUE + 4] = '\0';
		ASSERT_OK(params_check(decls, g, &cause));
		free(big);
	}
}

TEST(effective_and_env)
{
	char *decls[] = { "WHO", "PLACE=home", "E=", NULL };
	char *given[] = { "WHO=bob", NULL };
	_cleanup_(strv_freep) char **eff = params_effective(decls, given);
	_cleanup_(strv_freep) char **none = params_effective(decls, NULL);
	_cleanup_(strv_freep) char **env = params_env(eff);
	_cleanup_free_ char *a = strv_join_quoted(eff);
	_cleanup_free_ char *b = strv_join_quoted(none);
	_cleanup_free_ char *c = strv_join_quoted(env);

	ASSERT_STREQ(a, "WHO=bob PLACE=home E=");
	/* A schedule gives none: the default, else empty. */
	ASSERT_STREQ(b, "WHO= PLACE=home E=");
	ASSERT_STREQ(c, "JOBD_PARAM_WHO=bob JOBD_PARAM_PLACE=home "
	    "JOBD_PARAM_E=");
	ASSERT_NULL(params_effective(NULL, given));
}

TEST(args_bound)
{
	_cleanup_(strv_freep) char **v = NULL;
	char *cause = NULL;
	int i;

	for (i = 0; i < ARGS_MAX; i++)
		v = strv_append(v, "x");
	ASSERT_OK(args_check(v, &cause));
	v = strv_append(v, "one too many");
	ASSERT_EQ(args_check(v, &cause), -E2BIG);
	ASSERT_STREQ(cause, "too many arguments: at most 1024, 32768 bytes "
	    "together");
	free(cause);
}

static char *
transient_error(const struct transient_spec *s)
{
	struct job_config *jc = NULL;
	char *cause = NULL;

	if (config_transient_new(s, &jc, &cause) == 0) {
		config_transient_free(jc);
		return xstrdup("");
	}
	ASSERT_NULL(jc);
	return cause;
}

TEST(transient)
{
	char *argv[] = { "/bin/echo", "a b", NULL }, *empty[] = { "", NULL };
	char *env[] = { "A=1", NULL }, *jenv[] = { "JOBD_RUN=7", NULL };
	char *nenv[] = { "NOTIFY_SOCKET=/x", NULL }, *benv[] = { "1A=x",
	    NULL }, *locks[] = { "db", NULL }, *blocks[] = { "d b!", NULL };
	struct transient_spec s = { .name = "t", .command = argv,
	    .env = env, .locks = locks, .timeout = "5s", .user = "nobody",
	    .on_calendar = "*:0/5" };
	struct job_config *jc;
	char *cause = NULL, *e;

	ASSERT_OK(config_transient_new(&s, &jc, &cause));
	ASSERT(jc->transient);
	ASSERT_STREQ(jc->command_line, "/bin/echo 'a b'");
	ASSERT_EQ(jc->timeout, 5 * USEC_PER_SEC);
	ASSERT_STREQ(jc->user, "nobody");
	ASSERT_STREQ(jc->policy.locks[0], "db");
	ASSERT(job_config_is_periodic(jc));
	config_transient_free(jc);
#define REFUSED(field, value, text) do {				\
	struct transient_spec x = s;					\
	x.field = value;						\
	e = transient_error(&x);					\
	if (!strstr(e, text))						\
		test_fail(__FILE__, __LINE__, "'%s' lacks '%s'", e, text); \
	free(e);							\
} while (0)
	REFUSED(name, "../x", "invalid job name '../x'");
	REFUSED(name, "a:b", "invalid job name 'a:b'");
	REFUSED(command, empty, "empty command");
	REFUSED(command, NULL, "empty command");
	REFUSED(user, "bad user!", "invalid user name");
	REFUSED(timeout, "soon", "invalid time span 'soon'");
	REFUSED(locks, blocks, "invalid name 'b!'");
	REFUSED(env, jenv, "JOBD_* variables are jobd's to set");
	REFUSED(env, nenv, "the service manager's");
	REFUSED(env, benv, "invalid assignment '1A=x'");
	REFUSED(on_calendar, "0 0 31 2 *", "never fires");
	REFUSED(on_calendar, "whenever", "whenever");
#undef REFUSED
}

static const struct test tests[] = {
	TEST_ENTRY(config_keys),
	TEST_ENTRY(config_bad_keys),
	TEST_ENTRY(check_given),
	TEST_ENTRY(effective_and_env),
	TEST_ENTRY(args_bound),
	TEST_ENTRY(transient),
};

TEST_MAIN(tests)
