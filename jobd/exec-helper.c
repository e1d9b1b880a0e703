/* The parts of a run's exec context that only jobd-exec can apply, as the
 * run's user: its command line (groups, rlimits, umask, nice,
 * no_new_privs, stdin file, environment files, working directory), the
 * descriptors that carry the environment and stdin data, and the
 * condition_*= checks, run on the executor and bounded in time. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec-context.h"
#include "strv.h"
#include "xmalloc.h"

#define CONDITION_CHECK_TIMEOUT (30 * USEC_PER_SEC)
#define CHECK_ENV_FD 3

bool
spawn_needs_helper(const struct job_config *jc)
{
	const struct job_exec *e = &jc->exec;

	return jc->user || jc->group || e->supplementary_groups ||
	    e->umask >= 0 || e->has_nice || e->rlimits ||
	    e->no_new_privileges || e->stdin_file || e->environment_files;
}

char **
spawn_helper_env(void)
{
	return strv_append(NULL, "PATH=" SPAWN_DEFAULT_PATH);
}

/* --user, --group and --supplementary-groups: who the helper becomes. */
static char **
helper_identity(char **v, const struct job_config *jc)
{
	char **groups = jc->exec.supplementary_groups, *list;
	size_t i;

	if (jc->user)
		v = strv_append(strv_append(v, "--user"), jc->user);
	if (jc->group)
		v = strv_append(strv_append(v, "--group"), jc->group);
	if (groups) {
		list = xstrdup("");
		for (i = 0; groups[i]; i++) {
			char *g = xstrfmt("%s%s%s", list, i ? "," : "",
			    groups[i]);

			free(list);
			list = g;
		}
		v = strv_push(strv_append(v, "--supplementary-groups"), list);
	}
	return v;
}

/* What the helper reads as the user: the directory and the files. */
static char **
helper_files(char **v, const struct job_config *jc, int env_fd)
{
	size_t i;

	v = strv_push(strv_append(v, "--env-fd"), xstrfmt("%d", env_fd));
	v = strv_append(strv_append(v, "--chdir"), jc->working_directory ?
	    jc->working_directory : "/");
	for (i = 0; jc->exec.environment_files &&
	    jc->exec.environment_files[i]; i++)
		v = strv_append(strv_append(v, "--environment-file"),
		    jc->exec.environment_files[i]);
	return v;
}

char **
spawn_helper_argv(const struct job_config *jc, const char *helper,
    const char *cgroup, int env_fd)
{
	const struct job_exec *e = &jc->exec;
	char **v = strv_append(NULL, helper);
	size_t i;

	/* First: whatever the run forks later starts inside its group. */
	if (cgroup)
		v = strv_append(strv_append(v, "--cgroup"), cgroup);
	v = helper_identity(v, jc);
	v = helper_files(v, jc, env_fd);
	if (e->umask >= 0)
		v = strv_push(strv_append(v, "--umask"), xstrfmt("%04o",
		    e->umask));
	if (e->has_nice)
		v = strv_push(strv_append(v, "--nice"), xstrfmt("%d",
		    e->nice));
	for (i = 0; e->rlimits && e->rlimits[i]; i++)
		v = strv_append(strv_append(v, "--rlimit"), e->rlimits[i]);
	if (e->no_new_privileges)
		v = strv_append(v, "--no-new-privileges");
	if (e->stdin_file)
		v = strv_append(strv_append(v, "--stdin-file"), e->stdin_file);
	v = strv_append(v, "--");
	for (i = 0; jc->command[i]; i++)
		v = strv_append(v, jc->command[i]);
	return v;
}

char **
spawn_check_argv(const struct job_config *jc, const char *helper)
{
	const struct job_policy *p = &jc->policy;
	char **v;
	size_t i;

	if (!p->condition_path_exists && !p->condition_directory_not_empty &&
	    !p->condition_command)
		return NULL;
	v = strv_append(strv_append(NULL, helper), "--check");
	v = helper_identity(v, jc);
	v = helper_files(v, jc, CHECK_ENV_FD);
	for (i = 0; p->condition_path_exists &&
	    p->condition_path_exists[i]; i++)
		v = strv_append(strv_append(v, "--condition-path-exists"),
		    p->condition_path_exists[i]);
	for (i = 0; p->condition_directory_not_empty &&
	    p->condition_directory_not_empty[i]; i++)
		v = strv_append(strv_append(v,
		    "--condition-directory-not-empty"),
		    p->condition_directory_not_empty[i]);
	if (p->condition_command)
		v = strv_append(strv_append(v, "--condition-command"),
		    p->condition_command);
	return v;
}

