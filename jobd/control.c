/* The Varlink server.  One connection handles one call at a time, in the
 * order received (Varlink pipelining): while a call waits (start --wait,
 * logs --follow) later calls stay buffered.  A malformed or oversized
 * message closes that connection only; so do a client that does not read
 * its replies and one idle for control_idle_timeout=.  Slots are shared
 * per uid, with a reserve for administrators (control.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <uv.h>

#include "access.h"
#include "control.h"
#include "control-admit.h"
#include "config.h"
#include "heap.h"
#include "method.h"
#include "run-ctx.h"
#include "json-writer.h"
#include "log.h"
#include "manager.h"
#include "sockpath.h"
#include "xmalloc.h"

struct conn {
	struct control *control;
	uv_pipe_t pipe;
	uv_timer_t idle;		/* armed while no call is in flight */
	unsigned open_handles;		/* pipe and idle: freed at 0 */
	struct varlink_framer framer;
	struct access_peer peer;	/* taken at accept, never again */
	bool privileged;		/* an admin at accept: the reserve */
	bool busy;			/* a call awaits its final reply */
	bool oneway, more;
	bool dispatching;
	bool closing;
	bool reading;
	void (*cancel)(void *);
	void *cancel_ctx;
	void (*drain)(void *);		/* once the write queue is empty */
	void *drain_ctx;
	TAILQ_ENTRY(conn) entry;
};

struct control {
	struct method_ctx *methods;
	const struct ctl_method *table;	/* the methods served */
	size_t ntable;
	uv_pipe_t listener;
	bool listening;			/* accepting connections */
	bool listener_open;		/* the handle is not closed yet */
	bool freed;
	bool bound;			/* the socket file is ours to unlink */
	char *path;
	TAILQ_HEAD(, conn) conns;
	unsigned nconns;
	bool groups_warned;		/* SO_PEERGROUPS failed once */
	struct ctl_refusals refusals;	/* their log lines, rate-limited */
};


/* Shared by every connection: read callbacks consume the data at once. */
static char ctl_readbuf[64 * 1024];

static void conn_process(struct conn *);
static void conn_alloc_cb(uv_handle_t *, size_t, uv_buf_t *);
static void conn_read_cb(uv_stream_t *, ssize_t, const uv_buf_t *);

/* The pipe and the idle timer both hold the connection's memory. */
static void
conn_close_cb(uv_handle_t *h)
{
	struct conn *c = h->data;

	if (--c->open_handles > 0)
		return;
	varlink_framer_done(&c->framer);
	access_peer_done(&c->peer);
	free(c);
}

static void
conn_close(struct conn *c, const char *why)
{
	struct control *ctl = c->control;

	if (c->closing)
		return;
	if (why)
		log_debug("control: closing connection of uid %u pid %d: %s",
		    (unsigned)c->peer.uid, (int)c->peer.pid, why);
	c->closing = true;
	c->drain = NULL;
	if (c->cancel) {
		c->cancel(c->cancel_ctx);
		c->cancel = NULL;
	}
	TAILQ_REMOVE(&ctl->conns, c, entry);
	ctl->nconns--;
	uv_close((uv_handle_t *)&c->pipe, conn_close_cb);
	uv_close((uv_handle_t *)&c->idle, conn_close_cb);
}

static void
conn_idle_cb(uv_timer_t *t)
{
	struct conn *c = t->data;

	if (!c->busy)
		conn_close(c, "idle for control_idle_timeout=");
}

/* Starts the idle clock: nothing in flight, nothing subscribed. */
static void
conn_idle_arm(struct conn *c)
{
	usec_t t = c->control->methods->runs->config->control_idle_timeout;

	if (c->closing || c->busy)
		return;
	if (t == 0 || t == USEC_INFINITY) {
		uv_timer_stop(&c->idle);
		return;
	}
	uv_timer_start(&c->idle, conn_idle_cb, t / USEC_PER_MSEC + 1, 0);
}

/* A reply on its way; a large one asks for a heap trim once freed. */
struct conn_write {
	uv_write_t req;
	char *buf;
	struct heap *trim;
};

#define CONN_LARGE_REPLY (64 * 1024)

static void
conn_write_cb(uv_write_t *req, int status)
{
	struct conn_write *w = container_of(req, struct conn_write, req);
	uv_stream_t *s = req->handle;
	struct conn *c = s->data;
	void (*drain)(void *) = c->drain;

	(void)status;
	free(w->buf);
	if (w->trim)
		heap_trim_soon(w->trim);
	free(w);
	/* A closing connection has no drain: its writes end cancelled. */
	if (drain && uv_stream_get_write_queue_size(s) == 0) {
		c->drain = NULL;
		drain(c->drain_ctx);
	}
}

