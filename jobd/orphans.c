/* Orphans of lost runs.  A daemon killed with SIGKILL leaves its runs'
 * process groups running with nobody to stop them, and a grandchild that
 * called setsid() is not even in the group.  Every process a run starts
 * inherits JOBD_RUN=<id>, so /proc tells which processes belong to which
 * lost run, wherever they moved; a careful operator would stop them, and
 * so does jobd at start-up, recording how many in the run's reason. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "orphans.h"

#define ENVIRON_MAX (256 * 1024)

/* Returns the run id in pid's JOBD_RUN=, or 0. */
static uint64_t
orphans_run_of(const char *pid)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	char path[300];
	size_t len = 0;
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%s/environ", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	buf = malloc(ENVIRON_MAX + 1);
	if (!buf)
		return 0;
	while (len < ENVIRON_MAX &&
	    (n = read(fd, buf + len, ENVIRON_MAX - len)) > 0)
		len += n;
	buf[len] = '\0';
	for (p = buf; p < buf + len; p += strlen(p) + 1)
		if (!strncmp(p, "JOBD_RUN=", 9))
			return strtoull(p + 9, NULL, 10);
	return 0;
}

size_t
orphans_kill(const uint64_t *ids, size_t n, unsigned *ret_killed)
{
	DIR *d;
	struct dirent *de;
	uint64_t run;
	size_t i, total = 0;
	pid_t self = getpid();

	memset(ret_killed, 0, n * sizeof(*ret_killed));
	if (n == 0 || !(d = opendir("/proc")))
		return 0;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (atoi(de->d_name) == self)
			continue;
		run = orphans_run_of(de->d_name);
		if (run == 0)
			continue;
		for (i = 0; i < n; i++) {
			if (ids[i] != run)
				continue;
			if (kill(atoi(de->d_name), SIGKILL) == 0) {
				ret_killed[i]++;
				total++;
			}
			break;
		}
	}
	closedir(d);
	return total;
}
