/* jobd-test-child: the one program every test job runs.  It executes the
 * commands on its command line in order (see usage below), so a test states
 * exactly what a job does: output shapes, exit statuses, signals, process
 * groups, file handshakes.  Plain C and stdio-free writes, so output order
 * and timing are exactly what the commands say. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>

static const char usage[] =
"usage: jobd-test-child COMMAND... (executed in order, then exit 0)\n"
"  exit N              exit with status N\n"
"  sleep SEC           sleep (fractional seconds)\n"
"  print N [TEXT]      N lines 'TEXT i' (i = 1..N) to stdout\n"
"  eprint N [TEXT]     the same to stderr\n"
"  nonl TEXT           TEXT to stdout without a newline\n"
"  longline N          one line of N 'x' then a newline\n"
"  binary              bytes 0x00..0xff except '\\n', invalid UTF-8, '\\n'\n"
"  flood BYTES         BYTES of lines of 'y', as fast as possible\n"
"  ignore-term         ignore SIGTERM\n"
"  grandchild SEC      fork a child that calls setsid() and sleeps SEC\n"
"                      holding stdout/stderr; its pid goes to the file\n"
"                      named by $TEST_GRANDCHILD_PIDFILE if set\n"
"  subchild SEC        the same without setsid() (stays in the process\n"
"                      group); pid file from $TEST_SUBCHILD_PIDFILE\n"
"  close-stdout        close fds 1 and 2\n"
"  pidfile PATH        write own pid to PATH\n"
"  touch PATH          create PATH\n"
"  wait-file PATH [TIMEOUT]  poll until PATH exists (default 30 s;\n"
"                      exit 3 on timeout)\n"
"  env VAR             print 'VAR=value' or 'VAR unset'\n"
"  kill-self SIG       send SIG (name or number) to itself\n"
"  pwd                 print the working directory\n"
"  id                  print 'uid gid'\n"
"  wipe-env            overwrite the environment block with NULs, as\n"
"                      daemons that rewrite their title do (redis,\n"
"                      nginx): /proc/PID/environ shows nothing after\n"
"TEXT is taken only when it is not a command name, TIMEOUT only when\n"
"it is a number.\n";

static const char *const commands[] = {
	"exit", "sleep", "print", "eprint", "nonl", "longline", "binary",
	"flood", "ignore-term", "grandchild", "subchild", "close-stdout",
	"pidfile", "touch", "wait-file", "env", "kill-self", "pwd", "id",
	"wipe-env",
};

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ABRT", SIGABRT }, { "KILL", SIGKILL }, { "SEGV", SIGSEGV },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "STOP", SIGSTOP },
};

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	char	 buf[512];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		dprintf(2, "jobd-test-child: %s\n", buf);
	exit(2);
}

static bool
is_command(const char *s)
{
	size_t	 i;

	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(s, commands[i]) == 0)
			return true;
	}
	return false;
}

static bool
is_number(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789.") == strlen(s);
}

/* Writes everything; errors (a closed fd, a reader gone) are ignored so
 * that output commands after close-stdout are harmless. */
static void
write_all(int fd, const void *data, size_t n)
{
	const char	*p = data;
	ssize_t		 w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static long long
parse_int(const char *s, const char *what)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		die("%s: not an integer: '%s'", what, s);
	return v;
}

