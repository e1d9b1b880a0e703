/* The mail sink: `sendmail -t -oi` (sendmail= in [jobd]) spawned through
 * jobd's own path (proc.c: posix_spawn on a spawn thread, the exit seen
 * through a pidfd), the message on its stdin from a sealed memfd, its
 * output kept in a pipe for the detail of a failure.  Exit 0 is sent;
 * another exit, a signal, or no exit within ALERTS_MAIL_TIMEOUT (it is
 * killed, with its process group) failed.  A child outlives the delivery
 * it was for when jobd stops: it is killed and its handles closed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alerts-internal.h"
#include "exec-context.h"
#include "proc.h"
#include "signame.h"
#include "strv.h"
#include "xmalloc.h"

#define MAIL_OUTPUT_MAX 200

struct alert_mail {
	struct proc proc;
	uv_timer_t timer;		/* the deadline */
	struct run_exec exec;		/* argv and environment */
	struct alerts *alerts;
	struct alert_delivery *d;	/* NULL once cancelled */
	int out;			/* its stdout and stderr: read end */
	bool spawning, exited, timed_out, closing;
	unsigned open;			/* handles not closed yet */
	struct alert_mail *next, **prev;
};

static void
mail_free(struct alert_mail *m)
{
	strv_free(m->exec.argv);
	strv_free(m->exec.env);
	free(m);
}

static void
mail_close_cb(uv_handle_t *h)
{
	struct alert_mail *m = h->data;

	if (--m->open == 0)
		mail_free(m);
}

/* Its handles closed, it is freed (at once when it has none). */
static void
mail_close(struct alert_mail *m)
{
	if (m->closing)
		return;
	m->closing = true;
	*m->prev = m->next;
	if (m->next)
		m->next->prev = m->prev;
	if (m->out >= 0)
		close(m->out);
	m->out = -1;
	if (m->open == 0) {
		mail_free(m);
		return;
	}
	proc_close(&m->proc, mail_close_cb);
	uv_close((uv_handle_t *)&m->timer, mail_close_cb);
}

static void
mail_kill(struct alert_mail *m)
{
	/* A new session: its pid is its process group's. */
	if (!m->exited && m->proc.pid > 0)
		kill(-m->proc.pid, SIGKILL);
}

/* What sendmail said, its first line cleaned. */
static char *
mail_output(struct alert_mail *m)
{
	char buf[MAIL_OUTPUT_MAX + 1];
	ssize_t n = read(m->out, buf, MAIL_OUTPUT_MAX);

	if (n <= 0)
		return xstrdup("");
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return alert_text_clean(buf, 120, false);
}

static void
mail_report(struct alert_mail *m, bool sent, bool retry, const char *detail)
{
	struct alert_delivery *d = m->d;

	if (!d)
		return;
	m->d = NULL;
	d->mail = NULL;
	alerts_attempt_done(d, sent, retry, detail);
}

static void
mail_exit_cb(struct proc *p, int64_t status, int sig)
{
	struct alert_mail *m = container_of(p, struct alert_mail, proc);
	_cleanup_free_ char *out = mail_output(m), *detail = NULL;
	char span[TIMESPAN_MAX];

	m->exited = true;
	uv_timer_stop(&m->timer);
	if (m->timed_out)
		detail = xstrfmt("sendmail timed out after %s, killed",
		    timespan_format(span, sizeof(span), ALERTS_MAIL_TIMEOUT));
	else if (sig)
		detail = xstrfmt("sendmail killed by %s",
		    signal_to_string(sig));
	else
		detail = xstrfmt("sendmail exit status %lld%s%s",
		    (long long)status, *out ? ": " : "", out);
	mail_report(m, !m->timed_out && !sig && status == 0, true, detail);
	mail_close(m);
}

static void
mail_timer_cb(uv_timer_t *t)
{
	struct alert_mail *m = t->data;

	m->timed_out = true;
	mail_kill(m);
}

static void
mail_spawned_cb(struct proc *p, int err)
{
	struct alert_mail *m = container_of(p, struct alert_mail, proc);
	struct alerts *a = m->alerts;
	_cleanup_free_ char *detail = NULL;

	m->spawning = false;
	a->spawning--;
	if (err < 0) {
		detail = xstrfmt("cannot run '%s': %s", m->exec.argv[0],
		    strerror(-err));
		mail_report(m, false, err != -ENOENT && err != -EACCES, detail);
		mail_close(m);
	} else {
		m->open++;			/* the proc's watch */
		uv_timer_init(a->o.loop, &m->timer);
		m->timer.data = m;
		m->open++;
		uv_timer_start(&m->timer, mail_timer_cb,
		    ALERTS_MAIL_TIMEOUT / USEC_PER_MSEC, 0);
		if (!m->d || a->closed)
			mail_kill(m);
		if (a->closed)
			mail_close(m);
	}
	if (a->stopping && a->spawning == 0 && a->o.idle)
		a->o.idle(a->o.owner);
}

/* The message in a sealed memfd, and a pipe for what sendmail says. */
static int
mail_fds(struct alert_mail *m, int fds[3])
{
	struct alert_context c;
	_cleanup_free_ char *msg = NULL;
	int p[2];

	alerts_context(m->d, &c);
	msg = alert_mail_message(m->d->event, &c);
	if ((fds[0] = spawn_memfd("jobd-mail", msg, strlen(msg))) < 0)
		return fds[0];
	if (pipe2(p, O_CLOEXEC) < 0) {
		close(fds[0]);
		return -errno;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	m->out = p[0];
	fds[1] = fds[2] = p[1];
	return 0;
}

static void
mail_start(struct alert_delivery *d)
{
	struct alerts *a = d->alerts;
	struct alert_mail *m = xcalloc(1, sizeof(*m));
	_cleanup_free_ char *why = NULL;
	int fds[3], r;

	m->alerts = a;
	m->d = d;
	m->out = -1;
	m->next = a->mails;
	if (m->next)
		m->next->prev = &m->next;
	m->prev = &a->mails;
	a->mails = m;
	d->mail = m;
	if ((r = mail_fds(m, fds)) < 0) {
		why = xstrfmt("cannot pass the message: %s", strerror(-r));
		mail_report(m, false, true, why);
		mail_close(m);
		return;
	}
	m->exec.argv = strv_append(NULL, d->sendmail);
	m->exec.argv = strv_append(m->exec.argv, "-t");
	m->exec.argv = strv_append(m->exec.argv, "-oi");
	m->exec.env = strv_append(NULL, "PATH=" SPAWN_DEFAULT_PATH);
	m->proc.data = m;
	m->spawning = true;
	a->spawning++;
	/* The answer may come before this returns. */
	proc_spawn(&m->proc, a->o.loop, &m->exec, fds, 3, mail_spawned_cb,
	    mail_exit_cb);
	close(fds[0]);
	close(fds[1]);
}

static void
mail_cancel(struct alert_delivery *d)
{
	struct alert_mail *m = d->mail;

	if (!m)
		return;
	m->d = NULL;
	d->mail = NULL;
	if (!m->spawning)
		mail_kill(m);
}

void
alert_mail_close_all(struct alerts *a)
{
	struct alert_mail *m, *next;

	for (m = a->mails; m; m = next) {
		next = m->next;
		if (m->spawning)
			continue;	/* closed when answered */
		mail_kill(m);
		mail_close(m);
	}
}

const struct alert_sink_ops alert_mail_ops = {
	.start = mail_start,
	.cancel = mail_cancel,
};
