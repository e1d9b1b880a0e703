/* Opening the listen address and dropping root, in that order: a port
 * below 1024 can be bound, then the process keeps nothing of root's
 * (OpenBSD's privilege separation, without a privileged parent: jobd-web
 * needs nothing privileged after start). */
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen.h"
#include "xmalloc.h"

int
listen_open(const char *spec, char **ret_name, char **cause)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
		.ai_socktype = SOCK_STREAM,
	}, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], port[32], h[NI_MAXHOST], p[NI_MAXSERV];
	const char *colon = strrchr(spec, ':');
	size_t hl;
	int fd, r, one = 1;

	if (!colon || !colon[1] || strlen(colon + 1) >= sizeof(port) ||
	    (size_t)(colon - spec) >= sizeof(host)) {
		*cause = xstrfmt("listen address \"%s\": expected ADDR:PORT "
		    "(e.g. 127.0.0.1:8750 or [::1]:8750)", spec);
		return -EINVAL;
	}
	hl = (size_t)(colon - spec);
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
		memcpy(host, spec + 1, hl - 2);
		host[hl - 2] = '\0';
	} else {
		memcpy(host, spec, hl);
		host[hl] = '\0';
	}
	strcpy(port, colon + 1);
	r = getaddrinfo(host, port, &hints, &ai);
	if (r) {
		*cause = xstrfmt("listen address \"%s\": %s (a numeric "
		    "address and port)", spec, gai_strerror(r));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 511) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		r = -errno;
		*cause = xstrfmt("cannot listen on %s: %s", spec, strerror(-r));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return r;
	}
	freeaddrinfo(ai);
	if (getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p, sizeof(p),
	    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		*ret_name = xstrfmt(ss.ss_family == AF_INET6 ? "[%s]:%s" :
		    "%s:%s", h, p);
	else
		*ret_name = xstrdup(spec);
	return fd;
}

int
listen_drop_privileges(const char *user, char **cause)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		*cause = xstrfmt("refusing to serve HTTP as root: user \"%s\" "
		    "does not exist (create it, or pass --user)", user);
		return errno ? -errno : -ENOENT;
	}
	if (pw->pw_uid == 0) {
		*cause = xstrfmt("refusing to serve HTTP as root: --user %s "
		    "is root", user);
		return -EPERM;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
		*cause = xstrfmt("cannot become user %s: %m", user);
		return -errno;
	}
	if (setuid(0) == 0 || geteuid() == 0) {
		*cause = xstrdup("root could be regained after the switch");
		return -EPERM;
	}
	return 0;
}

void
listen_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}
