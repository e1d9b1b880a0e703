/* The spawn threads: each unshares its descriptor table and closes all
 * but its socket, then runs the calls the loop sends (descriptors by
 * SCM_RIGHTS, the call as bytes: one address space) and answers with the
 * result, read on the loop through a uv_poll.  Children spawned here are
 * the process's children like any other: pidfds and wait4 work. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "spawn-thread.h"

#define SPAWN_THREADS 2
/* Calls out at once: fewer than the socket's queue holds
 * (net.unix.max_dgram_qlen, 10 by default), so no send and no answer
 * blocks on a full queue.  A submit beyond that waits for an answer and
 * keeps it for the loop to hand out (never re-entering the caller). */
#define SPAWN_IN_FLIGHT 8

struct spawn_msg {
	struct spawn_req *req;
	int n;
	unsigned char present[SPAWN_THREAD_MAX_FDS];	/* fds[i] >= 0 */
};

struct spawn_answer {
	struct spawn_req *req;
	int result;
};

static struct {
	int sock[2];			/* [0]: the loop, [1]: the threads */
	bool tried, ok;
	uv_poll_t poll;			/* answers to read */
	uv_timer_t later;		/* answers read, to hand out */
	bool open;
	unsigned in_flight;		/* sent, not answered */
	unsigned nanswered;
	TAILQ_HEAD(, spawn_req) answered;
} sp = { .sock = { -1, -1 } };

/* Receives one call and its descriptors into fds; -errno on failure. */
static int
spawn_recv(int sock, struct spawn_msg *m, int *fds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * SPAWN_THREAD_MAX_FDS)];
	struct iovec iov = { m, sizeof(*m) };
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
	if (r != (ssize_t)sizeof(*m))
		return r < 0 ? -errno : -EPROTO;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS) {
			got = (const int *)CMSG_DATA(cm);
			ngot = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		}
	for (i = 0; i < m->n; i++)
		fds[i] = m->present[i] && k < ngot ? got[k++] : -1;
	return 0;
}

static void
spawn_serve(int sock)
{
	struct spawn_msg m;
	struct spawn_answer a;
	int fds[SPAWN_THREAD_MAX_FDS], i;

	/* Sent whole: its padding too. */
	memset(&a, 0, sizeof(a));
	/* Ends when the loop's end is closed (recv returns 0). */
	while (spawn_recv(sock, &m, fds) == 0) {
		a.req = m.req;
		a.result = m.req->fn(m.req->ctx, fds, m.n);
		for (i = 0; i < m.n; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		while (send(sock, &a, sizeof(a), MSG_NOSIGNAL) < 0 &&
		    errno == EINTR)
			;
	}
}

/* A thread's first step: its own table, holding only its socket; the
 * outcome goes back to spawn_thread_start() before any call. */
static void *
spawn_thread_main(void *arg)
{
	int sock = sp.sock[1], r = 0;

	(void)arg;
	if (unshare(CLONE_FILES) < 0)
		r = -errno;
	else if ((sock > 0 && close_range(0, (unsigned)sock - 1, 0) < 0) ||
	    close_range((unsigned)sock + 1, ~0U, 0) < 0)
		r = -errno;
	while (send(sock, &r, sizeof(r), MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
	if (r == 0)
		spawn_serve(sock);
	return NULL;
}

static int
spawn_send(struct spawn_req *req, const int *fds, int n)
{
	struct spawn_msg m;
	char cbuf[CMSG_SPACE(sizeof(int) * SPAWN_THREAD_MAX_FDS)];
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	int *out, k = 0, i;
	ssize_t w;

	/* Sent whole: its padding too. */
	memset(&m, 0, sizeof(m));
	m.req = req;
	m.n = n;
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	out = (int *)CMSG_DATA(cm);
	for (i = 0; i < n; i++)
		if (fds[i] >= 0) {
			m.present[i] = 1;
			out[k++] = fds[i];
		}
	cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)k);
	mh.msg_controllen = k ? CMSG_SPACE(sizeof(int) * (size_t)k) : 0;
	if (k == 0)
		mh.msg_control = NULL;
	do
		w = sendmsg(sp.sock[0], &mh, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)sizeof(m))
		return w < 0 ? -errno : -EPROTO;
	/* The loop runs while an answer is due. */
	if (sp.in_flight++ == 0)
		uv_ref((uv_handle_t *)&sp.poll);
	return 0;
}