/* Queues bufs, of which the one at `owned` is freed once written. */
static void
conn_write(struct conn *c, uv_buf_t *bufs, unsigned n, unsigned owned)
{
	struct conn_write *w;

	if (c->closing) {
		free(bufs[owned].base);
		return;
	}
	if (uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe) >
	    CONTROL_MAX_WRITE_QUEUE) {
		free(bufs[owned].base);
		conn_close(c, "client does not read its replies");
		return;
	}
	w = xmalloc(sizeof(*w));
	w->buf = bufs[owned].base;
	w->trim = bufs[owned].len > CONN_LARGE_REPLY ?
	    c->control->methods->heap : NULL;
	if (uv_write(&w->req, (uv_stream_t *)&c->pipe, bufs, n,
	    conn_write_cb) < 0) {
		free(w->buf);
		free(w);
		conn_close(c, "write failed");
	}
}

static void
conn_send(struct conn *c, json_t *msg)
{
	uv_buf_t buf;
	size_t len;

	if (c->closing) {
		json_decref(msg);
		return;
	}
	buf.base = varlink_encode(msg, &len);
	buf.len = len;
	json_decref(msg);
	conn_write(c, &buf, 1, 0);
}

static void
conn_call_done(struct conn *c)
{
	c->busy = false;
	c->cancel = NULL;
	c->drain = NULL;
	if (!c->dispatching)
		conn_process(c);
	if (!c->closing && !c->reading && !c->busy) {
		c->reading = true;
		uv_read_start((uv_stream_t *)&c->pipe, conn_alloc_cb,
		    conn_read_cb);
	}
	conn_idle_arm(c);
}

void
ctl_reply(struct conn *c, json_t *params, bool continues)
{
	if (c->oneway)
		json_decref(params);
	else
		conn_send(c, varlink_reply_new(params, continues));
	if (!continues)
		conn_call_done(c);
}

void
ctl_reply_text(struct conn *c, struct json_writer *params, bool continues)
{
	/* The envelope around the text, as varlink_reply_new() builds it. */
	static char head[] = "{\"parameters\":";
	static char tail_more[] = ",\"continues\":true}";
	static char tail_last[] = "}";
	uv_buf_t bufs[3];
	size_t len;

	bufs[1].base = jw_steal(params, &len);
	bufs[1].len = len;
	if (c->oneway) {
		free(bufs[1].base);
	} else {
		bufs[0] = uv_buf_init(head, sizeof(head) - 1);
		/* sizeof: the NUL that ends a message goes too. */
		bufs[2] = continues ?
		    uv_buf_init(tail_more, sizeof(tail_more)) :
		    uv_buf_init(tail_last, sizeof(tail_last));
		conn_write(c, bufs, 3, 1);
	}
	if (!continues)
		conn_call_done(c);
}

void
ctl_error(struct conn *c, const char *error, json_t *params)
{
	if (c->oneway)
		json_decref(params);
	else
		conn_send(c, varlink_error_new(error, params));
	conn_call_done(c);
}

void
ctl_deny(struct conn *c, const char *what)
{
	log_notice("control: refused %s to uid %u pid %d", what,
	    (unsigned)c->peer.uid, (int)c->peer.pid);
	ctl_error(c, "org.varlink.service.PermissionDenied", NULL);
}

const struct access_peer *
ctl_peer(const struct conn *c)
{
	return &c->peer;
}

void
ctl_error_invalid_parameter(struct conn *c, const char *name)
{
	ctl_error(c, "org.varlink.service.InvalidParameter",
	    json_pack("{s:s}", "parameter", name));
}

void
ctl_set_cancel(struct conn *c, void (*cancel)(void *), void *ctx)
{
	c->cancel = cancel;
	c->cancel_ctx = ctx;
}

size_t
ctl_queued(const struct conn *c)
{
	return uv_stream_get_write_queue_size((const uv_stream_t *)&c->pipe);
}

void
ctl_on_drain(struct conn *c, void (*drain)(void *), void *ctx)
{
	c->drain = drain;
	c->drain_ctx = ctx;
}

struct ctl_deferred {
	struct conn *conn;
};

static void
ctl_deferred_cancel(void *ctx)
{
	struct ctl_deferred *q = ctx;

	q->conn = NULL;
}

struct ctl_deferred *
ctl_defer(struct conn *c)
{
	struct ctl_deferred *q = xcalloc(1, sizeof(*q));

	q->conn = c;
	ctl_set_cancel(c, ctl_deferred_cancel, q);
	return q;
}

struct conn *
ctl_resume(struct ctl_deferred *q)
{
	struct conn *c = q->conn;

	free(q);
	return c;
}

