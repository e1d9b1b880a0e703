/* The signal handles on the loop, and what each signal means.  libuv
 * delivers a signal on the loop, so a handler may do anything the loop
 * may; each only logs and passes it on to its owner, except SIGUSR1: a
 * log file compares the generation at its next write and reopens. */
#include <signal.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "signals.h"

static void
signals_cb(uv_signal_t *h, int signum)
{
	struct signals *s = h->data;

	if (signum == SIGHUP) {
		log_info("SIGHUP: reloading the configuration");
		s->reload(s->owner);
		return;
	}
	if (signum == SIGUSR1) {
		/* After logrotate moved them: each log file reopens at its
		 * next write. */
		log_info("SIGUSR1: reopening log files");
		s->logfile_gen++;
		return;
	}
	log_info("%s: shutting down", strsignal(signum));
	s->shutdown(s->owner);
}

void
signals_start(struct signals *s, uv_loop_t *loop)
{
	uv_signal_t *h[] = { &s->hup, &s->term, &s->intr, &s->usr1 };
	int nums[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1 };
	size_t i;

	for (i = 0; i < ELEMENTSOF(h); i++) {
		uv_signal_init(loop, h[i]);
		h[i]->data = s;
		uv_signal_start(h[i], signals_cb, nums[i]);
	}
	s->open = true;
}

bool
signals_close(struct signals *s)
{
	if (!s->open)
		return false;
	s->open = false;
	uv_close((uv_handle_t *)&s->hup, NULL);
	uv_close((uv_handle_t *)&s->term, NULL);
	uv_close((uv_handle_t *)&s->intr, NULL);
	uv_close((uv_handle_t *)&s->usr1, NULL);
	return true;
}
