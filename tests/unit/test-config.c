/* Unit tests for config: key values good and bad (every error text),
 * file:line numbers, continuation and long lines, several errors in one
 * pass, and job_config_equal.  Files and include directories are in
 * test-config-files.c. */
#include <errno.h>

#include "alert-event.h"
#include "config-internal.h"
#include "config.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

/* All errors joined with newlines, or "" when the text loads. */
static char *
load_errors(const char *text)
{
	_cleanup_(strv_freep) char **errors = NULL;
	struct config *cfg = NULL;
	int r;

	r = config_load_string(text, "jobs.conf", &cfg, &errors);
	if (r == 0) {
		ASSERT_NOT_NULL(cfg);
		ASSERT_NULL(errors);
		config_free(cfg);
		return xstrdup("");
	}
	ASSERT_EQ(r, -EINVAL);
	ASSERT_NULL(cfg);
	ASSERT(strv_length(errors) > 0);
	return test_join_lines(errors);
}

static struct config *
load_ok(const char *text)
{
	struct config *cfg = NULL;
	char **errors = NULL;
	int r;

	r = config_load_string(text, "jobs.conf", &cfg, &errors);
	if (r < 0)
		test_fail(__FILE__, __LINE__, "load failed: %s", errors[0]);
	ASSERT_NULL(errors);
	return cfg;
}

/* One job's fields as text, to compare table rows against. */
static char *
job_dump(const struct job_config *j)
{
	_cleanup_free_ char *argv = strv_join_quoted(j->command);
	_cleanup_free_ char *env = strv_join_quoted(j->environment);

	return xstrfmt("command=[%s] line=[%s] shell=%d env=[%s] wd=%s "
	    "user=%s group=%s timeout=%llu stop_timeout=%llu signal=%d "
	    "output=%s output_file=%s description=[%s]", argv,
	    j->command_line, j->shell, env,
	    j->working_directory ? j->working_directory : "-",
	    j->user ? j->user : "-", j->group ? j->group : "-",
	    (unsigned long long)j->timeout,
	    (unsigned long long)j->stop_timeout, j->stop_signal,
	    output_mode_name[j->output],
	    j->output_file ? j->output_file : "-", j->description);
}

static const struct {
	const char *lines;		/* after "[job a]" */
	const char *want;		/* a part of job_dump() */
} job_good[] = {
	{ "command = /bin/true", "command=[/bin/true] line=[/bin/true] "
	    "shell=0 env=[] wd=- user=- group=- timeout=0 "
	    "stop_timeout=10000000 signal=15 output=journal output_file=- "
	    "description=[]" },
	{ "command = echo 'a b' \"c\"", "command=[echo 'a b' c]" },
	{ "command=echo x;y # z", "command=[echo 'x;y' '#' z] "
	    "line=[echo x;y # z]" },
	{ "command = a\nshell = yes", "command=[/bin/sh -c a] line=[a] "
	    "shell=1" },
	{ "shell = yes\ncommand = a | b", "command=[/bin/sh -c 'a | b'] "
	    "line=[a | b] shell=1" },
	{ "shell = no\ncommand = a", "command=[a] line=[a] shell=0" },
	{ "shell=on\ncommand=echo \"unbalanced", "command=[/bin/sh -c "
	    "'echo \"unbalanced'] " },
	{ "shell = TRUE\ncommand = a", "shell=1" },
	{ "shell = 1\ncommand = a", "shell=1" },
	{ "shell = off\ncommand = a", "shell=0" },
	{ "shell = false\ncommand = a", "shell=0" },
	{ "shell = 0\ncommand = a", "shell=0" },
	{ "command = a\nenvironment = A=1 B='x y'", "env=[A=1 'B=x y']" },
	{ "command = a\nenvironment = A=1\nenvironment = B=2 A=3",
	    "env=[A=3 B=2]" },
	{ "command = a\nenvironment = URL=http://h/#x;y", "env=['URL=http://h"
	    "/#x;y']" },
	{ "command = a\nworking_directory = /srv/x", "wd=/srv/x " },
	{ "command = a\nuser = backup\ngroup = 100", "user=backup group=100" },
	{ "command = a\nuser = 0\ngroup = Domain.Users-1", "user=0 "
	    "group=Domain.Users-1" },
	{ "command = a\nuser = machine$", "user=machine$ " },
	{ "command = a\ntimeout = 1h 30min", "timeout=5400000000 " },
	{ "command = a\ntimeout = infinity", "timeout=0 " },
	{ "command = a\nstop_timeout = 500ms", "stop_timeout=500000 " },
	{ "command = a\nstop_timeout = 90", "stop_timeout=90000000 " },
	{ "command = a\nstop_signal = KILL", "signal=9 " },
	{ "command = a\nstop_signal = SIGINT", "signal=2 " },
	{ "command = a\nstop_signal = 1", "signal=1 " },
	{ "command = a\noutput = file\noutput_file = /var/log/a.log",
	    "output=file output_file=/var/log/a.log " },
	{ "command = a\noutput = null", "output=null " },
	{ "command = a\noutput = inherit", "output=inherit " },
	{ "command = a\ndescription = Nightly; backup # full",
	    "description=[Nightly; backup # full]" },
	{ "command = a\ndescription =", "description=[]" },
	{ "  command   =   a b  \t", "command=[a b] line=[a b]" },
	{ "command = a\n  b\n\tc", "command=[a b c] line=[a b c]" },
	{ "command = a\n# comment\n\n  b", "command=[a b] line=[a b]" },
	{ "environment = A=1\n  B=2\ncommand = a", "env=[A=1 B=2]" },
	{ "command = a\n; comment\nCOMMAND = b", "" },
};