struct method_ctx *
ctl_ctx(const struct conn *c)
{
	return c->control->methods;
}

uid_t
ctl_peer_uid(const struct conn *c)
{
	return c->peer.uid;
}

pid_t
ctl_peer_pid(const struct conn *c)
{
	return c->peer.pid;
}

bool
ctl_more(const struct conn *c)
{
	return c->more;
}

static void
conn_dispatch(struct conn *c, json_t *msg)
{
	struct varlink_call call;
	char *cause = NULL;
	size_t i;

	if (varlink_call_parse(msg, &call, &cause) < 0) {
		conn_close(c, cause);
		free(cause);
		return;
	}
	c->busy = true;
	uv_timer_stop(&c->idle);
	c->oneway = call.oneway;
	c->more = call.more;
	for (i = 0; i < c->control->ntable; i++)
		if (!strcmp(c->control->table[i].name, call.method))
			break;
	if (i == c->control->ntable) {
		ctl_error(c, "org.varlink.service.MethodNotFound",
		    json_pack("{s:s}", "method", call.method));
		return;
	}
	if (c->control->table[i].access == CTL_ADMIN &&
	    !access_is_admin(c->control->methods->runs->config, &c->peer)) {
		ctl_deny(c, call.method);
		return;
	}
	c->control->table[i].fn(c, call.parameters);
}

/* Handles buffered calls until one has to wait for its reply. */
static void
conn_process(struct conn *c)
{
	char *cause = NULL;
	json_t *msg;
	int r;

	c->dispatching = true;
	while (!c->closing && !c->busy) {
		r = varlink_framer_next(&c->framer, &msg, &cause);
		if (r == 0)
			break;
		if (r < 0) {
			conn_close(c, r == -EMSGSIZE ? "message too large" :
			    cause);
			free(cause);
			break;
		}
		conn_dispatch(c, msg);
		json_decref(msg);
	}
	c->dispatching = false;
}

static void
conn_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	(void)h;
	(void)hint;
	*buf = uv_buf_init(ctl_readbuf, sizeof(ctl_readbuf));
}

static void
conn_read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct conn *c = s->data;

	if (n == 0)
		return;
	if (n < 0) {
		conn_close(c, n == UV_EOF ? NULL : uv_strerror(n));
		return;
	}
	if (varlink_framer_feed(&c->framer, buf->base, n) < 0) {
		conn_close(c, "message too large");
		return;
	}
	conn_process(c);
	/* A call still waits (Wait, logs --follow): pipelined bytes queue
	 * behind it, up to one message; then reading pauses. */
	if (!c->closing && c->busy && c->framer.len > VARLINK_MAX_MESSAGE &&
	    c->reading) {
		uv_read_stop((uv_stream_t *)&c->pipe);
		c->reading = false;
	}
}

/* Whether a new connection gets a slot (control-admit.c decides). */
static bool
conn_admitted(struct control *ctl, const struct conn *c)
{
	unsigned same = 0;
	struct conn *o;
	char why[128];

	TAILQ_FOREACH(o, &ctl->conns, entry)
		same += o != c && o->peer.uid == c->peer.uid;
	if (ctl_admit(ctl->nconns - 1, same, c->privileged, &c->peer, why,
	    sizeof(why)))
		return true;
	ctl_refusal_log(&ctl->refusals, &c->peer, why);
	return false;
}

/* Takes the peer's identity from the socket, once. */
static int
conn_identify(struct control *ctl, struct conn *c)
{
	uv_os_fd_t fd;
	int r, groups_error;

	if ((r = uv_fileno((uv_handle_t *)&c->pipe, &fd)) < 0)
		return r;
	if ((r = access_peer_read(fd, &c->peer, &groups_error)) < 0)
		return r;
	if (groups_error < 0 && !ctl->groups_warned) {
		ctl->groups_warned = true;
		log_warning_errno(groups_error, "control: cannot read a peer's "
		    "supplementary groups (SO_PEERGROUPS, Linux 4.13): %m; "
		    "peers are judged by their primary group only");
	}
	c->privileged = access_is_admin(ctl->methods->runs->config, &c->peer);
	return 0;
}

