/* Unit tests for jobctl import's shared parts: a crontab command split as
 * cron splits it ('%' and "\%"), the names made from commands, unique
 * names, and the writer's continuation of long values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import-cron.h"
#include "import.h"
#include "runner.h"
#include "xmalloc.h"

static void
split(const char *field, const char *cmd, const char *input)
{
	char *c, *i;

	cron_command_split(field, &c, &i);
	ASSERT_STREQ(c, cmd);
	if (input)
		ASSERT_STREQ(i, input);
	else
		ASSERT_NULL(i);
	free(c);
	free(i);
}

/* Vixie cron's do_command.c: up to the first '%' the command ("\%" is
 * '%', other backslashes stay), then input with '%' a newline and a
 * newline at the end. */
TEST(percent)
{
	split("date", "date", NULL);
	split("date +\\%d", "date +%d", NULL);
	split("mail -s hi root%line 1%line 2", "mail -s hi root",
	    "line 1\nline 2\n");
	split("cat%a \\% b%", "cat", "a % b\n");
	split("cat%", "cat", "\n");
	split("cat%x\\y", "cat", "x\\y\n");
	split("echo a\\b", "echo a\\b", NULL);
}

TEST(input_text)
{
	char *t = cron_input_text("a\nb\tc\\d\n");

	ASSERT_STREQ(t, "a\\nb\\tc\\\\d\\n");
	free(t);
}

static void
name(const char *cmd, const char *want)
{
	char *n = cron_command_name(cmd);

	ASSERT_STREQ(n, want);
	free(n);
}

TEST(names_from_commands)
{
	name("cd / && run-parts --report /etc/cron.hourly", "cron.hourly");
	name("test -x /usr/sbin/anacron || { cd / && run-parts --report "
	    "/etc/cron.daily; }", "cron.daily");
	name("[ -x /etc/init.d/anacron ] && if [ ! -d /run/systemd/system ]; "
	    "then /usr/sbin/invoke-rc.d anacron start >/dev/null; fi",
	    "anacron");
	name("test -e /run/systemd/system || SERVICE_MODE=1 /sbin/e2scrub_all "
	    "-A -r", "e2scrub_all");
	name("if [ -x /usr/sbin/logcheck ]; then nice -n10 /usr/sbin/logcheck; "
	    "fi", "logcheck");
	name("command -v debian-sa1 > /dev/null && debian-sa1 1 1",
	    "debian-sa1");
	name("/usr/local/bin/backup.sh --full 2>&1", "backup.sh");
	name("/opt/report >/tmp/x 2>&1 &", "report");
	name("/opt/report &>/tmp/x", "report");
	name("> /dev/null", "cron");
	name("", "cron");
}

TEST(unique_names)
{
	struct import_names *n = import_names_new();
	char *a = import_name(n, "backup"), *b = import_name(n, "backup");
	char *c = import_name(n, "backup"), *d = import_name(n, "-x y/z.");
	char *e = import_name(n, "///"), *f;
	char long_name[100];

	ASSERT_STREQ(a, "backup");
	ASSERT_STREQ(b, "backup-2");
	ASSERT_STREQ(c, "backup-3");
	ASSERT_STREQ(d, "x-y-z");
	ASSERT_STREQ(e, "job");
	ASSERT(import_name_valid(d) && !import_name_valid("-x") &&
	    !import_name_valid("a b") && !import_name_valid(""));
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	free(a);
	a = import_name(n, long_name);
	f = import_name(n, long_name);
	ASSERT_EQ(strlen(a), 64);
	ASSERT(import_name_valid(f) && strcmp(a, f) != 0);
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
	free(f);
	import_names_free(n);
}

/* A value past jobd's line length goes on over indented lines, cut at
 * single spaces (jobd joins the parts with one space). */
TEST(long_values)
{
	struct import_out *o = import_out_new();
	char *value = xmalloc(9001), *buf = NULL, *line, *save = NULL;
	size_t len = 0, i, total = 0, lines = 0;
	FILE *f;

	for (i = 0; i < 9000; i++)
		value[i] = i % 5 == 4 ? ' ' : 'w';
	value[8999] = 'w';
	value[9000] = '\0';
	import_section(o, "job x");
	import_key(o, "command", "%s", value);
	f = open_memstream(&buf, &len);
	ASSERT_NOT_NULL(f);
	ASSERT_OK(import_out_print(o, f));
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		ASSERT(strlen(line) < 4096);
		if (!strncmp(line, "command=", 8))
			total += strlen(line + 8);
		else if (!strncmp(line, "    ", 4))
			total += 1 + strlen(line + 4);
		lines++;
	}
	ASSERT_EQ(total, strlen(value));
	ASSERT(lines >= 4);
	free(buf);
	free(value);
	import_out_free(o);
}

static const struct test tests[] = {
	TEST_ENTRY(percent),
	TEST_ENTRY(input_text),
	TEST_ENTRY(names_from_commands),
	TEST_ENTRY(unique_names),
	TEST_ENTRY(long_values),
};

TEST_MAIN(tests)