TEST(job_good)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(job_good); i++) {
		_cleanup_free_ char *text = NULL, *dump = NULL, *err = NULL;
		struct config *cfg;

		CASE("job_good row %zu", i);
		text = xstrfmt("[job a]\n%s\n", job_good[i].lines);
		if (!*job_good[i].want) {
			/* Keys are case-sensitive: this one must fail. */
			err = load_errors(text);
			ASSERT_STREQ(err, "jobs.conf:4: unknown key 'COMMAND' "
			    "in [job a]");
			continue;
		}
		cfg = load_ok(text);
		ASSERT_EQ(cfg->njobs, 1);
		dump = job_dump(TAILQ_FIRST(&cfg->jobs));
		if (!strstr(dump, job_good[i].want))
			test_fail(__FILE__, __LINE__, "'%s' not in '%s'",
			    job_good[i].want, dump);
		config_free(cfg);
	}
}

/* Each line goes at line 3, after "[job a]" and "command = a". */
static const struct {
	const char *line;
	const char *error;
} job_bad[] = {
	{ "timeout = 5 parsecs", "timeout: invalid time span '5 parsecs': "
	    "unknown unit 'parsecs'" },
	{ "timeout =", "timeout: invalid time span '': empty time span" },
	{ "stop_timeout = -1s", "stop_timeout: invalid time span '-1s': "
	    "expected a number at '-1s'" },
	{ "stop_timeout = 99999999999999999999", "stop_timeout: invalid time "
	    "span '99999999999999999999': time span too large" },
	{ "stop_signal = TERMINATE", "stop_signal: invalid signal "
	    "'TERMINATE'" },
	{ "stop_signal = 0", "stop_signal: invalid signal '0'" },
	{ "shell = maybe", "shell: invalid boolean 'maybe': expected yes, "
	    "no, true, false, on, off, 1 or 0" },
	{ "output = syslog", "output: invalid output mode 'syslog': expected "
	    "journal, file, inherit or null" },
	{ "output_file = logs/a.log", "output_file: invalid path "
	    "'logs/a.log': not absolute" },
	{ "working_directory = ~/x", "working_directory: invalid path '~/x': "
	    "not absolute" },
	{ "user = bad user", "user: invalid user name 'bad user'" },
	{ "user = -x", "user: invalid user name '-x'" },
	{ "user = 4294967295", "user: invalid user name '4294967295'" },
	{ "user =", "user: invalid user name ''" },
	{ "group = a:b", "group: invalid group name 'a:b'" },
	{ "group = 123456789012345678901234567890123", "group: invalid group "
	    "name '123456789012345678901234567890123'" },
	{ "environment = A=1 B", "environment: invalid assignment 'B'" },
	{ "environment = 1A=x", "environment: invalid assignment '1A=x'" },
	{ "environment = A='x", "environment: invalid value 'A='x': "
	    "unterminated single quote" },
	{ "command = b", "duplicate key 'command' in [job a], first given at "
	    "line 2" },
	{ "bogus = 1", "unknown key 'bogus' in [job a]" },
	{ "include_dir = /tmp", "unknown key 'include_dir' in [job a]" },
	{ "a:b = 1", "unknown key 'a:b' in [job a]" },
	{ "= 1", "unknown key '' in [job a]" },
	{ "just words", "invalid line 'just words': expected 'key = value' or "
	    "'[section]'" },
	{ "path_trigger_interval = 99ms", "path_trigger_interval: invalid "
	    "interval '99ms': expected 100ms to 1d" },
	{ "path_trigger_interval = 25h", "path_trigger_interval: invalid "
	    "interval '25h': expected 100ms to 1d" },
	{ "path_trigger_interval = 0", "path_trigger_interval: invalid "
	    "interval '0': expected 100ms to 1d" },
};

TEST(job_bad)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(job_bad); i++) {
		_cleanup_free_ char *text = NULL, *want = NULL, *got = NULL;

		CASE("job_bad row %zu", i);
		text = xstrfmt("[job a]\ncommand = a\n%s\n", job_bad[i].line);
		want = xstrfmt("jobs.conf:3: %s", job_bad[i].error);
		got = load_errors(text);
		ASSERT_STREQ(got, want);
	}
}