int
spawn_memfd(const char *name, const char *data, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int fd, r;

	if ((fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING)) < 0)
		return -errno;
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		off += (size_t)n;
	}
	/* Sealed: the child reads exactly this, and nobody can change it. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK |
	    F_SEAL_GROW | F_SEAL_WRITE) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		goto fail;
	return fd;
fail:
	r = -errno;
	close(fd);
	return r;
}

/* The environment as one NUL-separated block, in a memfd. */
static int
env_memfd(char *const *env)
{
	size_t len = 0, i, n;
	char *buf, *p;
	int fd;

	for (i = 0; env && env[i]; i++)
		len += strlen(env[i]) + 1;
	buf = p = xmalloc(len + 1);
	for (i = 0; env && env[i]; i++) {
		n = strlen(env[i]) + 1;
		memcpy(p, env[i], n);
		p += n;
	}
	fd = spawn_memfd("jobd-environment", buf, len);
	free(buf);
	return fd;
}

int
spawn_exec_fds(struct run_exec *e, int *fds, int n)
{
	static const char *const ids[] = { "JOBD_INSTANCE", "JOBD_RUN",
	    "JOBD_JOB" };
	const char *v;
	char **helper;
	size_t i;
	int fd;

	if (e->stdin_data) {
		if ((fd = spawn_memfd("jobd-stdin", e->stdin_data,
		    strlen(e->stdin_data))) < 0)
			return fd;
		fds[0] = fd;
	}
	if (!e->helper)
		return n;
	if ((fd = env_memfd(e->env)) < 0)
		return fd;
	fds[e->env_fd] = fd;
	helper = spawn_helper_env();
	/* The run's identity, and only that, stays visible in /proc: jobd
	 * killed while the helper sets up must find it after a restart by
	 * JOBD_RUN= even when the run's row never reached the disk. */
	for (i = 0; i < ELEMENTSOF(ids); i++)
		if ((v = strv_env_get(e->env, ids[i]))) {
			_cleanup_free_ char *kv = xstrfmt("%s=%s", ids[i], v);

			helper = strv_append(helper, kv);
		}
	strv_free(e->env);
	e->env = helper;
	return MAX(n, e->env_fd + 1);
}

/* Starts jobd-exec --check with the environment on fd 3 and its verdict
 * (one line) on the pipe out; the pid, or -errno. */
static pid_t
check_spawn(char **argv, int env_fd, int out)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all, none;
	char **env = spawn_helper_env();
	pid_t pid;
	int r;

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	/* Its own session: a stuck condition_command is killed with it. */
	r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
	    0) ||
	    posix_spawn_file_actions_adddup2(&fa, out, 1) ||
	    posix_spawn_file_actions_adddup2(&fa, out, 2) ||
	    posix_spawn_file_actions_adddup2(&fa, env_fd, CHECK_ENV_FD) ||
	    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK) ||
	    posix_spawnattr_setsigdefault(&at, &all) ||
	    posix_spawnattr_setsigmask(&at, &none);
	if (r == 0)
		r = posix_spawn(&pid, argv[0], &fa, &at, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	strv_free(env);
	return r ? -r : pid;
}

/* Waits for the checker until the deadline, then kills its session. */
static bool
check_wait(pid_t pid, int *status)
{
	usec_t deadline = now_monotonic() + CONDITION_CHECK_TIMEOUT;
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	pid_t w;

	while ((w = waitpid(pid, status, WNOHANG)) == 0) {
		if (now_monotonic() > deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, status, 0);
			return false;
		}
		nanosleep(&ts, NULL);
	}
	return w == pid;
}

/* The checker's one line: a condition that is false, or why it failed. */
static char *
check_verdict(int fd)
{
	char buf[1024];
	ssize_t n;
	const char *p = buf;

	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!strncmp(p, "jobd-exec: ", 11))
		p += 11;
	return xstrdup(*p ? p : "conditions could not be checked");
}

int
spawn_check_conditions(struct run_exec *e, char **cause)
{
	int pipefd[2], env_fd, status = 0;
	bool exited;
	pid_t pid;

	if (!e->check_argv)
		return 0;
	if ((env_fd = env_memfd(e->env)) < 0) {
		xasprintf(cause, "conditions: %s", strerror(-env_fd));
		return env_fd;
	}
	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0) {
		close(env_fd);
		xasprintf(cause, "conditions: %s", strerror(errno));
		return -errno;
	}
	pid = check_spawn(e->check_argv, env_fd, pipefd[1]);
	close(env_fd);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		xasprintf(cause, "exec: '%s': %s", e->check_argv[0],
		    strerror((int)-pid));
		return (int)pid;
	}
	exited = check_wait(pid, &status);
	*cause = check_verdict(pipefd[0]);
	close(pipefd[0]);
	if (exited && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		*cause = (free(*cause), NULL);
		return 0;
	}
	if (!exited) {
		free(*cause);
		xasprintf(cause, "conditions still being checked after %llus; "
		    "stopped", (unsigned long long)(CONDITION_CHECK_TIMEOUT /
		    USEC_PER_SEC));
	}
	/* Exit 1: a condition is false.  Killed: taken as false, as a
	 * condition_command= that never answers. */
	return !exited || (WIFEXITED(status) && WEXITSTATUS(status) == 1) ?
	    -ECANCELED : -EPERM;
}
