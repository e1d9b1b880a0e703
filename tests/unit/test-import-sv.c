/* Unit tests for jobctl import supervisord's reading of supervisord's
 * syntax, each case as supervisor 4.2.5's Python reads it: %(name)s
 * expansions (formats, %%, unknown names, ENV_ order), environment=
 * pairs (quotes, commas, bad pairs), command words (shlex.split), the
 * small types, and the ini dialect (inline comments, continuations, ':'
 * separators, case-folded keys, merged sections and repeated keys). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import-sv.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

static const struct {
	const char *in, *want;		/* want NULL: refused */
} expand_cases[] = {
	{ "plain", "plain" },
	{ "%(program_name)s_%(process_num)02d", "web_07" },
	{ "%(process_num)d/%(numprocs)d", "7/12" },
	{ "%(process_num)3d|%(process_num)-3d|", "  7|7  |" },
	{ "%(process_num)x%(numprocs)X%(numprocs)o", "7C14" },
	{ "%(process_num)s", "7" },
	{ "%(here)s/x", "/etc/sv/x" },
	{ "%(group_name)s", "grp" },
	{ "100%%", "100%" },
	{ "%(ENV_A)s %(ENV_B)s", "prog sup" },
	{ "%(program_name)5s|%(program_name)-5s|%(program_name).2s",
	    "  web|web  |we" },
	{ "100%", NULL },
	{ "%s", NULL },
	{ "%(program_name)d", NULL },
	{ "%(nope)s", NULL },
	{ "%(ENV_SV_TEST_SURELY_UNSET)s", NULL },
	{ "%(program_name)", NULL },
	{ "%(program_name", NULL },
	{ "%(process_num)f", NULL },
};

TEST(expand)
{
	char *penv[] = { "A=prog", NULL }, *senv[] = { "A=sup", "B=sup",
	    NULL };
	struct sv_exp e = { .here = "/etc/sv", .program_name = "web",
	    .group_name = "grp", .host_node_name = "h", .process_num = 7,
	    .numprocs = 12, .process = true, .program_env = penv,
	    .env = senv };
	size_t i;

	unsetenv("SV_TEST_SURELY_UNSET");
	for (i = 0; i < ELEMENTSOF(expand_cases); i++) {
		char *why = NULL, *v = sv_expand(expand_cases[i].in, &e, &why);

		if (!expand_cases[i].want) {
			ASSERT_NULL(v);
			ASSERT_NOT_NULL(why);
		} else {
			ASSERT_NULL(why);
			ASSERT_STREQ(v, expand_cases[i].want);
		}
		free(v);
		free(why);
	}
}

TEST(expand_environ)
{
	char **names = NULL, *why = NULL, *v;
	struct sv_exp e = { .from_environ = &names };

	setenv("SV_TEST_X", "from env", 1);
	v = sv_expand("%(ENV_SV_TEST_X)s", &e, &why);
	ASSERT_STREQ(v, "from env");
	ASSERT_STREQ(names[0], "SV_TEST_X");
	free(v);
	strv_free(names);
	/* Without process expansions, process_num names nothing. */
	ASSERT_NULL(sv_expand("%(process_num)d", &e, &why));
	free(why);
}

static const struct {
	const char *in, *want;		/* joined with '|'; NULL: refused */
} env_cases[] = {
	{ "A=1,B=2", "A=1|B=2" },
	{ "A=\"x, y\",B='z'", "A=x, y|B=z" },
	{ "PATH=\"/usr/bin:/bin\"", "PATH=/usr/bin:/bin" },
	{ "A=1, B=2 ,C=3", "A=1|B=2|C=3" },
	{ "A=1,A=2", "A=2" },
	{ "URL=redis://h:6379/0", "URL=redis://h:6379/0" },
	{ "A=\"\"", "A=" },
	{ "", "" },
	{ "A=", NULL },
	{ "A", NULL },
	{ "A=\"open", NULL },
	{ "A=x@y", NULL },
};

TEST(env_pairs)
{
	size_t i, k;

	for (i = 0; i < ELEMENTSOF(env_cases); i++) {
		char *why = NULL, **env = sv_env_pairs(env_cases[i].in, &why);
		_cleanup_free_ char *got = xstrdup("");

		if (!env_cases[i].want) {
			ASSERT_NULL(env);
			ASSERT_NOT_NULL(why);
			free(why);
			continue;
		}
		ASSERT_NOT_NULL(env);
		for (k = 0; env[k]; k++) {
			char *t = xstrfmt("%s%s%s", got, k ? "|" : "", env[k]);

			free(got);
			got = t;
		}
		ASSERT_STREQ(got, env_cases[i].want);
		strv_free(env);
	}
}