#define DIGITS10 "0123456789"
#define DIGITS115 DIGITS10 DIGITS10 DIGITS10 DIGITS10 DIGITS10 DIGITS10 \
	DIGITS10 DIGITS10 DIGITS10 DIGITS10 DIGITS10 "01234"

/* Whole files and all their errors. */
static const struct {
	const char *text;
	const char *errors;
} file_bad[] = {
	{ "[job a]\n", "jobs.conf:1: job 'a' has no command" },
	{ "[job a]\ncommand =\n", "jobs.conf:2: command: empty command" },
	{ "[job a]\ncommand = 'x\n", "jobs.conf:2: command: invalid command "
	    "''x': unterminated single quote" },
	{ "[job a]\nshell = no\ncommand = a \\\n", "jobs.conf:3: command: "
	    "invalid command 'a \\': trailing backslash" },
	{ "command = a\n", "jobs.conf:1: key 'command' outside of a section" },
	{ "[jobs]\ncommand = a\n", "jobs.conf:1: unknown section 'jobs'" },
	{ "[job]\ncommand = a\n", "jobs.conf:1: invalid job name '': "
	    "expected 1-64 of A-Z a-z 0-9 _ . @ -, not starting with - or ." },
	{ "[job -a]\ncommand = a\n", "jobs.conf:1: invalid job name '-a': "
	    "expected 1-64 of A-Z a-z 0-9 _ . @ -, not starting with - or ." },
	{ "[job .a]\ncommand = a\n", "jobs.conf:1: invalid job name '.a': "
	    "expected 1-64 of A-Z a-z 0-9 _ . @ -, not starting with - or ." },
	{ "[job a b]\ncommand = a\n", "jobs.conf:1: invalid job name 'a b': "
	    "expected 1-64 of A-Z a-z 0-9 _ . @ -, not starting with - or ." },
	{ "[job a/b]\n", "jobs.conf:1: invalid job name 'a/b': expected 1-64 "
	    "of A-Z a-z 0-9 _ . @ -, not starting with - or .\n"
	    "jobs.conf:1: job 'a/b' has no command" },
	{ "[job a]\ncommand = a\n[job a]\ncommand = b\n", "jobs.conf:3: job "
	    "'a' already defined at jobs.conf:1" },
	{ "[job a\ncommand = a\n", "jobs.conf:1: invalid section header "
	    "'[job a'" },
	{ "[job a] x\ncommand = a\n", "jobs.conf:1: invalid section header "
	    "'[job a] x'" },
	{ "[jobd]\nsocket = run/j.sock\n", "jobs.conf:2: socket: invalid path "
	    "'run/j.sock': not absolute" },
	{ "[jobd]\nsocket = /tmp/" DIGITS115 "\n", "jobs.conf:2: socket: "
	    "invalid path '/tmp/" DIGITS115 "': longer than 107 bytes" },
	{ "[jobd]\nstate_dir = state\n", "jobs.conf:2: state_dir: invalid "
	    "path 'state': not absolute" },
	{ "[jobd]\noutput_tail = 17M\n", "jobs.conf:2: output_tail: invalid "
	    "size '17M': must be between 1K and 16M" },
	{ "[jobd]\noutput_tail = 1023\n", "jobs.conf:2: output_tail: invalid "
	    "size '1023': must be between 1K and 16M" },
	{ "[jobd]\noutput_tail = 99999999999999999999K\n", "jobs.conf:2: "
	    "output_tail: invalid size '99999999999999999999K': expected a "
	    "number of bytes with an optional K or M suffix" },
	{ "[jobd]\noutput_tail = 64 KiB\n", "jobs.conf:2: output_tail: "
	    "invalid size '64 KiB': expected a number of bytes with an "
	    "optional K or M suffix" },
	{ "[jobd]\ndrain_timeout = soon\n", "jobs.conf:2: drain_timeout: "
	    "invalid time span 'soon': expected a number at 'soon'" },
	{ "[jobd]\ninclude_dir = /nonexistent-jobd-dir\n", "jobs.conf:2: "
	    "include_dir: invalid directory '/nonexistent-jobd-dir': No such "
	    "file or directory" },
	{ "[jobd]\ninclude_dir = /dev/null\n", "jobs.conf:2: include_dir: "
	    "invalid directory '/dev/null': Not a directory" },
	{ "[jobd]\nsocket = /a\n\n[jobd]\nsocket = /b\n", "jobs.conf:5: "
	    "duplicate key 'socket' in [jobd], first given at line 2" },
	{ "[jobd]\ncommand = a\n", "jobs.conf:2: unknown key 'command' in "
	    "[jobd]" },
};

TEST(file_bad)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(file_bad); i++) {
		_cleanup_free_ char *got = NULL;

		CASE("file_bad row %zu", i);
		got = load_errors(file_bad[i].text);
		ASSERT_STREQ(got, file_bad[i].errors);
	}
}

