/* The oracle for cron lines: Debian cron's own parser (entry.c, env.c and
 * misc.c of cron 3.0pl1-162, fetched and built by tests/oracle/cron-build)
 * reads a crontab as cron's load_user() does, and each entry is matched
 * minute by minute with cron.c's find_jobs() test (copied below), so the
 * times printed are the minutes at which cron itself would run it.
 *
 *	cron-oracle [--system] FROM TO < CRONTAB
 *
 * (stdin a file: load_env() seeks back over a line that is no assignment)
 *
 * prints "N EPOCH" for entry N (0-based, in file order, @reboot entries
 * counted and never matched) and every minute in [FROM, TO) (epoch
 * seconds, read as wall-clock time in UTC: run it with TZ=UTC, as cron
 * compares wall-clock fields).  Users in the user field are not looked
 * up: any name is taken (the oracle is about times). */
#define MAIN_PROGRAM	/* cron.h defines cron's globals here */
#include "cron.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct passwd fake = {
	.pw_name = "user", .pw_passwd = "x", .pw_uid = 0, .pw_gid = 0,
	.pw_gecos = "", .pw_dir = "/", .pw_shell = "/bin/sh",
};

/* Any user field is taken: the harness is about times. */
struct passwd *
getpwnam(const char *name)
{
	(void)name;
	return &fake;
}

static void
parse_error(char *msg)
{
	fprintf(stderr, "cron-oracle: line %d: %s\n", LineNumber, msg);
	exit(2);
}

/* cron.c find_jobs(): the one test cron makes each minute. */
static int
matches(entry *e, const struct tm *tm)
{
	int minute = tm->tm_min - FIRST_MINUTE;
	int hour = tm->tm_hour - FIRST_HOUR;
	int dom = tm->tm_mday - FIRST_DOM;
	int month = tm->tm_mon + 1 - FIRST_MONTH;
	int dow = tm->tm_wday - FIRST_DOW;

	return bit_test(e->minute, minute) && bit_test(e->hour, hour) &&
	    bit_test(e->month, month) &&
	    (((e->flags & DOM_STAR) || (e->flags & DOW_STAR))
	    ? (bit_test(e->dow, dow) && bit_test(e->dom, dom))
	    : (bit_test(e->dow, dow) || bit_test(e->dom, dom)));
}

int
main(int argc, char **argv)
{
	int system_tab = argc > 1 && !strcmp(argv[1], "--system");
	char envstr[MAX_ENVSTR], **envp = env_init();
	time_t from, to, t;
	int status, n = 0;
	struct tm tm;
	entry *e;

	if (argc != 3 + system_tab) {
		fprintf(stderr, "usage: cron-oracle [--system] FROM TO\n");
		return 2;
	}
	if (fseek(stdin, 0, SEEK_CUR) < 0) {
		fprintf(stderr, "cron-oracle: stdin must be a file: cron's "
		    "load_env() seeks back over lines\n");
		return 2;
	}
	from = strtoll(argv[1 + system_tab], NULL, 10) / 60 * 60;
	to = strtoll(argv[2 + system_tab], NULL, 10);
	Set_LineNum(1)
	/* user.c load_user(): an assignment, else an entry. */
	while ((status = load_env(envstr, stdin)) != ERR) {
		if (status == TRUE) {
			envp = env_set(envp, envstr);
			continue;
		}
		e = load_entry(stdin, parse_error, system_tab ? NULL : &fake,
		    envp);
		if (!e)
			break;
		for (t = from; !(e->flags & WHEN_REBOOT) && t < to; t += 60)
			if (matches(e, gmtime_r(&t, &tm)))
				printf("%d %lld\n", n, (long long)t);
		n++;
	}
	return 0;
}
