/* jobd under systemd (Type=notify): READY=1 once the config is loaded and
 * the socket listens, RELOADING=1 with MONOTONIC_USEC= and READY=1 around
 * a reload, STOPPING=1 at shutdown, STATUS= with a summary, and
 * WATCHDOG=1 from a loop timer: a stuck loop stops pinging, and systemd
 * restarts jobd.  Without NOTIFY_SOCKET every call here is a no-op. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <systemd/sd-daemon.h>

#include "job.h"
#include "log.h"
#include "manager.h"
#include "record.h"
#include "units.h"

#define MANAGER_STATUS_INTERVAL (10 * USEC_PER_SEC)

static void
manager_watchdog_cb(uv_timer_t *t)
{
	sd_notify(0, "WATCHDOG=1");
	(void)t;
}

static void
manager_status_cb(uv_timer_t *t)
{
	manager_status(t->data);
}

void
manager_init(struct manager *m, uv_loop_t *loop, const struct units *u,
    const struct record *rec)
{
	uint64_t usec = 0;

	*m = (struct manager){ .units = u, .record = rec };
	m->notify = getenv("NOTIFY_SOCKET") != NULL;
	if (!m->notify)
		return;
	uv_timer_init(loop, &m->watchdog);
	uv_timer_init(loop, &m->status);
	m->watchdog.data = m->status.data = m;
	uv_unref((uv_handle_t *)&m->watchdog);
	uv_unref((uv_handle_t *)&m->status);
	m->timers_open = true;
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		m->watchdog_usec = usec;
		/* Half the period: one late tick is not yet a restart. */
		uv_timer_start(&m->watchdog, manager_watchdog_cb,
		    usec / 2 / USEC_PER_MSEC, usec / 2 / USEC_PER_MSEC);
	}
}

void
manager_status(struct manager *m)
{
	const struct record *rec = m->record;
	unsigned jobs = 0, services = 0, running = 0;
	const struct job *j;

	if (!m->notify)
		return;
	TAILQ_FOREACH(j, &m->units->jobs, entry) {
		if (!j->config)
			continue;
		if (j->service)
			services++;
		else
			jobs++;
		running += j->nactive;
	}
	sd_notifyf(0, "STATUS=%u jobs, %u services, %u runs in flight, "
	    "ledger %s%s", jobs, services, running,
	    rec->ledger && !rec->error ? "ok" : "NOT WRITING",
	    rec->nqueue ? " (rows queued)" : "");
}

void
manager_ready(struct manager *m)
{
	if (!m->notify)
		return;
	sd_notify(0, "READY=1");
	manager_status(m);
	uv_timer_start(&m->status, manager_status_cb,
	    MANAGER_STATUS_INTERVAL / USEC_PER_MSEC,
	    MANAGER_STATUS_INTERVAL / USEC_PER_MSEC);
}

void
manager_reloading(struct manager *m)
{
	if (m->notify)
		sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\n"
		    "STATUS=reloading the configuration",
		    (unsigned long long)now_monotonic());
}

void
manager_stopping(struct manager *m)
{
	if (m->notify)
		sd_notify(0, "STOPPING=1\nSTATUS=stopping every run");
}

void
manager_close(struct manager *m)
{
	if (!m->timers_open)
		return;
	m->timers_open = false;
	uv_close((uv_handle_t *)&m->watchdog, NULL);
	uv_close((uv_handle_t *)&m->status, NULL);
}

int
manager_listen_fd(void)
{
	int n = sd_listen_fds(1);

	if (n <= 0)
		return -1;
	if (n > 1)
		log_warning("%d sockets passed by the service manager; using "
		    "the first", n);
	if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL,
	    0) <= 0) {
		log_warning("the passed socket is not a listening Unix stream "
		    "socket; ignoring it");
		return -1;
	}
	return SD_LISTEN_FDS_START;
}