TEST(jobd_good)
{
	struct config *cfg;

	cfg = load_ok("[jobd]\nsocket = /run/x.sock\nstate_dir = /var/lib/x\n"
	    "output_tail = 1K\ndrain_timeout = 2s 500ms\n"
	    "include_dir = /tmp\n");
	ASSERT_STREQ(cfg->path, "jobs.conf");
	ASSERT_STREQ(cfg->socket_path, "/run/x.sock");
	ASSERT_STREQ(cfg->state_dir, "/var/lib/x");
	ASSERT_EQ(cfg->tail_size, 1024);
	ASSERT_EQ(cfg->drain_timeout, 2500 * USEC_PER_MSEC);
	ASSERT_STREQ(cfg->include_dir, "/tmp");
	ASSERT_EQ(cfg->njobs, 0);
	ASSERT(TAILQ_EMPTY(&cfg->jobs));
	config_free(cfg);

	cfg = load_ok("# nothing but a comment\n");
	ASSERT_NULL(cfg->socket_path);
	ASSERT_NULL(cfg->state_dir);
	ASSERT_NULL(cfg->include_dir);
	ASSERT_EQ(cfg->tail_size, CONFIG_DEFAULT_TAIL_SIZE);
	ASSERT_EQ(cfg->drain_timeout, 5 * USEC_PER_SEC);
	ASSERT_EQ(cfg->control_idle_timeout, 60 * USEC_PER_SEC);
	config_free(cfg);

	cfg = load_ok("[jobd]\ncontrol_idle_timeout = 5s\n");
	ASSERT_EQ(cfg->control_idle_timeout, 5 * USEC_PER_SEC);
	config_free(cfg);
	cfg = load_ok("[jobd]\ncontrol_idle_timeout = infinity\n");
	ASSERT_EQ(cfg->control_idle_timeout, 0);
	config_free(cfg);
	cfg = load_ok("[jobd]\noutput_tail = 16M\n");
	ASSERT_EQ(cfg->tail_size, CONFIG_MAX_TAIL_SIZE);
	config_free(cfg);
	cfg = load_ok("[jobd]\noutput_tail = 2048\n");
	ASSERT_EQ(cfg->tail_size, 2048);
	config_free(cfg);
	cfg = load_ok("");
	config_free(cfg);
	ASSERT_NULL(config_free(NULL));
	/* [web] is jobd-web's: jobd takes it, whatever it holds, and the
	 * jobs after it are still read. */
	cfg = load_ok("[web]\nlisten = 127.0.0.1:8750\nanything = 1\n"
	    "[job a]\ncommand = /bin/true\n");
	ASSERT_EQ(cfg->njobs, 1);
	config_free(cfg);
}

/* path_trigger_interval=: one path-triggered run per interval. */
TEST(path_trigger_interval)
{
	struct config *cfg;

	cfg = load_ok("[job a]\ncommand = a\non_path_changed = /tmp/x\n"
	    "[job b]\ncommand = b\npath_trigger_interval = 100ms\n");
	ASSERT_EQ(TAILQ_FIRST(&cfg->jobs)->policy.path_interval,
	    USEC_PER_SEC);
	ASSERT_EQ(TAILQ_LAST(&cfg->jobs, job_config_list)->policy.path_interval,
	    100 * USEC_PER_MSEC);
	config_free(cfg);
}

TEST(jobs_sorted)
{
	struct config *cfg;
	struct job_config *j;
	const char *want[] = { "A", "a", "b.1", "b@x", "z" };
	size_t i = 0;

	cfg = load_ok("[job z]\ncommand=z\n[job b@x]\ncommand=x\n"
	    "[job a]\ncommand=a\n[job b.1]\ncommand=b\n[job A]\ncommand=A\n");
	ASSERT_EQ(cfg->njobs, 5);
	TAILQ_FOREACH(j, &cfg->jobs, entry) {
		ASSERT_STREQ(j->name, want[i]);
		ASSERT_STREQ(j->file, "jobs.conf");
		i++;
	}
	ASSERT_EQ(i, 5);
	ASSERT_EQ(config_find_job(cfg, "b@x")->line, 3);
	ASSERT_EQ(config_find_job(cfg, "z")->line, 1);
	ASSERT_NULL(config_find_job(cfg, "c"));
	config_free(cfg);
}

TEST(job_name_limits)
{
	char name[CONFIG_MAX_NAME + 2];
	_cleanup_free_ char *ok = NULL, *bad = NULL, *err = NULL;
	struct config *cfg;

	memset(name, 'n', CONFIG_MAX_NAME);
	name[CONFIG_MAX_NAME] = '\0';
	ok = xstrfmt("[job   %s  ]\ncommand = a\n", name);
	cfg = load_ok(ok);
	ASSERT_STREQ(TAILQ_FIRST(&cfg->jobs)->name, name);
	config_free(cfg);
	strcat(name, "n");
	bad = xstrfmt("[job %s]\ncommand = a\n", name);
	err = load_errors(bad);
	ASSERT(!strncmp(err, "jobs.conf:1: invalid job name 'nnn", 34));
}