static void
ctl_connection_cb(uv_stream_t *server, int status)
{
	struct control *ctl = server->data;
	struct conn *c;
	int r;

	if (status < 0) {
		log_warning("control: accept: %s", uv_strerror(status));
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->control = ctl;
	uv_pipe_init(server->loop, &c->pipe, 0);
	c->pipe.data = c;
	uv_timer_init(server->loop, &c->idle);
	c->idle.data = c;
	c->open_handles = 2;
	varlink_framer_init(&c->framer, VARLINK_MAX_MESSAGE);
	TAILQ_INSERT_TAIL(&ctl->conns, c, entry);
	ctl->nconns++;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) < 0) {
		conn_close(c, "accept failed");
		return;
	}
	if ((r = conn_identify(ctl, c)) < 0) {
		log_warning_errno(r, "control: cannot read a peer's "
		    "credentials (SO_PEERCRED): %m; refusing it");
		conn_close(c, NULL);
		return;
	}
	if (!conn_admitted(ctl, c)) {
		conn_close(c, "no slot");
		return;
	}
	c->reading = true;
	uv_read_start((uv_stream_t *)&c->pipe, conn_alloc_cb, conn_read_cb);
	conn_idle_arm(c);
}

/* Socket activation: the manager bound and listens; we only accept. */
static int
ctl_listen_passed(struct control *ctl, uv_loop_t *loop, int fd)
{
	int r;

	uv_pipe_init(loop, &ctl->listener, 0);
	ctl->listener.data = ctl;
	ctl->listening = true;
	ctl->listener_open = true;
	if ((r = uv_pipe_open(&ctl->listener, fd)) < 0 ||
	    (r = uv_listen((uv_stream_t *)&ctl->listener, 128,
	    ctl_connection_cb)) < 0)
		return log_error_errno(r, "cannot use the socket passed by the "
		    "service manager: %m");
	log_info("using the control socket passed by the service manager");
	return 0;
}

static int
ctl_listen(struct control *ctl, uv_loop_t *loop)
{
	mode_t old;
	int r, fd;

	if ((fd = manager_listen_fd()) >= 0)
		return ctl_listen_passed(ctl, loop, fd);
	if (strlen(ctl->path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return log_error_errno(-ENAMETOOLONG, "control socket path "
		    "'%s' is too long", ctl->path);
	if ((r = sockpath_make_dir(ctl->path)) < 0)
		return log_error_errno(r, "cannot create the directory of "
		    "'%s': %m", ctl->path);
	r = sockpath_claim(ctl->path, SOCK_STREAM);
	if (r == -EADDRINUSE)
		return log_error_errno(r, "another jobd is already listening "
		    "on '%s'", ctl->path);
	if (r == -EEXIST)
		return log_error_errno(r, "'%s' exists and is not a socket; "
		    "not replacing it", ctl->path);
	if (r < 0)
		return log_error_errno(r, "cannot use '%s': %m", ctl->path);
	uv_pipe_init(loop, &ctl->listener, 0);
	ctl->listener.data = ctl;
	ctl->listening = true;
	ctl->listener_open = true;
	/* Born with mode 0660: no window in which anyone may connect. */
	old = umask(0117);
	r = uv_pipe_bind(&ctl->listener, ctl->path);
	umask(old);
	if (r < 0)
		return log_error_errno(r, "cannot bind '%s': %m", ctl->path);
	ctl->bound = true;
	chmod(ctl->path, 0660);
	access_socket_group(ctl->methods->runs->config, ctl->path);
	r = uv_listen((uv_stream_t *)&ctl->listener, 128, ctl_connection_cb);
	if (r < 0)
		return log_error_errno(r, "cannot listen on '%s': %m",
		    ctl->path);
	return 0;
}

int
control_start(struct method_ctx *m, const struct ctl_method *table,
    size_t ntable, const char *path, struct control **ret)
{
	struct control *ctl = xcalloc(1, sizeof(*ctl));

	ctl->methods = m;
	ctl->table = table;
	ctl->ntable = ntable;
	ctl->path = xstrdup(path);
	TAILQ_INIT(&ctl->conns);
	/* Even on failure the caller gets ctl, to free with control_free. */
	*ret = ctl;
	return ctl_listen(ctl, m->runs->loop);
}

/* The listener's memory is inside ctl: free ctl only after both
 * control_free() and the listener's close callback. */
static void
ctl_listener_close_cb(uv_handle_t *h)
{
	struct control *ctl = h->data;

	ctl->listener_open = false;
	if (ctl->freed)
		free(ctl);
}

void
control_stop_listening(struct control *ctl)
{
	if (!ctl || !ctl->listening)
		return;
	ctl->listening = false;
	uv_close((uv_handle_t *)&ctl->listener, ctl_listener_close_cb);
	if (ctl->bound)
		unlink(ctl->path);
}

struct control *
control_free(struct control *ctl)
{
	struct conn *c, *tmp;

	if (!ctl)
		return NULL;
	control_stop_listening(ctl);
	TAILQ_FOREACH_SAFE(c, &ctl->conns, entry, tmp)
		conn_close(c, "shutting down");
	free(ctl->path);
	ctl->freed = true;
	if (!ctl->listener_open)
		free(ctl);
	return NULL;
}
