/* Orphans of lost runs.  A daemon killed with SIGKILL leaves its runs'
 * process groups running with nobody to stop them, and a grandchild that
 * called setsid() is not even in the group.  Every process a run starts
 * inherits JOBD_INSTANCE= (this state directory's jobd) and JOBD_RUN=, so
 * /proc tells which processes belong to which of our lost runs, wherever
 * they moved, and never confuses another jobd's runs with ours. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "orphans.h"
#include "xmalloc.h"

#define ENVIRON_MAX (256 * 1024)
/* A process may fork while the scan runs: scan again while a pass still
 * found something to kill, this many times at most. */
#define ORPHANS_PASSES 5

struct orphans_env {
	uint64_t run;
	char instance[ORPHANS_NAME_MAX + 1];
	char job[ORPHANS_NAME_MAX + 1];
	char trigger[ORPHANS_NAME_MAX + 1];
};

struct orphans_scan {
	const char *instance;
	uint64_t above, upto;		/* find: the range */
	const uint64_t *ids;		/* kill: the runs */
	size_t nids;
	struct orphans_run *runs;	/* find: found */
	size_t nruns, alloc;
	pid_t *killed;			/* kill: signalled */
	size_t nkilled, killed_alloc;
};

/* Copies the value of NAME= if var is that variable: cut to fit, and
 * control characters made '?' (the value is the process owner's choice,
 * and may end up in a log line). */
static void
orphans_take(const char *var, const char *name, char *dst, size_t size)
{
	size_t n = strlen(name), i;

	if (strncmp(var, name, n) || var[n] != '=')
		return;
	snprintf(dst, size, "%s", var + n + 1);
	for (i = 0; dst[i]; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = '?';
}

/* Reads pid's jobd variables; false when it has no JOBD_RUN=. */
static bool
orphans_environ(const char *pid, struct orphans_env *e)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	char path[300], run[32] = "";
	size_t len = 0;
	ssize_t n;
	char *p;

	memset(e, 0, sizeof(*e));
	snprintf(path, sizeof(path), "/proc/%s/environ", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !(buf = malloc(ENVIRON_MAX + 1)))
		return false;
	while (len < ENVIRON_MAX &&
	    (n = read(fd, buf + len, ENVIRON_MAX - len)) > 0)
		len += n;
	buf[len] = '\0';
	for (p = buf; p < buf + len; p += strlen(p) + 1) {
		orphans_take(p, "JOBD_RUN", run, sizeof(run));
		orphans_take(p, "JOBD_INSTANCE", e->instance,
		    sizeof(e->instance));
		orphans_take(p, "JOBD_JOB", e->job, sizeof(e->job));
		orphans_take(p, "JOBD_TRIGGER", e->trigger,
		    sizeof(e->trigger));
	}
	e->run = strtoull(run, NULL, 10);
	return e->run != 0;
}

/* When pid started, in realtime µs; 0 if /proc does not say. */
static usec_t
orphans_started(const char *pid)
{
	char path[300], buf[1024], *p;
	unsigned long long ticks = 0;
	struct timespec real, boot;
	long hz = sysconf(_SC_CLK_TCK);
	usec_t since_boot, now_boot, now;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if (!(f = fopen(path, "re")))
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	/* The command name may hold spaces: count from its ')'. */
	if (!p || !(p = strrchr(buf, ')')) || hz <= 0)
		return 0;
	for (i = 0; i < 20 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, "%llu", &ticks) != 1)
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

static bool
orphans_has(const uint64_t *ids, size_t n, uint64_t id)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ids[mid] == id)
			return true;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Remembers a process of a run; of several processes of one run, the
 * earliest started speaks for it. */
static void
orphans_note(struct orphans_scan *s, const char *pid,
    const struct orphans_env *e)
{
	struct orphans_run *r = NULL;
	char path[300];
	struct stat st;
	usec_t started = orphans_started(pid);
	size_t i;

	for (i = 0; i < s->nruns && !r; i++)
		if (s->runs[i].id == e->run)
			r = &s->runs[i];
	if (r && (!started || (r->started && r->started <= started)))
		return;
	if (!r) {
		if (s->nruns == s->alloc) {
			s->alloc = s->alloc ? s->alloc * 2 : 16;
			s->runs = xreallocarray(s->runs, s->alloc,
			    sizeof(*s->runs));
		}
		r = &s->runs[s->nruns++];
	}
	memset(r, 0, sizeof(*r));
	r->id = e->run;
	memcpy(r->job, e->job, sizeof(r->job));
	memcpy(r->trigger, e->trigger, sizeof(r->trigger));
	r->pid = atoi(pid);
	r->started = started;
	snprintf(path, sizeof(path), "/proc/%s", pid);
	r->uid = stat(path, &st) == 0 ? st.st_uid : (uid_t)-1;
}

/* Kills pid unless this sweep did already; true if it is new. */
static bool
orphans_signal(struct orphans_scan *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < s->nkilled; i++)
		if (s->killed[i] == pid)
			return false;
	if (kill(pid, SIGKILL) < 0)
		return false;
	if (s->nkilled == s->killed_alloc) {
		s->killed_alloc = s->killed_alloc ? s->killed_alloc * 2 : 64;
		s->killed = xreallocarray(s->killed, s->killed_alloc,
		    sizeof(*s->killed));
	}
	s->killed[s->nkilled++] = pid;
	return true;
}

/* One pass over /proc: notes (find) or kills (kill) the processes of
 * this instance's runs; returns how many new ones it killed. */
static size_t
orphans_pass(struct orphans_scan *s, bool kill_them)
{
	struct orphans_env e;
	struct dirent *de;
	pid_t self = getpid();
	size_t killed = 0;
	DIR *d;

	if (!(d = opendir("/proc")))
		return 0;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]) ||
		    atoi(de->d_name) == self)
			continue;
		if (!orphans_environ(de->d_name, &e) ||
		    strcmp(e.instance, s->instance))
			continue;
		if (!kill_them && e.run > s->above && e.run <= s->upto)
			orphans_note(s, de->d_name, &e);
		else if (kill_them && orphans_has(s->ids, s->nids, e.run))
			killed += orphans_signal(s, atoi(de->d_name));
	}
	closedir(d);
	return killed;
}

static int
orphans_cmp(const void *a, const void *b)
{
	const struct orphans_run *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

size_t
orphans_find(const char *instance, uint64_t above, uint64_t upto,
    struct orphans_run **ret)
{
	struct orphans_scan s = { .instance = instance, .above = above,
	    .upto = upto };

	*ret = NULL;
	if (!instance || !*instance || upto <= above)
		return 0;
	orphans_pass(&s, false);
	if (s.nruns > 1)
		qsort(s.runs, s.nruns, sizeof(*s.runs), orphans_cmp);
	*ret = s.runs;
	return s.nruns;
}

size_t
orphans_kill(const char *instance, const uint64_t *ids, size_t n)
{
	struct orphans_scan s = { .instance = instance, .ids = ids,
	    .nids = n };
	int pass;

	if (!instance || !*instance || n == 0)
		return 0;
	for (pass = 0; pass < ORPHANS_PASSES; pass++)
		if (orphans_pass(&s, true) == 0)
			break;
	free(s.killed);
	return s.nkilled;
}