/* Errors keep their own line numbers after continuations, comments and
 * rejected long lines. */
TEST(line_numbers)
{
	_cleanup_free_ char *text = NULL, *got = NULL, *longline = NULL;

	longline = xmalloc(5001);
	memset(longline, 'x', 5000);
	longline[0] = '#';
	longline[5000] = '\0';
	text = xstrfmt(
	    "[job a]\n"				/* 1 */
	    "command = echo one\n"		/* 2 */
	    "  two\n"				/* 3 */
	    "\tthree\n"				/* 4 */
	    "timeout = 1x\n"			/* 5 */
	    "%s\n"				/* 6 */
	    "stop_timeout = 2y 1q\n"		/* 7 */
	    "environment = A=1\n"		/* 8 */
	    "   =B\n"				/* 9 */
	    "\n"				/* 10 */
	    "; comment\n"			/* 11 */
	    "output = loud\n",			/* 12 */
	    longline);
	got = load_errors(text);
	ASSERT_STREQ(got,
	    "jobs.conf:5: timeout: invalid time span '1x': unknown unit 'x'\n"
	    "jobs.conf:6: line too long (max 4096 bytes)\n"
	    "jobs.conf:7: stop_timeout: invalid time span '2y 1q': unknown "
	    "unit 'q'\n"
	    "jobs.conf:8: environment: invalid assignment '=B'\n"
	    "jobs.conf:12: output: invalid output mode 'loud': expected "
	    "journal, file, inherit or null");
}

/* Every error of a file comes back from one pass, in line order, also
 * those found only when a section ends. */
TEST(many_errors)
{
	_cleanup_free_ char *got = NULL;

	got = load_errors(
	    "[jobd]\n"				/* 1 */
	    "output_tail = 0\n"			/* 2 */
	    "[job a]\n"				/* 3 */
	    "command = 'open\n"			/* 4 */
	    "timeout = forever\n"		/* 5 */
	    "[job b]\n"				/* 6 */
	    "stop_signal = NOPE\n"		/* 7 */
	    "[job a]\n"				/* 8 */
	    "command = x\n"			/* 9 */
	    "shell = perhaps\n"			/* 10 */
	    "[nope]\n"				/* 11 */
	    "whatever = 1\n");			/* 12 */
	ASSERT_STREQ(got,
	    "jobs.conf:2: output_tail: invalid size '0': must be between 1K "
	    "and 16M\n"
	    "jobs.conf:4: command: invalid command ''open': unterminated "
	    "single quote\n"
	    "jobs.conf:5: timeout: invalid time span 'forever': expected a "
	    "number at 'forever'\n"
	    "jobs.conf:6: job 'b' has no command\n"
	    "jobs.conf:7: stop_signal: invalid signal 'NOPE'\n"
	    "jobs.conf:8: job 'a' already defined at jobs.conf:3\n"
	    "jobs.conf:10: shell: invalid boolean 'perhaps': expected yes, "
	    "no, true, false, on, off, 1 or 0\n"
	    "jobs.conf:11: unknown section 'nope'");
}

/* Values are taken raw: inih's 200-byte lines and " ;" comments do not
 * apply. */
TEST(long_values)
{
	_cleanup_free_ char *arg = NULL, *text = NULL, *got = NULL;
	_cleanup_free_ char *line = NULL;
	struct job_config *j;
	struct config *cfg;

	arg = xmalloc(3001);
	memset(arg, 'a', 3000);
	arg[3000] = '\0';
	memcpy(arg + 1000, " ; # ", 5);
	text = xstrfmt("[job a]\ncommand = %s\ndescription = x ; y # z\n", arg);
	cfg = load_ok(text);
	j = TAILQ_FIRST(&cfg->jobs);
	ASSERT_STREQ(j->command_line, arg);
	ASSERT_EQ(strv_length(j->command), 4);
	ASSERT_EQ(strlen(j->command[0]), 1000);
	ASSERT_STREQ(j->command[1], ";");
	ASSERT_STREQ(j->command[2], "#");
	ASSERT_EQ(strlen(j->command[3]), 3000 - 1005);
	ASSERT_STREQ(j->description, "x ; y # z");
	config_free(cfg);

	/* Exactly CONFIG_MAX_LINE bytes is fine; one more is not. */
	line = xmalloc(CONFIG_MAX_LINE + 2);
	memset(line, 'b', CONFIG_MAX_LINE + 1);
	memcpy(line, "command=", 8);
	line[CONFIG_MAX_LINE] = '\0';
	free(text);
	text = xstrfmt("[job a]\n%s\n", line);
	cfg = load_ok(text);
	ASSERT_EQ(strlen(TAILQ_FIRST(&cfg->jobs)->command_line),
	    CONFIG_MAX_LINE - 8);
	config_free(cfg);
	line[CONFIG_MAX_LINE] = 'b';
	line[CONFIG_MAX_LINE + 1] = '\0';
	free(text);
	text = xstrfmt("[job a]\n%s\ncommand = ok\n", line);
	got = load_errors(text);
	ASSERT_STREQ(got, "jobs.conf:2: line too long (max 4096 bytes)");
	/* The last line may lack its newline, and be too long too. */
	free(got);
	free(text);
	text = xstrfmt("[job a]\ncommand = ok\n%s", line);
	got = load_errors(text);
	ASSERT_STREQ(got, "jobs.conf:3: line too long (max 4096 bytes)");
}

