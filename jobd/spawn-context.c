/* The parts of a run's exec context that need more than uv_spawn: the
 * jobd-exec helper's command line (supplementary groups, rlimits, umask,
 * nice, no_new_privs, stdin), environment files, and the condition_*=
 * checks.  Files are read and commands run on the executor only. */
#include <dirent.h>
#include <errno.h>
#include <spawn.h>		/* posix_spawn: the reason the header is spawn-run.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawn-run.h"
#include "strv.h"
#include "xmalloc.h"

#define ENV_FILE_MAX (64 * 1024)
#define CONDITION_COMMAND_TIMEOUT (30 * USEC_PER_SEC)

extern char **environ;

bool
spawn_needs_helper(const struct job_config *jc, bool has_stdin)
{
	const struct job_exec *e = &jc->exec;

	return jc->user || jc->group || e->supplementary_groups ||
	    e->umask >= 0 || e->has_nice || e->rlimits ||
	    e->no_new_privileges || e->stdin_file || e->stdin_data ||
	    has_stdin;
}

char **
spawn_helper_argv(const struct job_config *jc, const char *helper,
    const char *stdin_data, const char *cgroup)
{
	const struct job_exec *e = &jc->exec;
	char **v = strv_append(NULL, helper), *groups;
	size_t i;

	/* First: whatever the run forks later starts inside its group. */
	if (cgroup)
		v = strv_append(strv_append(v, "--cgroup"), cgroup);
	if (jc->user)
		v = strv_push(strv_append(v, "--user"), xstrdup(jc->user));
	if (jc->group)
		v = strv_push(strv_append(v, "--group"), xstrdup(jc->group));
	if (e->supplementary_groups) {
		groups = xstrdup("");
		for (i = 0; e->supplementary_groups[i]; i++) {
			char *g = xstrfmt("%s%s%s", groups, i ? "," : "",
			    e->supplementary_groups[i]);
			free(groups);
			groups = g;
		}
		v = strv_push(strv_append(v, "--supplementary-groups"),
		    groups);
	}
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
	if (stdin_data)
		v = strv_append(strv_append(v, "--stdin-data"), stdin_data);
	else if (e->stdin_data)
		v = strv_append(strv_append(v, "--stdin-data"), e->stdin_data);
	else if (e->stdin_file)
		v = strv_append(strv_append(v, "--stdin-file"), e->stdin_file);
	v = strv_append(v, "--");
	for (i = 0; jc->command[i]; i++)
		v = strv_append(v, jc->command[i]);
	return v;
}

/* KEY=VALUE lines; '#' comments and blank lines skipped; values may be
 * quoted with '' or "" (the quotes are removed). */
static int
spawn_env_file(struct run_exec *e, const char *path, char **cause)
{
	char line[4096], *p, *eq, *v;
	size_t n, total = 0;
	FILE *f;

	if (!(f = fopen(path, "re"))) {
		xasprintf(cause, "exec: environment file '%s': %s", path,
		    strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f) && total < ENV_FILE_MAX) {
		total += strlen(line);
		line[strcspn(line, "\n")] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (!*p || *p == '#')
			continue;
		if (!(eq = strchr(p, '=')))
			continue;
		v = eq + 1;
		n = strlen(v);
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') &&
		    v[n - 1] == v[0]) {
			memmove(v, v + 1, n - 2);
			v[n - 2] = '\0';
		}
		if (strv_env_assignment_is_valid(p))
			e->env = strv_env_set(e->env, p);
	}
	fclose(f);
	return 0;
}

static bool
dir_not_empty(const char *path)
{
	struct dirent *de;
	bool found = false;
	DIR *d = opendir(path);

	if (!d)
		return false;
	while (!found && (de = readdir(d)))
		found = strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return found;
}

/* Runs the condition command with /bin/sh -c; true when it exits 0.
 * posix_spawn + waitpid on its own pid: libuv only reaps the pids of
 * its own process handles, so this does not steal any of them. */
static bool
condition_command_true(const char *cmd, char **env)
{
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	usec_t deadline = now_monotonic() + CONDITION_COMMAND_TIMEOUT;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int status;
	pid_t pid, w;

	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, env) != 0)
		return false;
	while ((w = waitpid(pid, &status, WNOHANG)) == 0) {
		if (now_monotonic() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return false;
		}
		nanosleep(&ts, NULL);
	}
	return w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int
spawn_context_resolve(struct run_exec *e, char **cause)
{
	size_t i;
	int r;

	for (i = 0; e->env_files && e->env_files[i]; i++)
		if ((r = spawn_env_file(e, e->env_files[i], cause)) < 0)
			return r;
	for (i = 0; e->cond_exists && e->cond_exists[i]; i++) {
		if (access(e->cond_exists[i], F_OK) < 0) {
			xasprintf(cause, "condition_path_exists=%s is false",
			    e->cond_exists[i]);
			return -ECANCELED;
		}
	}
	for (i = 0; e->cond_not_empty && e->cond_not_empty[i]; i++) {
		if (!dir_not_empty(e->cond_not_empty[i])) {
			xasprintf(cause, "condition_directory_not_empty=%s is "
			    "false", e->cond_not_empty[i]);
			return -ECANCELED;
		}
	}
	if (e->cond_command && !condition_command_true(e->cond_command,
	    e->env)) {
		xasprintf(cause, "condition_command=%s is false",
		    e->cond_command);
		return -ECANCELED;
	}
	return 0;
}