static const struct {
	const char *in, *want;		/* words joined with '|' */
} cmd_cases[] = {
	{ "php artisan queue:work", "php|artisan|queue:work" },
	{ "nginx -g 'daemon off;'", "nginx|-g|daemon off;" },
	{ "sh -c \"echo \\\"hi\\\" \\$x\"", "sh|-c|echo \"hi\" \\$x" },
	{ "a\\ b c\\\\d", "a b|c\\d" },
	{ "x '' y", "x||y" },
	{ "  a\n  b\t", "a|b" },
	{ "a'b'\"c\"", "abc" },
	{ "a 'open", NULL },
	{ "a \\", NULL },
	{ "   ", NULL },
};

TEST(split_command)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(cmd_cases); i++) {
		char *why = NULL, **w = sv_split_command(cmd_cases[i].in, &why);
		_cleanup_free_ char *got = NULL;
		size_t k;

		if (!cmd_cases[i].want) {
			ASSERT_NULL(w);
			ASSERT_NOT_NULL(why);
			free(why);
			continue;
		}
		ASSERT_NOT_NULL(w);
		got = xstrdup(w[0]);
		for (k = 1; w[k]; k++) {
			char *t = xstrfmt("%s|%s", got, w[k]);

			free(got);
			got = t;
		}
		ASSERT_STREQ(got, cmd_cases[i].want);
		strv_free(w);
	}
}

TEST(small_types)
{
	long n;
	long long b;
	char **l;

	ASSERT_EQ(sv_bool("TRUE"), 1);
	ASSERT_EQ(sv_bool("Off"), 0);
	ASSERT_EQ(sv_bool("unexpected"), -1);
	ASSERT(sv_int(" 42 ", &n) && n == 42);
	ASSERT(sv_int("-3", &n) && n == -3);
	ASSERT(!sv_int("4x", &n) && !sv_int("", &n) && !sv_int("-", &n));
	ASSERT(sv_bytes("50MB", &b) && b == 50LL * 1024 * 1024);
	ASSERT(sv_bytes("1kb", &b) && b == 1024);
	ASSERT(sv_bytes("0", &b) && b == 0);
	ASSERT(!sv_bytes("1TB", &b) && !sv_bytes("MB", &b));
	l = sv_list(" a, b ,c\n");
	ASSERT_EQ(strv_length(l), 3);
	ASSERT_STREQ(l[1], "b");
	ASSERT_STREQ(l[2], "c");
	strv_free(l);
	l = sv_list("");
	ASSERT_EQ(strv_length(l), 0);
	strv_free(l);
}

/* Reads text as a file into c. */
static void
read_text(const char *text, struct sv_conf *c)
{
	char path[] = "/tmp/test-import-sv-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	ASSERT(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	ASSERT_OK(sv_read_file(c, path, true));
	unlink(path);
}

TEST(ini_dialect)
{
	struct sv_conf c = { .o = import_out_new() };
	struct sv_section *s;
	struct sv_key *k;

	read_text(
	    "; comment\n"
	    "[program:a]   ; header comment\n"
	    "Command = /bin/echo a;b #c ; real comment\n"
	    "  --more   # continued\n"
	    "\n"
	    "  --after-blank\n"
	    "directory: /srv\n"
	    "  ; a comment inside does not end it\n"
	    "environment=A=1\n"
	    "[program:b]\n"
	    "command=/bin/true\n"
	    "[program:a]\n"
	    "environment=A=2\n"
	    "not a key\n", &c);
	ASSERT_EQ(c.nsections, 2);
	s = sv_section_find(&c, "program:a");
	ASSERT_NOT_NULL(s);
	ASSERT_EQ(s->line, 2);
	k = sv_key_find(s, "command");
	ASSERT_NOT_NULL(k);
	ASSERT_STREQ(k->value, "/bin/echo a;b\n--more\n\n--after-blank");
	ASSERT_EQ(k->nraw, 3);
	ASSERT_EQ(k->lines[2], 6);
	ASSERT_STREQ(sv_key_find(s, "directory")->value, "/srv");
	/* The second [program:a] adds to the first; its environment=
	 * replaces the first, which is listed. */
	k = sv_key_find(s, "environment");
	ASSERT_STREQ(k->value, "A=2");
	ASSERT_EQ(k->lines[0], 13);
	ASSERT_NOT_NULL(sv_section_find(&c, "program:b"));
	sv_conf_free(&c);
	import_out_free(c.o);
}

TEST(unreadable)
{
	struct sv_conf c = { .o = import_out_new() };

	ASSERT(sv_read_file(&c, "/nonexistent/sv.conf", true) < 0);
	ASSERT(sv_read_file(&c, "/", true) < 0);
	ASSERT_EQ(c.nsections, 0);
	sv_conf_free(&c);
	import_out_free(c.o);
}

static const struct test tests[] = {
	TEST_ENTRY(expand),
	TEST_ENTRY(expand_environ),
	TEST_ENTRY(env_pairs),
	TEST_ENTRY(split_command),
	TEST_ENTRY(small_types),
	TEST_ENTRY(ini_dialect),
	TEST_ENTRY(unreadable),
};

TEST_MAIN(tests)
