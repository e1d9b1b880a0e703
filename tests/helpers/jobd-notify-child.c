/* jobd-notify-child: a service for the integration tests that speaks
 * sd_notify through libsystemd, as a real daemon would.  One mode per
 * invocation (see usage); the options before it write a pid file, count
 * SIGHUPs into a file and name the STATUS= text. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

static const char usage[] =
"usage: jobd-notify-child [OPTIONS] MODE [ARGS]\n"
"Options:\n"
"  --pidfile PATH   write own pid to PATH first\n"
"  --status TEXT    the STATUS= text sent with READY=1 (default 'up')\n"
"  --hup-file PATH  append 'hup' to PATH on each SIGHUP (then\n"
"                   RELOADING=1 and READY=1 are sent)\n"
"Modes (all but crash then wait for a signal):\n"
"  ready MS         after MS milliseconds: STATUS= and READY=1\n"
"  never            never ready (only STATUS=starting)\n"
"  watchdog N       ready, then WATCHDOG=1 every WATCHDOG_USEC/4, N\n"
"                   times, then no more pings\n"
"  ready-fd FD [MS] after MS milliseconds (default 0) write a newline\n"
"                   to FD and close it\n"
"  crash CODE [MS]  after MS milliseconds (default 0) exit with CODE\n";

static volatile sig_atomic_t hups;

static void
hup_handler(int sig)
{
	(void)sig;
	hups++;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long
number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "jobd-notify-child: invalid number '%s'\n", s);
		exit(2);
	}
	return v;
}

static void
notify(const char *msg)
{
	int r = sd_notify(0, msg);

	if (r <= 0)
		fprintf(stderr, "jobd-notify-child: sd_notify '%s': %s\n",
		    msg, r == 0 ? "no NOTIFY_SOCKET" : strerror(-r));
}

/* Waits for signals; a SIGHUP is written down and acknowledged. */
static void __attribute__((noreturn))
idle(const char *hup_file)
{
	sig_atomic_t seen = 0;
	sigset_t block, old;
	FILE *f;

	/* SIGHUP is only taken inside sigsuspend: none can slip in between
	 * the check and the wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigdelset(&old, SIGHUP);
	for (;;) {
		while (seen != hups) {
			seen++;
			if (!hup_file)
				continue;
			if ((f = fopen(hup_file, "a")) != NULL) {
				fputs("hup\n", f);
				fclose(f);
			}
			notify("RELOADING=1");
			notify("READY=1\nSTATUS=reloaded");
		}
		sigsuspend(&old);
	}
}

static void
watchdog_pings(long n)
{
	const char *e = getenv("WATCHDOG_USEC");
	long usec = e ? number(e) : 400000;
	long i;

	for (i = 0; i < n; i++) {
		sleep_ms(usec / 4000);
		notify("WATCHDOG=1");
	}
}

int
main(int argc, char **argv)
{
	const char *pidfile = NULL, *status = "up", *hup_file = NULL;
	char buf[512];
	FILE *f;
	int i = 1;

	for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (!strcmp(argv[i], "--pidfile"))
			pidfile = argv[i + 1];
		else if (!strcmp(argv[i], "--status"))
			status = argv[i + 1];
		else if (!strcmp(argv[i], "--hup-file"))
			hup_file = argv[i + 1];
		else
			break;
	}
	if (i >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	signal(SIGHUP, hup_handler);
	if (pidfile && (f = fopen(pidfile, "w")) != NULL) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	snprintf(buf, sizeof(buf), "READY=1\nSTATUS=%s", status);
	if (!strcmp(argv[i], "ready") && i + 1 < argc) {
		sleep_ms(number(argv[i + 1]));
		notify(buf);
	} else if (!strcmp(argv[i], "never")) {
		notify("STATUS=starting");
	} else if (!strcmp(argv[i], "watchdog") && i + 1 < argc) {
		notify(buf);
		watchdog_pings(number(argv[i + 1]));
	} else if (!strcmp(argv[i], "ready-fd") && i + 1 < argc) {
		sleep_ms(i + 2 < argc ? number(argv[i + 2]) : 0);
		if (write((int)number(argv[i + 1]), "\n", 1) != 1) {
			perror("jobd-notify-child: ready fd");
			return 2;
		}
		close((int)number(argv[i + 1]));
	} else if (!strcmp(argv[i], "crash") && i + 1 < argc) {
		sleep_ms(i + 2 < argc ? number(argv[i + 2]) : 0);
		return (int)number(argv[i + 1]);
	} else {
		fputs(usage, stderr);
		return 2;
	}
	idle(hup_file);
}
