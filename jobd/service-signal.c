/* Signals to a service's main process: the MAINPID= process through its
 * pidfd (never another that got the pid), else the run's own process;
 * once the main process is gone, the run's is what is left. */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "job.h"
#include "service-internal.h"

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
