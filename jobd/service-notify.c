/* sd_notify messages for services and the main process they name: the
 * sender mapped to its service by pid and process group, MAINPID= taken
 * only for a process of the service's own run (kept as a pidfd, which
 * signals go through, so never to another that got the pid), a message
 * whose sender no service knows yet kept for a moment (its spawn may not
 * be answered), and why a service that needs the socket cannot start
 * without it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "config.h"
#include "job.h"
#include "notify.h"
#include "service-internal.h"
#include "spawn-thread.h"
#include "units.h"
#include "xmalloc.h"

/* Back to the run's own process (whose pidfd proc.c holds). */
void
service_forget_main_pid(struct service *s, pid_t pid)
{
	if (s->main_pidfd >= 0)
		close(s->main_pidfd);
	s->main_pidfd = -1;
	s->main_pid = pid;
}

int
service_signal(struct service *s, int sig)
{
	pid_t pid = s->main_pid ? s->main_pid : s->run ? s->run->pid : 0;

	if (!s->run || pid <= 0)
		return -ESRCH;
	if (s->main_pidfd >= 0) {
		if (syscall(SYS_pidfd_send_signal, s->main_pidfd, sig, NULL,
		    0) == 0)
			return 0;
		if (errno != ESRCH)
			return -errno;
		log_svc(s, LOG_NOTICE, "service '%s': main pid %d has exited; "
		    "signalling pid %d", s->job->name, (int)pid, s->run->pid);
		service_forget_main_pid(s, pid = s->run->pid);
	}
	return kill(pid, sig) < 0 ? -errno : 0;
}

/* The service a notification came from: its main pid, or any process in
 * the process group of its run (a daemon's helper may call sd_notify). */
static struct service *
service_by_pid(const struct units *u, pid_t pid)
{
	pid_t pgid = getpgid(pid);
	struct job *j;
	struct service *s;

	TAILQ_FOREACH(j, &u->jobs, entry) {
		s = j->service;
		if (!s || !s->run)
			continue;
		if (s->main_pid == pid || s->run->pid == pid ||
		    (pgid > 0 && pgid == s->run->pid))
			return s;
	}
	return NULL;
}

/* Whether pid is a process of the service's run: in its session (every
 * run is one) or its cgroup.  MAINPID= names the process that stop,
 * reload and `jobctl signal` reach, so a service may not name another's
 * process, or root's (systemd checks unprivileged senders the same way,
 * by cgroup). */
static bool
service_run_has_pid(const struct service *s, pid_t pid)
{
	pid_t sid = getsid(pid);

	if (!s->run || pid <= 0)
		return false;
	if (sid > 0 && sid == s->run->pid)
		return true;
	return s->run->cgroup && cgroup_has_pid(s->run->cgroup, pid);
}

/* MAINPID=: kept as a pidfd, so that a signal never reaches another
 * process that got the pid after the main process exited. */
static void
service_set_main_pid(struct service *s, const struct notify_msg *m)
{
	int fd;

	if (m->mainpid == s->main_pid)
		return;
	if (s->run && m->mainpid == s->run->pid) {
		service_forget_main_pid(s, m->mainpid);
		return;
	}
	fd = (int)syscall(SYS_pidfd_open, m->mainpid, 0);
	/* Checked once the pidfd holds the process; root speaks for
	 * itself (a root service could signal anything anyway). */
	if (fd >= 0 && (m->uid == 0 || service_run_has_pid(s, m->mainpid))) {
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		service_forget_main_pid(s, m->mainpid);
		s->main_pidfd = fd;
		return;
	}
	if (fd >= 0)
		close(fd);
	log_svc(s, LOG_WARNING, "service '%s': ignoring MAINPID=%d from pid "
	    "%d (uid %u): not a process of the service's run", s->job->name,
	    (int)m->mainpid, (int)m->pid, (unsigned)m->uid);
}

/* ready=notify and watchdog_sec= need the notify socket: without it the
 * service fails at once, saying why, instead of timing out for ever.
 * Returns the reason, or NULL when nothing is missing. */
char *
service_notify_missing(const struct service *s)
{
	const struct job_service *c = svc_cfg(s);
	const struct notify *n = s->ctx->notify;

	if ((c->ready != READY_NOTIFY && !c->watchdog_sec) || n->fd >= 0)
		return NULL;
	return xstrfmt("%s needs the notify socket '%s', which jobd could not "
	    "open: %s", c->ready == READY_NOTIFY ? "ready=notify" :
	    "watchdog_sec=", n->path ? n->path : "?",
	    n->error == -EADDRINUSE ? "another process listens on it" :
	    strerror(-n->error));
}

/* A message applied to its service; false when no service has (yet)
 * a process with the sender's pid. */
bool
service_notify_take(void *data, const struct notify_msg *m)
{
	const struct service_ctx *ctx = data;
	struct service *s = service_by_pid(ctx->units, m->pid);

	if (!s)
		return false;
	if (m->status) {
		free(s->status_text);
		s->status_text = xstrndup(m->status, 256);
	}
	if (m->mainpid > 0)
		service_set_main_pid(s, m);
	if (m->errnum)
		s->errnum = m->errnum;
	/* The rest moves the state machine, in this order. */
	if (m->watchdog)
		service_event(s, SVC_EV_KEEPALIVE, NULL);
	if (m->reloading)
		service_event(s, SVC_EV_RELOADING, NULL);
	if (m->ready)
		service_event(s, SVC_EV_NOTIFY_READY, NULL);
	if (m->stopping)
		service_event(s, SVC_EV_STOPPING, NULL);
	return true;
}

bool
service_notify(void *data, const struct notify_msg *m)
{
	const struct service_ctx *ctx = data;

	if (service_notify_take(data, m))
		return true;
	/* Its spawn's answer may still be on its way. */
	if (spawn_thread_in_flight() > 0) {
		notify_stash(ctx->notify, m);
		return false;
	}
	log_debug("notify: message from pid %d, no service of ours",
	    (int)m->pid);
	return false;
}