TEST(continuation)
{
	struct config *cfg;
	struct job_config *j;

	cfg = load_ok(
	    "[job a]\n"
	    "command = printf %s\\n\n"
	    "    'x ; y'\n"
	    "environment = A=1\n"
	    "   B=2\n"
	    "environment = C=3\n"
	    "description = one\n"
	    "\t two ; three\n"
	    "[job b]\n"
	    "  command = b\n"
	    "  timeout = 5\n");
	j = config_find_job(cfg, "a");
	ASSERT_STREQ(j->command_line, "printf %s\\n 'x ; y'");
	ASSERT_EQ(strv_length(j->command), 3);
	ASSERT_STREQ(j->command[2], "x ; y");
	ASSERT_EQ(strv_length(j->environment), 3);
	ASSERT_STREQ(j->environment[1], "B=2");
	ASSERT_STREQ(j->description, "one two ; three");
	/* An indented key right after a section header is a key; after
	 * another key it continues that key's value, as in inih. */
	j = config_find_job(cfg, "b");
	ASSERT_STREQ(j->command_line, "b timeout = 5");
	ASSERT_EQ(j->timeout, 0);
	config_free(cfg);
}

TEST(crlf_and_bom)
{
	struct config *cfg;

	cfg = load_ok("\xEF\xBB\xBF[job a]\r\ncommand = a b\r\n");
	ASSERT_STREQ(TAILQ_FIRST(&cfg->jobs)->command[1], "b");
	config_free(cfg);
}

TEST(too_many_jobs)
{
	size_t i, n = CONFIG_MAX_JOBS + 2, off = 0, cap = n * 32;
	_cleanup_free_ char *text = xmalloc(cap), *got = NULL;

	for (i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, cap - off,
		    "[job j%zu]\ncommand=x\n", i);
	got = load_errors(text);
	ASSERT_STREQ(got, "jobs.conf:20001: too many jobs (max 10000)");
}

/* argv and environment bounds, reached through continuation lines and
 * repeated keys since one line holds at most 4096 bytes. */
TEST(limits)
{
	_cleanup_free_ char *text = xstrdup("[job a]\ncommand = x\n");
	_cleanup_free_ char *got = NULL;
	char *t;
	size_t i;

	for (i = 0; i < CONFIG_MAX_ARGS; i++) {
		t = xstrfmt("%s%s", text, i % 1000 == 999 ? " a\n" : " a");
		free(text);
		text = t;
	}
	t = xstrfmt("%s\n", text);
	free(text);
	text = t;
	for (i = 0; i <= CONFIG_MAX_ENV; i++) {
		t = xstrfmt("%senvironment = V%zu=1\n", text, i);
		free(text);
		text = t;
	}
	got = load_errors(text);
	ASSERT_STREQ(got, "jobs.conf:2: command: too many arguments (max "
	    "4096)\njobs.conf:1032: environment: too many entries (max "
	    "1024)");
}

static char *
job_text(const char *extra)
{
	return xstrfmt("[job a]\ncommand = run x\nenvironment = A=1\n"
	    "timeout = 5s\n%s\n", extra);
}

TEST(equal)
{
	static const char *const differ[] = {
		"shell = yes",
		"environment = B=2",
		"working_directory = /",
		"user = nobody",
		"group = nogroup",
		"stop_timeout = 11s",
		"stop_signal = INT",
		"output = null",
		"output_file = /x",
		"description = d",
		"alert_on = failed",
		"alert_repeat = yes",
		"expect_success_within = 1h",
	};
	_cleanup_free_ char *t1 = job_text(""), *t2 = NULL;
	struct config *a, *b;
	size_t i;

	a = load_ok(t1);
	/* The same job elsewhere in another file is still the same job. */
	t2 = xstrfmt("# moved\n\n%s", t1);
	b = load_ok(t2);
	ASSERT(job_config_equal(TAILQ_FIRST(&a->jobs), TAILQ_FIRST(&b->jobs)));
	ASSERT(TAILQ_FIRST(&a->jobs)->line != TAILQ_FIRST(&b->jobs)->line);
	config_free(b);
	for (i = 0; i < ELEMENTSOF(differ); i++) {
		_cleanup_free_ char *t = job_text(differ[i]);

		CASE("differ row %zu", i);
		b = load_ok(t);
		ASSERT(!job_config_equal(TAILQ_FIRST(&a->jobs),
		    TAILQ_FIRST(&b->jobs)));
		config_free(b);
	}
	b = load_ok("[job a]\ncommand = run  'x'\nenvironment = A=1\n"
	    "timeout = 5000ms\n");
	/* Same argv, but command= as written differs. */
	ASSERT(!job_config_equal(TAILQ_FIRST(&a->jobs), TAILQ_FIRST(&b->jobs)));
	config_free(b);
	b = load_ok("[job b]\ncommand = run x\nenvironment = A=1\n"
	    "timeout = 5s\n");
	ASSERT(!job_config_equal(TAILQ_FIRST(&a->jobs), TAILQ_FIRST(&b->jobs)));
	config_free(b);
	config_free(a);
}

