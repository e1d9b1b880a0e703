/* The blocking Varlink client: connect to jobd, send one call, read the
 * replies one at a time through the shared framer, and turn everything that
 * is not a successful reply into a message and an exit code.  What a reply
 * means is the caller's business (jobctl.c, print.c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "client.h"
#include "varlink.h"
#include "xmalloc.h"

/* Error replies jobctl explains; the parameter named by key fills %s. */
static const struct client_error {
	const char *name;
	const char *key;
	const char *fmt;
	int code;
	bool cancel;		/* only for Cancel (listed first) */
} client_errors[] = {
	{ VARLINK_INTERFACE ".NoSuchJob", "job", "no such job or service "
	    "'%s'", 1, 0 },
	{ VARLINK_INTERFACE ".NoSuchRun", "run", "no such run %s", 1, 0 },
	{ VARLINK_INTERFACE ".NoRuns", "job", "job '%s' has no active run",
	    1, 1 },
	{ VARLINK_INTERFACE ".NoRuns", "job", "job '%s' has no runs", 1, 0 },
	{ VARLINK_INTERFACE ".RunFinished", "run",
	    "run %s has already finished", 1, 0 },
	{ VARLINK_INTERFACE ".ShuttingDown", NULL, "jobd is shutting down",
	    1, 0 },
	{ VARLINK_INTERFACE ".NotPeriodic", "job",
	    "job '%s' is not periodic (no schedule=, every= or on_boot=)",
	    1, 0 },
	{ VARLINK_INTERFACE ".InvalidSchedule", "error",
	    "invalid schedule: %s", 1, 0 },
	{ VARLINK_INTERFACE ".LedgerUnavailable", "reason",
	    "the run ledger is unavailable: %s", 1, 0 },
	{ VARLINK_INTERFACE ".NotService", "unit", "'%s' is not a service",
	    1, 0 },
	{ VARLINK_INTERFACE ".IsService", "service", "'%s' is a service: "
	    "stop it with 'jobctl stop' or 'jobctl restart'", 1, 0 },
	{ VARLINK_INTERFACE ".TooManyRuns", "limit",
	    "too many runs in flight (the limit is %s)", 1, 0 },
	{ VARLINK_INTERFACE ".ServiceFailed", "reason",
	    "the service has failed (%s); use jobctl restart or reset-failed",
	    1, 0 },
	{ VARLINK_INTERFACE ".NotRunning", "service",
	    "service '%s' is not running", 1, 0 },
	{ VARLINK_INTERFACE ".NoSuchAlert", "alert", "no such alert '%s'",
	    1, 0 },
	{ VARLINK_SERVICE ".PermissionDenied", NULL, "permission denied",
	    1, 0 },
	{ VARLINK_SERVICE ".InvalidParameter", "parameter",
	    "invalid parameter '%s'", 1, 0 },
	{ VARLINK_SERVICE ".MethodNotFound", "method",
	    "protocol mismatch: jobd does not know method '%s'", 3, 0 },
	{ VARLINK_SERVICE ".MethodNotImplemented", "method",
	    "protocol mismatch: jobd does not implement method '%s'", 3, 0 },
	{ VARLINK_SERVICE ".InterfaceNotFound", "interface",
	    "protocol mismatch: jobd does not know interface '%s'", 3, 0 },
};

/* The self-pipe of client_stop_on_signals: a signal makes it readable,
 * so that one arriving before the wait for a reply is not missed. */
static int client_stop_pipe[2] = { -1, -1 };

static void
client_stop_handler(int sig)
{
	int saved = errno;

	(void)sig;
	/* A full pipe has a byte already. */
	(void)!write(client_stop_pipe[1], "", 1);
	errno = saved;
}