/* Reads one answer (waiting for it when block); false when none. */
static bool
spawn_read_answer(bool block)
{
	struct pollfd pfd = { .fd = sp.sock[0], .events = POLLIN };
	struct spawn_answer a;
	ssize_t r;

	/* uv_poll made the socket non-blocking: wait with poll(). */
	for (;;) {
		r = recv(sp.sock[0], &a, sizeof(a), MSG_DONTWAIT);
		if (r >= 0 || (errno != EINTR && errno != EAGAIN) || !block)
			break;
		if (errno == EAGAIN && poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
	}
	if (r != (ssize_t)sizeof(a))
		return false;
	if (--sp.in_flight == 0)
		uv_unref((uv_handle_t *)&sp.poll);
	a.req->result = a.result;
	if (a.req->answered)
		a.req->answered(a.req);
	TAILQ_INSERT_TAIL(&sp.answered, a.req, entry);
	sp.nanswered++;
	return true;
}

/* Tells the callers, oldest first; a callback may submit more. */
static void
spawn_hand_out(void)
{
	struct spawn_req *req;

	while ((req = TAILQ_FIRST(&sp.answered))) {
		TAILQ_REMOVE(&sp.answered, req, entry);
		sp.nanswered--;
		req->done(req, req->result);
	}
}

static void
spawn_poll_cb(uv_poll_t *h, int status, int events)
{
	(void)h;
	(void)status;
	(void)events;
	while (spawn_read_answer(false))
		;
	spawn_hand_out();
}

static void
spawn_later_cb(uv_timer_t *t)
{
	(void)t;
	spawn_hand_out();
}

bool
spawn_thread_start(uv_loop_t *loop)
{
	sigset_t all, old;
	pthread_attr_t at;
	pthread_t t[SPAWN_THREADS];
	int r = 0, i, started = 0, answer;

	if (sp.tried)
		return sp.ok;
	sp.tried = true;
	TAILQ_INIT(&sp.answered);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    sp.sock) < 0) {
		log_warning("spawn threads: socketpair: %s", strerror(errno));
		return false;
	}
	/* Signals stay with the loop thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 64 * 1024);
	for (i = 0; i < SPAWN_THREADS && r == 0; i++)
		if ((r = -pthread_create(&t[i], &at, spawn_thread_main,
		    NULL)) == 0)
			started++;
	pthread_attr_destroy(&at);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (i = 0; i < started; i++)
		if (read(sp.sock[0], &answer, sizeof(answer)) !=
		    sizeof(answer))
			r = -EPROTO;
		else if (answer < 0)
			r = answer;
	if (r < 0) {
		log_debug("spawn threads: %s; spawning from the loop thread",
		    strerror(-r));
		/* Threads that started end when the loop's end closes;
		 * joined, they leave nothing behind. */
		close(sp.sock[0]);
		for (i = 0; i < started; i++)
			pthread_join(t[i], NULL);
		close(sp.sock[1]);
		sp.sock[0] = sp.sock[1] = -1;
		return false;
	}
	for (i = 0; i < started; i++)
		pthread_detach(t[i]);
	uv_poll_init(loop, &sp.poll, sp.sock[0]);
	uv_poll_start(&sp.poll, UV_READABLE, spawn_poll_cb);
	uv_unref((uv_handle_t *)&sp.poll);
	uv_timer_init(loop, &sp.later);
	sp.open = true;
	sp.ok = true;
	return true;
}

int
spawn_thread_submit(struct spawn_req *req, const int *fds, int n)
{
	if (!sp.ok || !sp.open || n > SPAWN_THREAD_MAX_FDS)
		return -ENOSYS;
	if (sp.in_flight >= SPAWN_IN_FLIGHT) {
		if (!spawn_read_answer(true))
			return -EPROTO;
		uv_timer_start(&sp.later, spawn_later_cb, 0, 0);
	}
	return spawn_send(req, fds, n);
}

bool
spawn_thread_full(void)
{
	return sp.ok && sp.open && sp.in_flight >= SPAWN_IN_FLIGHT;
}

unsigned
spawn_thread_in_flight(void)
{
	return sp.in_flight + sp.nanswered;
}

void
spawn_thread_stop(void)
{
	if (!sp.open)
		return;
	sp.open = false;
	uv_close((uv_handle_t *)&sp.poll, NULL);
	uv_close((uv_handle_t *)&sp.later, NULL);
}
