/* jobd-exec --check: the condition_*= keys of a run, checked after the
 * switch to the run's user and with the run's environment, so that a
 * condition sees what the job would see and a condition_command= runs with
 * the job's privileges, never jobd's.  jobd bounds the time (it kills this
 * process's session). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "exec.h"

static const char *const condition_key[] = {
	[COND_PATH_EXISTS] = "condition_path_exists",
	[COND_DIRECTORY_NOT_EMPTY] = "condition_directory_not_empty",
	[COND_COMMAND] = "condition_command",
};

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

/* /bin/sh -c CMD, true when it exits 0.  Its output goes nowhere: our
 * stdout carries the verdict to jobd. */
static bool
command_true(const char *cmd, char **env)
{
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	posix_spawn_file_actions_t fa;
	int status;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	if (posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
	    0) || posix_spawn_file_actions_adddup2(&fa, 1, 2))
		die("condition_command: %s", strerror(ENOMEM));
	errno = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	if (errno != 0)
		die("condition_command: /bin/sh: %s", strerror(errno));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("condition_command: %s", strerror(errno));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool
condition_holds(const struct exec_condition *c, char **env)
{
	switch (c->type) {
	case COND_PATH_EXISTS:
		return access(c->arg, F_OK) == 0;
	case COND_DIRECTORY_NOT_EMPTY:
		return dir_not_empty(c->arg);
	case COND_COMMAND:
		return command_true(c->arg, env);
	}
	return false;
}

void
exec_check_conditions(const struct exec_condition *c, size_t n, char **env)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (condition_holds(&c[i], env))
			continue;
		printf("%s=%s is false\n", condition_key[c[i].type], c[i].arg);
		fflush(stdout);
		_exit(EXEC_CONDITION_FALSE);
	}
}
