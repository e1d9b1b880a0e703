/* Signal names both ways, for stop_signal= and for showing how a run died.
 * Accepts "TERM", "SIGTERM", "sigterm", "15" and the real-time forms
 * "RTMIN", "RTMIN+3", "RTMAX-1". */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "macro.h"
#include "signame.h"

static const char *const signal_names[] = {
	[SIGHUP] = "SIGHUP",
	[SIGINT] = "SIGINT",
	[SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP",
	[SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",
	[SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1",
	[SIGSEGV] = "SIGSEGV",
	[SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE",
	[SIGALRM] = "SIGALRM",
	[SIGTERM] = "SIGTERM",
#ifdef SIGSTKFLT
	[SIGSTKFLT] = "SIGSTKFLT",
#endif
	[SIGCHLD] = "SIGCHLD",
	[SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP",
	[SIGTSTP] = "SIGTSTP",
	[SIGTTIN] = "SIGTTIN",
	[SIGTTOU] = "SIGTTOU",
	[SIGURG] = "SIGURG",
	[SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ",
	[SIGVTALRM] = "SIGVTALRM",
	[SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH",
	[SIGIO] = "SIGIO",
	[SIGPWR] = "SIGPWR",
	[SIGSYS] = "SIGSYS",
};

/* Parses a decimal number in [min, max]; -EINVAL otherwise. */
static int
signal_number(const char *s, int min, int max)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	return (int)v;
}

/* "RTMIN", "RTMIN+N", "RTMAX", "RTMAX-N" (without SIG). */
static int
signal_from_rt(const char *s)
{
	int n;

	if (!strncasecmp(s, "RTMIN", 5)) {
		if (!s[5])
			return SIGRTMIN;
		if (s[5] != '+')
			return -EINVAL;
		n = signal_number(s + 6, 0, SIGRTMAX - SIGRTMIN);
		return n < 0 ? n : SIGRTMIN + n;
	}
	if (!strncasecmp(s, "RTMAX", 5)) {
		if (!s[5])
			return SIGRTMAX;
		if (s[5] != '-')
			return -EINVAL;
		n = signal_number(s + 6, 0, SIGRTMAX - SIGRTMIN);
		return n < 0 ? n : SIGRTMAX - n;
	}
	return -EINVAL;
}

int
signal_from_string(const char *s)
{
	const char *name = s;
	size_t i;

	if (*s >= '0' && *s <= '9')
		return signal_number(s, 1, _NSIG - 1);
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	for (i = 1; i < ELEMENTSOF(signal_names); i++)
		if (signal_names[i] && !strcasecmp(name, signal_names[i] + 3))
			return (int)i;
	return signal_from_rt(name);
}

const char *
signal_to_string(int sig)
{
	static __thread char buf[16];

	if (sig > 0 && (size_t)sig < ELEMENTSOF(signal_names) &&
	    signal_names[sig])
		return signal_names[sig];
	snprintf(buf, sizeof(buf), "%d", sig);
	return buf;
}