#define BIT(k) (1u << (k))

/* alert_on=, alert_repeat= and expect_success_within=: values and
 * defaults. */
TEST(alert_keys_good)
{
	static const struct {
		const char *lines;
		unsigned alert_on;
		bool repeat;
		usec_t within;
	} rows[] = {
		{ "", CONFIG_ALERT_ON_DEFAULT, false, 0 },
		{ "alert_on = failed", BIT(ALERT_FAILED), false, 0 },
		{ "alert_on = failed, recovered overdue,missed",
		    BIT(ALERT_FAILED) | BIT(ALERT_RECOVERED) |
		    BIT(ALERT_OVERDUE) | BIT(ALERT_MISSED), false, 0 },
		{ "alert_on = always", BIT(ALERT_FINISHED), false, 0 },
		{ "alert_on = missed always missed", BIT(ALERT_MISSED) |
		    BIT(ALERT_FINISHED), false, 0 },
		{ "alert_on =", 0, false, 0 },
		{ "alert_repeat = yes", CONFIG_ALERT_ON_DEFAULT, true, 0 },
		{ "alert_repeat = off", CONFIG_ALERT_ON_DEFAULT, false, 0 },
		{ "expect_success_within = 1d", CONFIG_ALERT_ON_DEFAULT, false,
		    USEC_PER_DAY },
		{ "expect_success_within = 1s", CONFIG_ALERT_ON_DEFAULT, false,
		    USEC_PER_SEC },
		{ "expect_success_within = 1h 30min", CONFIG_ALERT_ON_DEFAULT,
		    false, 90 * USEC_PER_MINUTE },
		{ "expect_success_within = infinity", CONFIG_ALERT_ON_DEFAULT,
		    false, 0 },
	};
	size_t i;

	/* The default is the four kinds, without always. */
	ASSERT_EQ(CONFIG_ALERT_ON_DEFAULT, BIT(ALERT_FAILED) |
	    BIT(ALERT_RECOVERED) | BIT(ALERT_OVERDUE) | BIT(ALERT_MISSED));
	for (i = 0; i < ELEMENTSOF(rows); i++) {
		_cleanup_free_ char *text = NULL;
		const struct job_policy *p;
		struct config *cfg;

		CASE("alert_keys_good row %zu", i);
		text = xstrfmt("[job a]\ncommand = a\n%s\n", rows[i].lines);
		cfg = load_ok(text);
		p = &TAILQ_FIRST(&cfg->jobs)->policy;
		ASSERT_EQ(p->alert_on, rows[i].alert_on);
		ASSERT_EQ(p->alert_repeat, rows[i].repeat);
		ASSERT_EQ(p->expect_success_within, rows[i].within);
		ASSERT_NULL(p->alerts);
		config_free(cfg);
	}
}

/* Each bad value of the alert keys, with its message; alert= names must
 * have an [alert NAME] section, and expect_success_within= is a job's
 * key only. */