void
client_stop_on_signals(void)
{
	struct sigaction sa = { .sa_handler = client_stop_handler };

	if (pipe2(client_stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return;		/* the signals keep their default */
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a write to a full pipe ends too. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Waits until fd can be read: 0, or -EINTR once a stop signal came. */
static int
client_wait(int fd)
{
	struct pollfd p[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = client_stop_pipe[0], .events = POLLIN },
	};

	if (client_stop_pipe[0] < 0)
		return 0;
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return -errno;
		if (p[1].revents)
			return -EINTR;
		if (p[0].revents)
			return 0;
	}
}

char *
client_default_socket(void)
{
	const char *e;

	if ((e = getenv("JOBD_SOCKET")) != NULL && *e != '\0')
		return xstrdup(e);
	if (geteuid() != 0 && (e = getenv("XDG_RUNTIME_DIR")) != NULL &&
	    *e != '\0')
		return xstrfmt("%s/jobd/jobd.sock", e);
	return xstrdup("/run/jobd/jobd.sock");
}

int
client_mismatch(const char *fmt, ...)
{
	va_list ap;

	fputs("jobctl: protocol mismatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_UNREACHABLE;
}

/* Returns a connected socket or -errno. */
static int
client_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

static int
client_send(int fd, json_t *msg)
{
	_cleanup_free_ char *buf = NULL;
	size_t len, off = 0;
	ssize_t n;

	buf = varlink_encode(msg, &len);
	while (off < len) {
		n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += n;
	}
	return 0;
}

/* Reads until one whole message is framed: 1 with *ret, -ECONNRESET at
 * end of file, -EMSGSIZE/-EBADMSG (with *cause) for garbage, or -errno. */
static int
client_read(int fd, struct varlink_framer *f, json_t **ret, char **cause)
{
	char buf[65536];
	ssize_t n;
	int r;

	for (;;) {
		if ((r = varlink_framer_next(f, ret, cause)) != 0)
			return r;
		if ((r = client_wait(fd)) < 0)
			return r;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		if ((r = varlink_framer_feed(f, buf, n)) < 0)
			return r;
	}
}

/* An error reply: explain it, return the exit code. */
static int
client_error(const struct client_request *req, const char *error,
    json_t *params)
{
	const struct client_error *e;
	char num[32];
	const char *arg;
	json_t *v;
	size_t i;

	if (!strcmp(error, VARLINK_INTERFACE ".ConfigInvalid")) {
		json_array_foreach(json_object_get(params, "errors"), i, v)
			fprintf(stderr, "%s\n", json_string_value(v) ?
			    json_string_value(v) : "?");
		return EXIT_REFUSED;
	}
	for (i = 0; i < ELEMENTSOF(client_errors); i++) {
		e = &client_errors[i];
		if (strcmp(e->name, error) || (e->cancel && !req->cancel))
			continue;
		v = e->key ? json_object_get(params, e->key) : NULL;
		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
			arg = num;
		} else if (json_is_string(v))
			arg = json_string_value(v);
		else
			arg = e->key ? "?" : "";
		fputs("jobctl: ", stderr);
		fprintf(stderr, e->fmt, arg);
		fputc('\n', stderr);
		return e->code;
	}
	fprintf(stderr, "jobctl: jobd refused: %s\n", error);
	return EXIT_REFUSED;
}

/* Reads replies until the reply function or an error ends the call. */
static int
client_replies(int fd, const struct client_request *req)
{
	struct varlink_framer f;
	struct varlink_reply rep;
	char *cause = NULL;
	json_t *msg;
	int r;

	varlink_framer_init(&f, CLIENT_MAX_REPLY);
	do {
		r = client_read(fd, &f, &msg, &cause);
		if (r == -EINTR)
			r = 0;		/* a stop signal: the end asked for */
		else if (r == -ECONNRESET) {
			fprintf(stderr, "jobctl: jobd at %s closed the "
			    "connection before replying\n", req->socket);
			r = EXIT_UNREACHABLE;
		} else if (r == -EMSGSIZE)
			r = client_mismatch("reply longer than %d bytes",
			    CLIENT_MAX_REPLY);
		else if (r == -EBADMSG)
			r = client_mismatch("%s", cause);
		else if (r < 0) {
			fprintf(stderr, "jobctl: cannot read from jobd at "
			    "%s: %s\n", req->socket, strerror(-r));
			r = EXIT_UNREACHABLE;
		} else if (varlink_reply_parse(msg, &rep, &cause) < 0)
			r = client_mismatch("%s", cause);
		else if (rep.error)
			r = client_error(req, rep.error, rep.parameters);
		else if ((r = req->reply(rep.parameters, rep.continues,
		    req->data)) < 0 && !rep.continues)
			r = 0;
		json_decref(msg);
		msg = NULL;
	} while (r < 0);
	free(cause);
	varlink_framer_done(&f);
	return r;
}

int
client_call(struct client_request *req)
{
	_cleanup_close_ int fd = -1;
	json_t *msg;
	int r;

	msg = varlink_call_new(req->method, req->params, req->more);
	req->params = NULL;
	fd = client_connect(req->socket);
	if (fd < 0) {
		fprintf(stderr, "jobctl: cannot connect to jobd at %s: %s\n",
		    req->socket, strerror(-fd));
		json_decref(msg);
		return EXIT_UNREACHABLE;
	}
	r = client_send(fd, msg);
	json_decref(msg);
	if (r < 0) {
		fprintf(stderr, "jobctl: cannot send to jobd at %s: %s\n",
		    req->socket, strerror(-r));
		return EXIT_UNREACHABLE;
	}
	return client_replies(fd, req);
}
