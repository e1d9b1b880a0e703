/* The spawn thread: unshares its descriptor table at start, closes every
 * descriptor in it but its end of a socketpair, then serves calls.  The
 * caller passes the child's descriptors over the socketpair (SCM_RIGHTS)
 * and the function and its context as bytes (one address space); the
 * thread runs it and answers with its int.  Children spawned here are
 * the process's children like any other: pidfds and wait4 work. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "spawn-thread.h"

struct spawn_call {
	spawn_thread_fn fn;
	void *ctx;
	int n;
	unsigned char present[SPAWN_THREAD_MAX_FDS];	/* fds[i] >= 0 */
};

static int spawn_sock[2] = { -1, -1 };	/* [0]: callers, [1]: the thread */
static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;
static bool spawn_tried, spawn_ok;

/* Receives one call and its descriptors into fds; -errno on failure. */
static int
spawn_recv(int sock, struct spawn_call *c, int *fds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * SPAWN_THREAD_MAX_FDS)];
	struct iovec iov = { c, sizeof(*c) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	const int *got = NULL;
	size_t ngot = 0, k = 0;
	ssize_t r;
	int i;

	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r != (ssize_t)sizeof(*c))
		return r < 0 ? -errno : -EPROTO;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS) {
			got = (const int *)CMSG_DATA(cm);
			ngot = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		}
	for (i = 0; i < c->n; i++)
		fds[i] = c->present[i] && k < ngot ? got[k++] : -1;
	return 0;
}

static void *
spawn_thread_main(void *arg)
{
	struct spawn_call c;
	int sock = spawn_sock[1], fds[SPAWN_THREAD_MAX_FDS], r, i;

	(void)arg;
	for (;;) {
		if (spawn_recv(sock, &c, fds) < 0)
			return NULL;	/* the callers' end is gone */
		r = c.fn(c.ctx, fds, c.n);
		for (i = 0; i < c.n; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		while (write(sock, &r, sizeof(r)) < 0 && errno == EINTR)
			;
	}
}

/* The thread's first step, before it serves: its own table, holding
 * only its socket.  Reported back so that start knows. */
static void *
spawn_thread_init(void *arg)
{
	int sock = spawn_sock[1], r = 0;

	if (unshare(CLONE_FILES) < 0)
		r = -errno;
	else if ((sock > 0 && close_range(0, (unsigned)sock - 1, 0) < 0) ||
	    close_range((unsigned)sock + 1, ~0U, 0) < 0)
		r = -errno;
	while (write(sock, &r, sizeof(r)) < 0 && errno == EINTR)
		;
	return r == 0 ? spawn_thread_main(arg) : NULL;
}

bool
spawn_thread_start(void)
{
	sigset_t all, old;
	pthread_attr_t at;
	pthread_t t;
	int r = -1;

	pthread_mutex_lock(&spawn_lock);
	if (spawn_tried)
		goto out;
	spawn_tried = true;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    spawn_sock) < 0) {
		log_warning("spawn thread: socketpair: %s", strerror(errno));
		goto out;
	}
	/* Signals stay with the loop thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&at, 64 * 1024);
	r = pthread_create(&t, &at, spawn_thread_init, NULL);
	pthread_attr_destroy(&at);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		log_warning("spawn thread: %s", strerror(r));
		r = -1;
	} else if (read(spawn_sock[0], &r, sizeof(r)) != sizeof(r)) {
		r = -EPROTO;
	}
	if (r < 0) {
		/* Valgrind, for one, refuses unshare(CLONE_FILES). */
		log_debug("spawn thread: %s; spawning from the loop thread",
		    strerror(-r));
		close(spawn_sock[0]);	/* the thread, if any, ends */
		spawn_sock[0] = -1;
	}
	spawn_ok = r == 0;
out:
	pthread_mutex_unlock(&spawn_lock);
	return spawn_ok;
}

int
spawn_thread_call(spawn_thread_fn fn, void *ctx, const int *fds, int n)
{
	struct spawn_call c = { .fn = fn, .ctx = ctx, .n = n };
	char cbuf[CMSG_SPACE(sizeof(int) * SPAWN_THREAD_MAX_FDS)];
	struct iovec iov = { &c, sizeof(c) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	int *out, k = 0, i, r;
	ssize_t w;

	if (!spawn_ok || n > SPAWN_THREAD_MAX_FDS)
		return -ENOSYS;
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	out = (int *)CMSG_DATA(cm);
	for (i = 0; i < n; i++)
		if (fds[i] >= 0) {
			c.present[i] = 1;
			out[k++] = fds[i];
		}
	if (k > 0) {
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)k);
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)k);
	} else {
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
	}
	/* One caller at a time: the loop thread, in practice. */
	pthread_mutex_lock(&spawn_lock);
	do
		w = sendmsg(spawn_sock[0], &mh, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)sizeof(c)) {
		r = w < 0 ? -errno : -EPROTO;
	} else {
		do
			w = read(spawn_sock[0], &r, sizeof(r));
		while (w < 0 && errno == EINTR);
		if (w != (ssize_t)sizeof(r))
			r = w < 0 ? -errno : -EPROTO;
	}
	pthread_mutex_unlock(&spawn_lock);
	return r;
}
