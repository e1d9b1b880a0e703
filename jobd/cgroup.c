/* Per-run cgroups.  jobd uses them only when its own cgroup v2 directory
 * was delegated to it (the trusted.delegate attribute systemd sets with
 * Delegate=yes, or cgroups=yes in [jobd]): creating groups elsewhere would
 * change a cgroup tree that belongs to someone else.  The run's process
 * joins its group itself, through jobd-exec --cgroup, before it execs, so
 * nothing it forks can start outside.  Writes go to cgroupfs, which lives
 * in memory: they do not wait for a disk. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "xmalloc.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static int
write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* jobd's own cgroup v2 directory, or NULL. */
static char *
cgroup_own_dir(void)
{
	static const char *const mounts[] = { "/sys/fs/cgroup",
	    "/sys/fs/cgroup/unified" };
	char line[4096], *path = NULL;
	struct statfs sf;
	FILE *f;
	size_t i;

	if (!(f = fopen("/proc/self/cgroup", "re")))
		return NULL;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			path = xstrdup(line + 3);
		}
	fclose(f);
	if (!path)
		return NULL;
	for (i = 0; i < ELEMENTSOF(mounts); i++) {
		if (statfs(mounts[i], &sf) == 0 &&
		    (unsigned long)sf.f_type == CGROUP2_SUPER_MAGIC) {
			char *dir = xstrfmt("%s%s", mounts[i],
			    strcmp(path, "/") ? path : "");

			free(path);
			return dir;
		}
	}
	free(path);
	return NULL;
}

static bool
cgroup_is_delegated(const char *dir)
{
	char v[8] = "";

	return getxattr(dir, "trusted.delegate", v, sizeof(v) - 1) > 0 &&
	    v[0] == '1';
}

bool
cgroup_has_pid(const char *path, int pid)
{
	_cleanup_free_ char *procs = xstrfmt("%s/cgroup.procs", path);
	char line[32];
	bool found = false;
	FILE *f;

	if (!(f = fopen(procs, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = atoi(line) == pid;
	fclose(f);
	return found;
}

/* Removes run groups a previous jobd left behind. */
static void
cgroup_sweep(const char *base)
{
	struct dirent *de;
	DIR *d = opendir(base);
	char *p;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "run-", 4))
			continue;
		p = xstrfmt("%s/%s", base, de->d_name);
		cgroup_signal(p, SIGKILL);
		rmdir(p);
		free(p);
	}
	closedir(d);
}

/* Fills base and enabled as far as looking goes; false (with why) when
 * jobd must not make per-run groups here. */
static bool
cgroup_detect(struct cgroup *cg, enum cgroup_mode mode)
{
	*cg = (struct cgroup){ 0 };
	if (mode == CGROUP_NO) {
		cg->why = xstrdup("cgroups=no");
		return false;
	}
	cg->base = cgroup_own_dir();
	if (!cg->base) {
		cg->why = xstrdup("no cgroup v2 hierarchy");
		return false;
	}
	if (mode == CGROUP_AUTO && !cgroup_is_delegated(cg->base)) {
		cg->why = xstrfmt("'%s' is not delegated to jobd", cg->base);
		return false;
	}
	return true;
}

void
cgroup_probe(struct cgroup *cg, enum cgroup_mode mode)
{
	cg->enabled = cgroup_detect(cg, mode);
}

/* What the runs' groups may use (their limits need them); each on its
 * own, since one the kernel or the parent lacks fails the whole write. */
static void
cgroup_enable_controllers(const char *base)
{
	static const char *const ctl[] = { "+memory", "+cpu", "+io",
	    "+pids" };
	_cleanup_free_ char *f = xstrfmt("%s/cgroup.subtree_control", base);
	size_t i;

	for (i = 0; i < ELEMENTSOF(ctl); i++)
		(void)write_str(f, ctl[i]);
}

void
cgroup_init(struct cgroup *cg, enum cgroup_mode mode)
{
	char *leaf, *procs, pid[32];
	int r;

	if (!cgroup_detect(cg, mode))
		return;
	/* cgroup v2 keeps processes in leaves only once controllers are
	 * enabled below: jobd moves into base/daemon first. */
	leaf = xstrfmt("%s/daemon", cg->base);
	procs = xstrfmt("%s/cgroup.procs", leaf);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if ((mkdir(leaf, 0755) < 0 && errno != EEXIST) ||
	    (r = write_str(procs, pid)) < 0) {
		cg->why = xstrfmt("cannot move into '%s': %s", leaf,
		    strerror(errno));
		free(leaf);
		free(procs);
		return;
	}
	free(leaf);
	free(procs);
	/* Accounting and limits per run, where available. */
	cgroup_enable_controllers(cg->base);
	cgroup_sweep(cg->base);
	cg->enabled = true;
}

void
cgroup_done(struct cgroup *cg)
{
	free(cg->base);
	free(cg->why);
	*cg = (struct cgroup){ 0 };
}

char *
cgroup_run_create(const struct cgroup *cg, uint64_t id)
{
	char *p;

	if (!cg->enabled)
		return NULL;
	p = xstrfmt("%s/run-%llu", cg->base, (unsigned long long)id);
	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		log_warning("cannot create cgroup '%s': %m; the run uses its "
		    "process group only", p);
		free(p);
		return NULL;
	}
	return p;
}

void
cgroup_signal(const char *path, int sig)
{
	char *f, line[64];
	FILE *fp;

	if (sig == SIGKILL) {
		f = xstrfmt("%s/cgroup.kill", path);
		write_str(f, "1");
		free(f);
		return;
	}
	f = xstrfmt("%s/cgroup.procs", path);
	if ((fp = fopen(f, "re"))) {
		while (fgets(line, sizeof(line), fp))
			kill((pid_t)strtol(line, NULL, 10), sig);
		fclose(fp);
	}
	free(f);
}

static void
cgroup_read_usage(const char *path, struct cgroup_usage *u)
{
	char *f, key[64];
	unsigned long long v;
	FILE *fp;

	f = xstrfmt("%s/cpu.stat", path);
	if ((fp = fopen(f, "re"))) {
		while (fscanf(fp, "%63s %llu", key, &v) == 2) {
			if (!strcmp(key, "user_usec"))
				u->user = v;
			else if (!strcmp(key, "system_usec"))
				u->system = v;
		}
		fclose(fp);
	}
	free(f);
	f = xstrfmt("%s/memory.peak", path);
	if ((fp = fopen(f, "re"))) {
		if (fscanf(fp, "%llu", &v) == 1)
			u->peak_kb = v / 1024;
		fclose(fp);
	}
	free(f);
	/* oom_kill: processes of this group the OOM killer ended (its
	 * memory.max, or the whole system's shortage). */
	f = xstrfmt("%s/memory.events", path);
	if ((fp = fopen(f, "re"))) {
		while (fscanf(fp, "%63s %llu", key, &v) == 2)
			if (!strcmp(key, "oom_kill"))
				u->oom_kills = v;
		fclose(fp);
	}
	free(f);
}

void
cgroup_run_finish(const char *path, struct cgroup_usage *u)
{
	struct cgroup_usage c = { 0 };

	/* The group counts every process of the run; keep what wait4 saw
	 * where the group has nothing (no memory controller). */
	cgroup_read_usage(path, &c);
	if (c.user || c.system) {
		u->user = c.user;
		u->system = c.system;
	}
	if (c.peak_kb)
		u->peak_kb = c.peak_kb;
	u->oom_kills = c.oom_kills;
	cgroup_signal(path, SIGKILL);
	/* Still busy while the killed processes exit: the next start's
	 * sweep removes it then. */
	rmdir(path);
}
