/* jobd's default paths.  A user's jobd keeps its socket and state in the
 * user's XDG directories, so that it runs beside the system's; the
 * jobd-exec helper is looked for beside jobd first so that a build tree
 * runs its own.  Without the helper, exec keys that need it fail runs. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "xmalloc.h"

#ifndef JOBD_LIBEXECDIR
#define JOBD_LIBEXECDIR "/usr/libexec/jobd"
#endif

char *
paths_default_socket(void)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");

	if (geteuid() == 0 || !rt || !*rt)
		return xstrdup("/run/jobd/jobd.sock");
	return xstrfmt("%s/jobd/jobd.sock", rt);
}

char *
paths_default_state_dir(void)
{
	const char *s = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (geteuid() == 0)
		return xstrdup("/var/lib/jobd");
	if (s && *s)
		return xstrfmt("%s/jobd", s);
	return xstrfmt("%s/.local/state/jobd", home ? home : "/tmp");
}

char *
paths_exec_helper(void)
{
	const char *env = getenv("JOBD_EXEC");
	char self[4096], *slash, *p;
	ssize_t n;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/'))) {
			*slash = '\0';
			p = xstrfmt("%s/jobd-exec", self);
			if (access(p, X_OK) == 0)
				return p;
			free(p);
		}
	}
	return xstrdup(JOBD_LIBEXECDIR "/jobd-exec");
}
