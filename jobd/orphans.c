/* Orphans of lost runs.  A daemon killed with SIGKILL leaves its runs'
 * process groups running with nobody to stop them, and a grandchild that
 * called setsid() is not even in the group.  Every process a run starts
 * inherits JOBD_INSTANCE= (this state directory's jobd) and JOBD_RUN=, so
 * /proc tells which processes belong to which of our lost runs, wherever
 * they moved, and never confuses another jobd's runs with ours.  So does
 * jobd-exec while it sets a run up: it carries those and JOBD_JOB=, none
 * of the run's other variables.  Daemons that rewrite their process title
 * overwrite that environment (redis, nginx, PostgreSQL): their runs are
 * also found by what the ledger recorded, the run's pid and start time,
 * whose session every process of the run starts in. */
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
#include "procfs.h"
#include "xmalloc.h"
/* A process may fork while the scan runs: scan again while a pass still
 * found something to kill, this many times at most. */
#define ORPHANS_PASSES 5

struct orphans_scan {
	const char *instance;
	uint64_t above, upto;		/* find: the range */
	const uint64_t *ids;		/* kill: the runs */
	size_t nids;
	struct orphans_run *runs;	/* find: found */
	size_t nruns, alloc;
	pid_t *killed;			/* kill: signalled */
	size_t nkilled, killed_alloc;
	bool kill;
	size_t pass_killed;
	const struct orphans_session *sessions;	/* kill_sessions */
	size_t nsessions;
};

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
orphans_note(struct orphans_scan *s, pid_t pid, const struct procfs_env *e)
{
	struct orphans_run *r = NULL;
	struct procfs_stat ps;
	char path[64];
	struct stat st;
	usec_t started = procfs_stat(pid, &ps) ? ps.started : 0;
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
	r->pid = pid;
	r->started = started;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
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

/* One process: noted (find) or killed (kill) when it carries one of
 * this instance's runs. */
static bool
orphans_visit(pid_t pid, void *ctx)
{
	struct orphans_scan *s = ctx;
	struct procfs_env e;

	if (!procfs_env(pid, &e) || strcmp(e.instance, s->instance))
		return true;
	if (!s->kill && e.run > s->above && e.run <= s->upto)
		orphans_note(s, pid, &e);
	else if (s->kill && orphans_has(s->ids, s->nids, e.run))
		s->pass_killed += orphans_signal(s, pid);
	return true;
}

/* One pass over /proc; returns how many new processes it killed. */
static size_t
orphans_pass(struct orphans_scan *s, bool kill_them)
{
	s->kill = kill_them;
	s->pass_killed = 0;
	procfs_each(orphans_visit, s);
	return s->pass_killed;
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

/* A session of a lost run, when its leader is ours: alive with the start
 * time on record, or gone (a session's id is not reused while any member
 * lives).  Members started before the run are someone else's. */
static bool
orphans_session_visit(pid_t pid, void *ctx)
{
	struct orphans_scan *s = ctx;
	struct procfs_stat st;
	size_t i;

	if (!procfs_stat(pid, &st) || st.state == 'Z')
		return true;
	for (i = 0; i < s->nsessions; i++) {
		const struct orphans_session *o = &s->sessions[i];

		if (st.sid != o->pid || (st.started && st.started +
		    ORPHANS_START_SLACK < o->started))
			continue;
		s->pass_killed += orphans_signal(s, pid);
		break;
	}
	return true;
}

/* Drops the sessions whose leader pid now belongs to another process. */
static size_t
orphans_own_sessions(struct orphans_session *v, size_t n)
{
	struct procfs_stat st;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (v[i].pid <= 1 || !v[i].started)
			continue;
		if (procfs_stat(v[i].pid, &st) && st.started &&
		    (st.started > v[i].started + ORPHANS_START_SLACK ||
		    st.started + ORPHANS_START_SLACK < v[i].started))
			continue;
		v[k++] = v[i];
	}
	return k;
}

size_t
orphans_kill_sessions(struct orphans_session *sessions, size_t n)
{
	struct orphans_scan s = { 0 };
	int pass;

	s.sessions = sessions;
	s.nsessions = orphans_own_sessions(sessions, n);
	if (s.nsessions == 0)
		return 0;
	for (pass = 0; pass < ORPHANS_PASSES; pass++) {
		s.pass_killed = 0;
		procfs_each(orphans_session_visit, &s);
		if (s.pass_killed == 0)
			break;
	}
	free(s.killed);
	return s.nkilled;
}