TEST(alert_keys_bad)
{
	static const struct {
		const char *text;
		const char *errors;
	} rows[] = {
		{ "[job a]\ncommand = a\nalert_on = failed sometimes\n",
		    "jobs.conf:3: alert_on: invalid event 'sometimes': "
		    "expected failed, recovered, overdue, missed or always" },
		{ "[job a]\ncommand = a\nalert_on = finished\n",
		    "jobs.conf:3: alert_on: invalid event 'finished': expected "
		    "failed, recovered, overdue, missed or always" },
		{ "[job a]\ncommand = a\nalert_repeat = often\n",
		    "jobs.conf:3: alert_repeat: invalid boolean 'often': "
		    "expected yes, no, true, false, on, off, 1 or 0" },
		{ "[job a]\ncommand = a\nexpect_success_within = 999ms\n",
		    "jobs.conf:3: expect_success_within: invalid time span "
		    "'999ms': at least 1s" },
		{ "[job a]\ncommand = a\nexpect_success_within = 0\n",
		    "jobs.conf:3: expect_success_within: invalid time span "
		    "'0': at least 1s" },
		{ "[job a]\ncommand = a\nexpect_success_within = soon\n",
		    "jobs.conf:3: expect_success_within: invalid time span "
		    "'soon': expected a number at 'soon'" },
		{ "[service s]\ncommand = a\nexpect_success_within = 1h\n",
		    "jobs.conf:3: unknown key 'expect_success_within' in "
		    "[service s]" },
		{ "[job a]\ncommand = a\nalert = bad/name\n",
		    "jobs.conf:3: alert: invalid name 'bad/name'" },
		{ "[job a]\ncommand = a\nalert =\n",
		    "jobs.conf:3: alert: empty value" },
		/* Repeatable, each name checked at the unit's section. */
		{ "[job a]\ncommand = a\nalert = ops team\nalert = ops pager\n",
		    "jobs.conf:1: job 'a': alert: no [alert ops] section\n"
		    "jobs.conf:1: job 'a': alert: no [alert team] section\n"
		    "jobs.conf:1: job 'a': alert: no [alert pager] section" },
		{ "[service s]\ncommand = a\nalert = ops\n",
		    "jobs.conf:1: service 's': alert: no [alert ops] section" },
		{ "[job a]\ncommand = a\nalert_on = failed\n"
		    "alert_on = missed\n", "jobs.conf:4: duplicate key "
		    "'alert_on' in [job a], first given at line 3" },
	};
	size_t i;

	for (i = 0; i < ELEMENTSOF(rows); i++) {
		_cleanup_free_ char *got = NULL;

		CASE("alert_keys_bad row %zu", i);
		got = load_errors(rows[i].text);
		ASSERT_STREQ(got, rows[i].errors);
	}
}

/* A vector of the words of s. */
static char **
words(const char *s)
{
	char **v = NULL;

	ASSERT_OK(strv_split_quoted(s, &v, NULL));
	return v;
}

struct check_errors {
	char **msgs;
};

static void
check_error_cb(void *ctx, const struct job_config *u, const char *msg)
{
	struct check_errors *e = ctx;

	e->msgs = strv_push(e->msgs, xstrfmt("%s: %s", u->name, msg));
}

/* alert= names checked against [alert NAME] sections: with no parser of
 * those sections on this branch, a config built by hand. */
TEST(alert_names_checked_against_sections)
{
	struct config_alert alerts[] = {
		{ .name = (char *)"ops" }, { .name = (char *)"pager" },
	};
	struct config c = { .alerts = alerts, .nalerts = 2 };
	struct job_config *a = job_config_new("a", "x.conf", 1, false);
	struct job_config *s = job_config_new("s", "x.conf", 5, true);
	struct job_config *units[] = { a, s };
	struct check_errors e = { 0 };
	_cleanup_free_ char *got = NULL;

	a->policy.alerts = words("ops pager");
	s->policy.alerts = words("pager");
	config_check_policy(&c, units, 2, check_error_cb, &e);
	ASSERT_NULL(e.msgs);
	strv_free(s->policy.alerts);
	s->policy.alerts = words("pager mail ops sms");
	config_check_policy(&c, units, 2, check_error_cb, &e);
	got = test_join_lines(e.msgs);
	ASSERT_STREQ(got, "s: alert: no [alert mail] section\n"
	    "s: alert: no [alert sms] section");
	/* No section at all: every name is unknown. */
	c.nalerts = 0;
	strv_free(e.msgs);
	e.msgs = NULL;
	config_check_policy(&c, units, 1, check_error_cb, &e);
	ASSERT_EQ(strv_length(e.msgs), 2);
	strv_free(e.msgs);
	job_config_free(a);
	job_config_free(s);
}

/* A reload sees a change of the alert keys (alert= by hand: no section
 * can be parsed here). */
TEST(alert_keys_count_for_equal)
{
	struct job_config *a = job_config_new("a", "x.conf", 1, false);
	struct job_config *b = job_config_new("a", "y.conf", 9, false);

	ASSERT(job_config_equal(a, b));
	b->policy.alerts = words("ops");
	ASSERT(!job_config_equal(a, b));
	a->policy.alerts = words("ops");
	ASSERT(job_config_equal(a, b));
	job_config_free(a);
	job_config_free(b);
}

static const struct test tests[] = {
	TEST_ENTRY(job_good),
	TEST_ENTRY(job_bad),
	TEST_ENTRY(file_bad),
	TEST_ENTRY(jobd_good),
	TEST_ENTRY(path_trigger_interval),
	TEST_ENTRY(jobs_sorted),
	TEST_ENTRY(job_name_limits),
	TEST_ENTRY(line_numbers),
	TEST_ENTRY(many_errors),
	TEST_ENTRY(long_values),
	TEST_ENTRY(continuation),
	TEST_ENTRY(crlf_and_bom),
	TEST_ENTRY(too_many_jobs),
	TEST_ENTRY(limits),
	TEST_ENTRY(equal),
	TEST_ENTRY(alert_keys_good),
	TEST_ENTRY(alert_keys_bad),
	TEST_ENTRY(alert_names_checked_against_sections),
	TEST_ENTRY(alert_keys_count_for_equal),
};

TEST_MAIN(tests)
