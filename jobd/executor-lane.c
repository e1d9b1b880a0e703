/* An executor lane: one thread of its own running work in submit order.
 * The loop sends each item's address over a SOCK_SEQPACKET socketpair;
 * the thread runs it and sends the address back, read on the loop by a
 * uv_poll, which calls done.  One address space and no shared queue: the
 * socket is the only hand-over, so no mutex (as in spawn-thread.c). */
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "executor.h"
#include "log.h"
#include "xmalloc.h"

/* Items out at once: fewer than a socket's queue holds
 * (net.unix.max_dgram_qlen, 10 by default), so a send never blocks; the
 * rest wait on the loop side, in order. */
#define LANE_IN_FLIGHT 8

struct executor_lane_item {
	executor_work_fn work;
	executor_done_fn done;
	void *data;
	struct executor_lane_item *next;
};

static void *
executor_lane_main(void *arg)
{
	struct executor_lane *lane = arg;
	struct executor_lane_item *it;
	int sock = lane->sock[1];
	ssize_t n;

	/* Ends when the loop's end shuts down (recv returns 0). */
	for (;;) {
		n = recv(sock, &it, sizeof(it), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(it))
			break;
		it->work(it->data);
		while (send(sock, &it, sizeof(it), MSG_NOSIGNAL) < 0 &&
		    errno == EINTR)
			;
	}
	return NULL;
}

/* Sends waiting items while fewer than LANE_IN_FLIGHT are out. */
static void
executor_lane_send(struct executor_lane *lane)
{
	struct executor_lane_item *it;
	ssize_t n;

	while ((it = lane->waiting) && lane->in_flight < LANE_IN_FLIGHT) {
		n = send(lane->sock[0], &it, sizeof(it), MSG_NOSIGNAL |
		    MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		/* A full queue (EAGAIN): the next answer sends again. */
		if (n != (ssize_t)sizeof(it))
			return;
		lane->waiting = it->next;
		if (!lane->waiting)
			lane->waiting_tail = NULL;
		lane->in_flight++;
	}
}

static void
executor_lane_poll_cb(uv_poll_t *h, int status, int events)
{
	struct executor_lane *lane = h->data;
	struct executor_lane_item *it;
	ssize_t n;

	(void)status;
	(void)events;
	/* done may stop the lane (the ledger's last close): then stop. */
	while (!lane->closing) {
		n = recv(lane->sock[0], &it, sizeof(it), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(it))
			break;
		lane->in_flight--;
		lane->queued--;
		lane->completed++;
		if (lane->queued == 0)
			uv_unref((uv_handle_t *)&lane->poll);
		executor_lane_send(lane);
		if (it->done)
			it->done(it->data, 0);
		free(it);
	}
}

bool
executor_lane_start(struct executor_lane *lane, uv_loop_t *loop,
    struct executor *fallback)
{
	sigset_t all, old;
	int r;

	*lane = (struct executor_lane){ .loop = loop, .fallback = fallback,
	    .sock = { -1, -1 } };
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    lane->sock) < 0) {
		log_warning("ledger thread: socketpair: %s; using the thread "
		    "pool", strerror(errno));
		return false;
	}
	/* Signals stay with the loop thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&lane->thread, NULL, executor_lane_main, lane);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		log_warning("ledger thread: %s; using the thread pool",
		    strerror(r));
		close(lane->sock[0]);
		close(lane->sock[1]);
		lane->sock[0] = lane->sock[1] = -1;
		return false;
	}
	uv_poll_init(loop, &lane->poll, lane->sock[0]);
	lane->poll.data = lane;
	uv_poll_start(&lane->poll, UV_READABLE, executor_lane_poll_cb);
	uv_unref((uv_handle_t *)&lane->poll);
	lane->running = true;
	return true;
}

void
executor_lane_submit(struct executor_lane *lane, executor_work_fn work,
    executor_done_fn done, void *data)
{
	struct executor_lane_item *it;

	if (!lane->running) {
		executor_submit(lane->fallback, work, done, data);
		return;
	}
	assert(!lane->closing);
	it = xcalloc(1, sizeof(*it));
	it->work = work;
	it->done = done;
	it->data = data;
	if (lane->waiting_tail)
		lane->waiting_tail->next = it;
	else
		lane->waiting = it;
	lane->waiting_tail = it;
	/* The loop runs while an answer is due. */
	if (lane->queued++ == 0)
		uv_ref((uv_handle_t *)&lane->poll);
	executor_lane_send(lane);
}

static void
executor_lane_close_cb(uv_handle_t *h)
{
	struct executor_lane *lane = h->data;

	close(lane->sock[0]);
	lane->sock[0] = -1;
}

void
executor_lane_stop(struct executor_lane *lane)
{
	if (!lane->running || lane->closing)
		return;
	assert(lane->queued == 0);
	lane->closing = true;
	/* The thread waits in recv(): it sees the end and returns. */
	shutdown(lane->sock[0], SHUT_RDWR);
	pthread_join(lane->thread, NULL);
	close(lane->sock[1]);
	lane->sock[1] = -1;
	lane->running = false;
	uv_close((uv_handle_t *)&lane->poll, executor_lane_close_cb);
}
