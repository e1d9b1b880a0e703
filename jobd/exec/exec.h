/* jobd-exec's parts: the failure exit every part uses, the command's
 * environment (built after the switch to the run's user, so nothing a job's
 * user can write reaches the root half of the helper), and the condition_*
 * checks of --check. */
#ifndef JOBD_EXEC_H
#define JOBD_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Prints 'jobd-exec: exec: REASON' on stderr (and --error-fd) and exits
 * 127. */
void die(const char *fmt, ...) __attribute__((noreturn)) PRINTF_LIKE(1, 2);

/* exec-env.c.  Reads the NUL-separated KEY=VALUE block jobd wrote to fd
 * (a sealed memfd) and closes it: the command's base environment. */
char **exec_env_read_fd(int fd);
/* Adds the KEY=VALUE lines of an environment_file= (opened as the run's
 * user; a FIFO, device or directory is refused, at most 64 KiB read). */
char **exec_env_read_file(char **env, const char *path);

/* exec-check.c: the condition_*= keys, checked as the run's user. */
enum exec_condition_type {
	COND_PATH_EXISTS,
	COND_DIRECTORY_NOT_EMPTY,
	COND_COMMAND,
};

struct exec_condition {
	enum exec_condition_type type;
	const char *arg;
};

#define EXEC_MAX_CONDITIONS 256
/* Exit status of --check when a condition is false. */
#define EXEC_CONDITION_FALSE 1

/* Checks each in order with env as the command's environment; on the
 * first false one prints 'condition_KEY=ARG is false' on stdout and
 * exits EXEC_CONDITION_FALSE; returns when all hold. */
void exec_check_conditions(const struct exec_condition *, size_t n,
    char **env);

#endif
