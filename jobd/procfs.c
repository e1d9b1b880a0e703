/* Reading /proc for the processes of runs: a process's owner can change
 * its command name and environment, so what is read here is cut to size
 * and made printable before anyone logs it. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "macro.h"
#include "procfs.h"

#define ENVIRON_MAX (256 * 1024)

static void
printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* A start time in clock ticks since boot, as realtime µs. */
static usec_t
ticks_to_realtime(unsigned long long ticks)
{
	struct timespec real, boot;
	long hz = sysconf(_SC_CLK_TCK);
	usec_t since_boot, now_boot, now;

	if (hz <= 0)
		return 0;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	since_boot = (usec_t)ticks * USEC_PER_SEC / (usec_t)hz;
	now_boot = (usec_t)boot.tv_sec * USEC_PER_SEC + boot.tv_nsec / 1000;
	now = (usec_t)real.tv_sec * USEC_PER_SEC + real.tv_nsec / 1000;
	if (since_boot > now_boot || now_boot - since_boot > now)
		return 0;
	return now - (now_boot - since_boot);
}

bool
procfs_stat(pid_t pid, struct procfs_stat *st)
{
	char path[64], buf[1024], *open_p, *close_p;
	unsigned long long ticks = 0;
	ssize_t n;
	int fd;

	memset(st, 0, sizeof(*st));
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* The command name may hold spaces and ')': it ends at the last. */
	if (!(open_p = strchr(buf, '(')) || !(close_p = strrchr(buf, ')')))
		return false;
	snprintf(st->comm, sizeof(st->comm), "%.*s",
	    (int)MIN(close_p - open_p - 1, 16), open_p + 1);
	printable(st->comm);
	/* state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice num_threads
	 * itrealvalue starttime */
	if (sscanf(close_p + 2, "%c %d %d %d %*d %*d %*u %*u %*u %*u %*u "
	    "%*u %*u %*d %*d %*d %*d %*d %*d %llu", &st->state, &st->ppid,
	    &st->pgrp, &st->sid, &ticks) != 5)
		return false;
	st->pid = pid;
	st->started = ticks_to_realtime(ticks);
	return true;
}

/* Copies the value of NAME= if var is that variable, cut to fit. */
static void
take(const char *var, const char *name, char *dst, size_t size)
{
	size_t n = strlen(name);

	if (strncmp(var, name, n) || var[n] != '=')
		return;
	snprintf(dst, size, "%s", var + n + 1);
	printable(dst);
}

bool
procfs_env(pid_t pid, struct procfs_env *e)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	char path[64], run[32] = "";
	size_t len = 0;
	ssize_t n;
	char *p;

	memset(e, 0, sizeof(*e));
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !(buf = malloc(ENVIRON_MAX + 1)))
		return false;
	while (len < ENVIRON_MAX &&
	    (n = read(fd, buf + len, ENVIRON_MAX - len)) > 0)
		len += n;
	buf[len] = '\0';
	for (p = buf; p < buf + len; p += strlen(p) + 1) {
		take(p, "JOBD_RUN", run, sizeof(run));
		take(p, "JOBD_INSTANCE", e->instance, sizeof(e->instance));
		take(p, "JOBD_JOB", e->job, sizeof(e->job));
		take(p, "JOBD_TRIGGER", e->trigger, sizeof(e->trigger));
	}
	e->run = strtoull(run, NULL, 10);
	return e->run != 0;
}

bool
procfs_each_pipe(pid_t pid, bool (*fn)(ino_t, void *), void *ctx)
{
	char path[64], link[64];
	unsigned long long ino;
	struct dirent *de;
	DIR *d;
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (!(d = opendir(path)))
		return false;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		len = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "pipe:[%llu]", &ino) == 1 &&
		    !fn((ino_t)ino, ctx))
			break;
	}
	closedir(d);
	return true;
}

void
procfs_each(bool (*fn)(pid_t, void *), void *ctx)
{
	struct dirent *de;
	pid_t self = getpid(), pid;
	DIR *d;

	if (!(d = opendir("/proc")))
		return;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (pid != self && !fn(pid, ctx))
			break;
	}
	closedir(d);
}
