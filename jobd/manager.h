/* jobd and its own service manager (systemd): readiness, reload and stop
 * notifications, a one-line status, watchdog pings driven by the loop,
 * and the control socket passed by socket activation. */
#ifndef JOBD_MANAGER_H
#define JOBD_MANAGER_H

#include <stdbool.h>

#include <uv.h>

#include "timeutil.h"

struct record;
struct units;

struct manager {
	const struct units *units;	/* for the STATUS= line */
	const struct record *record;
	bool notify;			/* NOTIFY_SOCKET is set */
	uv_timer_t watchdog;		/* WATCHDOG=1 every half period */
	uv_timer_t status;		/* STATUS= refresh */
	bool timers_open;
	usec_t watchdog_usec;
};

void manager_init(struct manager *, uv_loop_t *, const struct units *,
    const struct record *);
void manager_ready(struct manager *);
void manager_reloading(struct manager *);
void manager_stopping(struct manager *);
void manager_status(struct manager *);
void manager_close(struct manager *);
/* The listening socket systemd passed (sd_listen_fds), or -1. */
int manager_listen_fd(void);

#endif
