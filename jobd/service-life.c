/* A service as an object: made with its job (services.c), freed once its
 * timers are closed, and the clients waiting on it (start --wait, stop
 * --wait) until the state machine wakes them or it goes. */
#include <stdlib.h>

#include "job.h"
#include "run-ctx.h"
#include "service-internal.h"
#include "xmalloc.h"

struct service *
service_new(struct job *j, const struct service_ctx *ctx)
{
	struct service *s = xcalloc(1, sizeof(*s));

	s->job = j;
	s->ctx = ctx;
	s->main_pidfd = -1;
	s->last_exit_status = -1;
	uv_timer_init(j->ctx->loop, &s->timer);
	s->timer.data = s;
	return s;
}

void
service_wait(struct service *s, struct service_waiter *w)
{
	w->next = s->waiters;
	s->waiters = w;
}

void
service_unwait(struct service *s, struct service_waiter *w)
{
	struct service_waiter **pp;

	for (pp = &s->waiters; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			return;
		}
	}
}

static void
service_close_cb(uv_handle_t *h)
{
	struct service *s = h->data;

	if (--s->open_handles > 0)
		return;
	free(s->last_result);
	free(s->probe_last.detail);
	free(s->status_text);
	free(s->reason);
	free(s->starts.at);
	free(s->watchdog);
	free(s);
}

void
service_free(struct service *s)
{
	struct service_waiter *w;

	if (!s)
		return;
	s->closing = true;
	service_probe_end(s);
	service_forget_main_pid(s, 0);
	if (s->run)
		run_unobserve(&s->observer);
	while ((w = s->waiters)) {
		s->waiters = w->next;
		w->cb(w, s, false);
	}
	s->open_handles = 1;
	uv_close((uv_handle_t *)&s->timer, service_close_cb);
	if (s->watchdog) {
		s->open_handles++;
		uv_close((uv_handle_t *)s->watchdog, service_close_cb);
	}
}