static double
parse_seconds(const char *s, const char *what)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < 0)
		die("%s: not a number of seconds: '%s'", what, s);
	return v;
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sleep_seconds(double sec)
{
	struct timespec	 ts;

	ts.tv_sec = (time_t)sec;
	ts.tv_nsec = (long)((sec - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Writes the file whole under a temporary name first, so a test polling
 * for it never reads a partial pid. */
static void
write_file_atomic(const char *path, const char *text)
{
	char	 tmp[PATH_MAX];
	int	 fd;

	if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >=
	    (int)sizeof tmp)
		die("path too long: '%s'", path);
	fd = open(tmp, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644);
	if (fd < 0)
		die("open '%s': %s", tmp, strerror(errno));
	write_all(fd, text, strlen(text));
	close(fd);
	if (rename(tmp, path) < 0)
		die("rename '%s': %s", path, strerror(errno));
}

static void
write_pid(const char *path, pid_t pid)
{
	char	 buf[32];

	snprintf(buf, sizeof buf, "%ld\n", (long)pid);
	write_file_atomic(path, buf);
}

static void
cmd_print(int fd, long long n, const char *text)
{
	char		 buf[8192];
	long long	 i;
	int		 len;

	for (i = 1; i <= n; i++) {
		len = snprintf(buf, sizeof buf, "%s %lld\n", text, i);
		if (len >= (int)sizeof buf)
			len = sizeof buf - 1;
		write_all(fd, buf, (size_t)len);
	}
}

static void
cmd_longline(long long n)
{
	char	*buf;

	if (n < 0)
		die("longline: negative length");
	buf = malloc((size_t)n + 1);
	if (buf == NULL)
		die("out of memory");
	memset(buf, 'x', (size_t)n);
	buf[n] = '\n';
	write_all(1, buf, (size_t)n + 1);
	free(buf);
}

static void
cmd_binary(void)
{
	static const char	 tail[] = "\xff\xfe invalid utf8 \xc3\x28\n";
	char			 buf[256 + sizeof tail];
	size_t			 n = 0;
	int			 c;

	for (c = 0; c < 256; c++) {
		if (c != '\n')
			buf[n++] = (char)c;
	}
	memcpy(buf + n, tail, sizeof tail - 1);
	n += sizeof tail - 1;
	write_all(1, buf, n);
}

static void
cmd_flood(long long bytes)
{
	char		 buf[65536];
	size_t		 i, n;

	/* Lines of 63 'y' and a newline. */
	for (i = 0; i < sizeof buf; i++)
		buf[i] = (i % 64 == 63) ? '\n' : 'y';
	while (bytes > 0) {
		n = bytes < (long long)sizeof buf ? (size_t)bytes : sizeof buf;
		write_all(1, buf, n);
		bytes -= (long long)n;
	}
}

/* Forks a child that holds stdout/stderr open for sec seconds; with
 * new_session it leaves the process group (the drain-deadline case).  The
 * parent goes on only once the child is set up (it closes the sync pipe),
 * and writes the pid file itself, so both hold before the next command. */
static void
cmd_fork(double sec, bool new_session, const char *pidfile_env)
{
	const char	*pidfile = getenv(pidfile_env);
	char		 c;
	int		 sync[2];
	pid_t		 pid;

	if (pipe2(sync, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(sync[0]);
		if (new_session && setsid() < 0)
			die("setsid: %s", strerror(errno));
		close(sync[1]);
		sleep_seconds(sec);
		_exit(0);
	}
	close(sync[1]);
	while (read(sync[0], &c, 1) < 0 && errno == EINTR)
		;
	close(sync[0]);
	if (pidfile != NULL && *pidfile != '\0')
		write_pid(pidfile, pid);
}

static void
cmd_wait_file(const char *path, double timeout)
{
	double	 deadline = now() + timeout;

	while (access(path, F_OK) < 0) {
		if (now() >= deadline) {
			dprintf(2, "jobd-test-child: timed out waiting for "
			    "'%s'\n", path);
			exit(3);
		}
		sleep_seconds(0.01);
	}
}

static int
parse_signal(const char *s)
{
	size_t	 i;

	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		if (strcmp(s, signals[i].name) == 0)
			return signals[i].sig;
	}
	return (int)parse_int(s, "kill-self");
}

static void
cmd_env(const char *var)
{
	const char	*v = getenv(var);
	char		 buf[8192];
	int		 n;

	if (v != NULL)
		n = snprintf(buf, sizeof buf, "%s=%s\n", var, v);
	else
		n = snprintf(buf, sizeof buf, "%s unset\n", var);
	if (n >= (int)sizeof buf)
		n = sizeof buf - 1;
	write_all(1, buf, (size_t)n);
}

static void
cmd_pwd(void)
{
	char	 buf[PATH_MAX + 1];
	size_t	 n;

	if (getcwd(buf, PATH_MAX) == NULL)
		die("getcwd: %s", strerror(errno));
	n = strlen(buf);
	buf[n++] = '\n';
	write_all(1, buf, n);
}

static void
cmd_touch(const char *path)
{
	int	 fd;

	fd = open(path, O_WRONLY|O_CREAT|O_CLOEXEC, 0644);
	if (fd < 0)
		die("touch '%s': %s", path, strerror(errno));
	close(fd);
}

/* Returns the optional argument at argv[*i + 1] and advances past it when
 * it is present and not a command name. */
static const char *
optional_arg(int argc, char **argv, int *i)
{
	if (*i + 1 < argc && !is_command(argv[*i + 1]))
		return argv[++*i];
	return NULL;
}

static const char *
required_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		die("%s: missing argument", argv[*i]);
	return argv[++*i];
}

/* The strings environ points to live in the block /proc/PID/environ
 * shows: zeroing them in place is what title-rewriting daemons do. */
static void
cmd_wipe_env(void)
{
	extern char	**environ;
	char		**e;

	for (e = environ; *e != NULL; e++)
		memset(*e, 0, strlen(*e));
}

/* Runs the command at argv[*i], consuming its arguments. */
static void
run_command(int argc, char **argv, int *i)
{
	const char	*cmd = argv[*i], *a, *b;

	if (strcmp(cmd, "binary") == 0)
		cmd_binary();
	else if (strcmp(cmd, "ignore-term") == 0)
		signal(SIGTERM, SIG_IGN);
	else if (strcmp(cmd, "close-stdout") == 0) {
		close(1);
		close(2);
	} else if (strcmp(cmd, "pwd") == 0)
		cmd_pwd();
	else if (strcmp(cmd, "id") == 0)
		dprintf(1, "%ld %ld\n", (long)getuid(), (long)getgid());
	else if (strcmp(cmd, "wipe-env") == 0)
		cmd_wipe_env();
	else if (!is_command(cmd)) {
		write_all(2, usage, sizeof usage - 1);
		die("unknown command '%s'", cmd);
	}
	else {
		a = required_arg(argc, argv, i);
		if (strcmp(cmd, "exit") == 0)
			exit((int)parse_int(a, cmd));
		else if (strcmp(cmd, "sleep") == 0)
			sleep_seconds(parse_seconds(a, cmd));
		else if (strcmp(cmd, "print") == 0 ||
		    strcmp(cmd, "eprint") == 0) {
			b = optional_arg(argc, argv, i);
			cmd_print(cmd[0] == 'e' ? 2 : 1, parse_int(a, cmd),
			    b != NULL ? b : "line");
		} else if (strcmp(cmd, "nonl") == 0)
			write_all(1, a, strlen(a));
		else if (strcmp(cmd, "longline") == 0)
			cmd_longline(parse_int(a, cmd));
		else if (strcmp(cmd, "flood") == 0)
			cmd_flood(parse_int(a, cmd));
		else if (strcmp(cmd, "grandchild") == 0)
			cmd_fork(parse_seconds(a, cmd), true,
			    "TEST_GRANDCHILD_PIDFILE");
		else if (strcmp(cmd, "subchild") == 0)
			cmd_fork(parse_seconds(a, cmd), false,
			    "TEST_SUBCHILD_PIDFILE");
		else if (strcmp(cmd, "pidfile") == 0)
			write_pid(a, getpid());
		else if (strcmp(cmd, "touch") == 0)
			cmd_touch(a);
		else if (strcmp(cmd, "wait-file") == 0) {
			b = NULL;
			if (*i + 1 < argc && is_number(argv[*i + 1]))
				b = argv[++*i];
			cmd_wait_file(a, b != NULL ?
			    parse_seconds(b, cmd) : 30.0);
		} else if (strcmp(cmd, "env") == 0)
			cmd_env(a);
		else if (strcmp(cmd, "kill-self") == 0)
			kill(getpid(), parse_signal(a));
	}
}

int
main(int argc, char **argv)
{
	int	 i;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		write_all(1, usage, sizeof usage - 1);
		return 0;
	}
	for (i = 1; i < argc; i++)
		run_command(argc, argv, &i);
	return 0;
}
