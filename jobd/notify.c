/* sd_notify for services.  systemd's protocol, so a daemon that calls
 * sd_notify() runs unchanged under jobd: datagrams of KEY=value lines on
 * the socket named by NOTIFY_SOCKET.  The kernel tells us the sender's
 * pid and uid (SO_PASSCRED); the owner's callback maps them to a
 * service.  File descriptors sent along (FDSTORE=1) are closed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "sockpath.h"
#include "xmalloc.h"

void
notify_parse(char *text, struct notify_msg *m)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "READY=1"))
			m->ready = true;
		else if (!strcmp(line, "STOPPING=1"))
			m->stopping = true;
		else if (!strcmp(line, "RELOADING=1"))
			m->reloading = true;
		else if (!strcmp(line, "WATCHDOG=1"))
			m->watchdog = true;
		else if (!strncmp(line, "STATUS=", 7))
			m->status = line + 7;
		else if (!strncmp(line, "MAINPID=", 8))
			m->mainpid = (pid_t)strtol(line + 8, NULL, 10);
		else if (!strncmp(line, "ERRNO=", 6))
			m->errnum = (int)strtol(line + 6, NULL, 10);
	}
}

/* Closes any descriptors that came with the message. */
static void
notify_close_fds(struct msghdr *mh)
{
	struct cmsghdr *c;
	size_t i, n;
	int *fds;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		fds = (int *)CMSG_DATA(c);
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++)
			close(fds[i]);
	}
}

/* The sender's pid and uid, as the kernel vouches for them. */
static void
notify_sender(struct msghdr *mh, struct notify_msg *m)
{
	struct cmsghdr *c;
	struct ucred cred;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_CREDENTIALS) {
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			m->pid = cred.pid;
			m->uid = cred.uid;
			return;
		}
	}
}

static void
notify_read_cb(uv_poll_t *p, int status, int events)
{
	struct notify *n = p->data;
	char buf[NOTIFY_MAX_MESSAGE + 1];
	char ctl[CMSG_SPACE(sizeof(struct ucred)) +
	    CMSG_SPACE(sizeof(int) * 32)];
	struct iovec iov = { buf, NOTIFY_MAX_MESSAGE };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct notify_msg m;
	ssize_t len;
	int i;

	(void)status;
	(void)events;
	/* A bounded batch per wake-up, so a flood cannot starve the loop. */
	for (i = 0; i < 64; i++) {
		mh.msg_controllen = sizeof(ctl);
		len = recvmsg(n->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (len < 0)
			break;
		notify_close_fds(&mh);
		if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
			continue;
		buf[len] = '\0';
		m = (struct notify_msg){ 0 };
		notify_sender(&mh, &m);
		if (m.pid <= 0)
			continue;
		notify_parse(buf, &m);
		n->take(n->ctx, &m);
	}
}

static void
notify_early_drop(struct notify *n, unsigned i)
{
	free((char *)n->early[i].msg.status);
	memmove(&n->early[i], &n->early[i + 1],
	    (--n->nearly - i) * sizeof(n->early[0]));
}

void
notify_stash(struct notify *n, const struct notify_msg *m)
{
	struct notify_early *e;

	if (n->nearly == NOTIFY_EARLY_MAX)
		notify_early_drop(n, 0);
	e = &n->early[n->nearly++];
	e->msg = *m;
	e->msg.status = m->status ? xstrdup(m->status) : NULL;
	e->at = now_monotonic();
}

void
notify_replay(struct notify *n, notify_take_fn take, void *ctx)
{
	usec_t now = now_monotonic();
	unsigned i = 0;

	while (i < n->nearly)
		if (now - n->early[i].at > NOTIFY_EARLY_USEC ||
		    take(ctx, &n->early[i].msg))
			notify_early_drop(n, i);
		else
			i++;
}

int
notify_open(struct notify *n, uv_loop_t *loop, const char *path,
    notify_take_fn take, void *ctx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int one = 1, r;

	*n = (struct notify){ .take = take, .ctx = ctx, .fd = -1,
	    .path = xstrdup(path) };
	if (strlen(path) >= sizeof(sa.sun_path))
		return n->error = -ENAMETOOLONG;
	if ((r = sockpath_claim(path, SOCK_DGRAM)) < 0)
		return n->error = r;
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (n->fd < 0)
		return n->error = -errno;
	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	/* Writable by every user, as systemd's own notify socket is: a
	 * service with user= must reach it.  The kernel names the sender,
	 * and only the sender's own service listens to it. */
	if (bind(n->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0666) < 0 ||
	    setsockopt(n->fd, SOL_SOCKET, SO_PASSCRED, &one,
	    sizeof(one)) < 0) {
		r = -errno;
		close(n->fd);
		n->fd = -1;
		return n->error = r;
	}
	uv_poll_init(loop, &n->poll, n->fd);
	n->poll.data = n;
	uv_poll_start(&n->poll, UV_READABLE, notify_read_cb);
	return 0;
}

void
notify_close(struct notify *n)
{
	while (n->nearly > 0)
		notify_early_drop(n, 0);
	if (n->fd >= 0) {
		uv_close((uv_handle_t *)&n->poll, NULL);
		close(n->fd);
		n->fd = -1;
		unlink(n->path);
	}
	free(n->path);
	n->path = NULL;
}
