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
	const struct orphans_match *m;
	struct orphans_run *runs;
	size_t nruns, alloc;
	size_t killed;
};

/* Copies the value of NAME= if var is that variable (cut to fit). */
static void
orphans_take(const char *var, const char *name, char *dst, size_t size)
{
	size_t n = strlen(name);

	if (strncmp(var, name, n) || var[n] != '=')
		return;
	snprintf(dst, size, "%s", var + n + 1);
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
orphans_is_lost(const struct orphans_match *m, uint64_t id)
{
	size_t lo = 0, hi = m->nlost, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->lost[mid] == id)
			return true;
		if (m->lost[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Remembers a process of a run not on record; of several processes of
 * one run, the earliest started speaks for it. */
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

/* One pass over /proc; the number of processes killed. */
static size_t
orphans_pass(struct orphans_scan *s, pid_t self)
{
	const struct orphans_match *m = s->m;
	struct orphans_env e;
	struct dirent *de;
	size_t killed = 0;
	bool unrecorded;
	DIR *d;

	if (!(d = opendir("/proc")))
		return 0;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]) ||
		    atoi(de->d_name) == self)
			continue;
		if (!orphans_environ(de->d_name, &e) ||
		    strcmp(e.instance, m->instance))
			continue;
		unrecorded = e.run > m->above && e.run <= m->upto;
		if (!unrecorded && !orphans_is_lost(m, e.run))
			continue;
		if (unrecorded)
			orphans_note(s, de->d_name, &e);
		if (kill(atoi(de->d_name), SIGKILL) == 0)
			killed++;
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
orphans_kill(const struct orphans_match *m, struct orphans_run **ret,
    size_t *ret_n)
{
	struct orphans_scan s = { .m = m };
	pid_t self = getpid();
	size_t n;
	int pass;

	*ret = NULL;
	*ret_n = 0;
	if (!m->instance || !*m->instance || (m->nlost == 0 &&
	    m->upto <= m->above))
		return 0;
	for (pass = 0; pass < ORPHANS_PASSES; pass++) {
		n = orphans_pass(&s, self);
		s.killed += n;
		if (n == 0)
			break;
	}
	if (s.nruns > 1)
		qsort(s.runs, s.nruns, sizeof(*s.runs), orphans_cmp);
	*ret = s.runs;
	*ret_n = s.nruns;
	return s.killed;
}
