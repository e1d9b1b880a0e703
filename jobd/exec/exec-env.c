/* The command's environment in jobd-exec.  jobd hands the run's environment
 * over on a memfd rather than as jobd-exec's own: the helper starts as root,
 * and a variable such as LD_PRELOAD from a file the job's user can write
 * must never reach a root process.  Environment files are read here, after
 * the switch to the run's user, with that user's permissions. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "exec.h"
#include "strv.h"
#include "xmalloc.h"

#define ENV_BLOCK_MAX (4 * 1024 * 1024)
#define ENV_FILE_MAX (64 * 1024)
#define ENV_LINE_MAX 4096

/* Reads fd to its end into a NUL-terminated buffer of at most max bytes. */
static char *
read_all(int fd, size_t max, size_t *ret_len, const char *what)
{
	size_t len = 0, cap = 4096;
	char *buf = xmalloc(cap + 1);
	ssize_t n;

	for (;;) {
		if (len == cap) {
			if (cap >= max)
				break;
			cap = MIN(cap * 2, max);
			buf = xrealloc(buf, cap + 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("cannot read %s: %s", what, strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

char **
exec_env_read_fd(int fd)
{
	char **env = xcalloc(1, sizeof(char *)), *buf, *p;
	size_t len;

	buf = read_all(fd, ENV_BLOCK_MAX, &len, "the environment");
	close(fd);
	for (p = buf; p < buf + len; p += strlen(p) + 1)
		if (strv_env_assignment_is_valid(p))
			env = strv_env_set(env, p);
	free(buf);
	return env;
}

/* One line of an environment file: KEY=VALUE, a value in matching quotes
 * losing them; blank lines, comments and invalid names skipped. */
static char **
env_file_line(char **env, char *line)
{
	char *p, *v;
	size_t n;

	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	if (!*p || *p == '#' || !strchr(p, '='))
		return env;
	v = strchr(p, '=') + 1;
	n = strlen(v);
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		memmove(v, v + 1, n - 2);
		v[n - 2] = '\0';
	}
	return strv_env_assignment_is_valid(p) ? strv_env_set(env, p) : env;
}

char **
exec_env_read_file(char **env, const char *path)
{
	struct stat st;
	char *buf, *line, *nl;
	size_t len;
	int fd;

	/* O_NONBLOCK: a FIFO put in place of the file must not hang the
	 * run; it is refused below. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		die("environment file '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		die("environment file '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die("environment file '%s': not a regular file", path);
	buf = read_all(fd, ENV_FILE_MAX, &len, path);
	close(fd);
	for (line = buf; line < buf + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(buf + len - line));
		if (!nl)
			nl = buf + len;
		*nl = '\0';
		/* Longer lines were cut by fgets() before: keep the bound. */
		if (strlen(line) >= ENV_LINE_MAX)
			line[ENV_LINE_MAX - 1] = '\0';
		env = env_file_line(env, line);
	}
	free(buf);
	return env;
}
