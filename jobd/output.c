/* Output capture.  Each pipe is read into one shared buffer and split on
 * newlines; a line longer than OUTPUT_LINE_MAX is cut into pieces, and a
 * last line without newline is flushed at EOF.  Bytes are passed on as they
 * are: the journal and the log file take binary data, and so does the
 * owner (the run's tail), told of each line and of EOF by the callbacks
 * it gave.  The policy of when a run is done stays in run.c. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <systemd/sd-journal.h>

#include "log.h"
#include "logfile.h"
#include "output.h"
#include "xmalloc.h"

#define OUTPUT_JOURNAL_SOCKET "/run/systemd/journal/socket"

/* One read buffer for every pipe: read callbacks run one at a time on the
 * loop thread and consume the data before returning, so sharing is safe and
 * keeps the memory of 10,000 idle runs small. */
static char output_readbuf[64 * 1024];

/* Whether journald listens, looked at once a second (process-wide). */
static struct {
	usec_t check_at;
	bool present;
} output_journal_seen;

/* The fields every line of the run carries, made once. */
static void
output_journal_fields(struct output *o)
{
	o->jfields[0] = xstrfmt("JOBD_JOB=%s", o->name);
	o->jfields[1] = xstrfmt("JOBD_RUN=%llu", (unsigned long long)o->run);
	o->jfields[2] = xstrfmt("SYSLOG_IDENTIFIER=%s", o->name);
}

static void
output_journal(struct output *o, int stream, const char *data, size_t len)
{
	struct iovec iov[6];
	size_t i;

	usec_t now = now_monotonic();

	/* No journald (a container, a test): sd_journal_sendv() drops the
	 * line without an error, after a path lookup per line; look for
	 * the socket once a second instead. */
	if (now >= output_journal_seen.check_at) {
		output_journal_seen.present = access(OUTPUT_JOURNAL_SOCKET,
		    F_OK) == 0;
		output_journal_seen.check_at = now + USEC_PER_SEC;
	}
	if (!output_journal_seen.present)
		return;
	if (!o->jfields[0])
		output_journal_fields(o);
	if (o->msg_cap < 8 + len) {
		o->msg_cap = 8 + len;
		o->msg = xrealloc(o->msg, o->msg_cap);
		memcpy(o->msg, "MESSAGE=", 8);
	}
	/* MESSAGE may hold any bytes: libsystemd switches to the
	 * length-prefixed field encoding when it has to. */
	memcpy(o->msg + 8, data, len);
	iov[0] = (struct iovec){ o->msg, 8 + len };
	for (i = 0; i < 3; i++)
		iov[i + 1] = (struct iovec){ o->jfields[i],
		    strlen(o->jfields[i]) };
	iov[4] = stream == 0 ?
	    (struct iovec){ (char *)"JOBD_STREAM=stdout", 18 } :
	    (struct iovec){ (char *)"JOBD_STREAM=stderr", 18 };
	iov[5] = (struct iovec){ (char *)(stream == 0 ?
	    "PRIORITY=6" : "PRIORITY=4"), 10 };
	sd_journal_sendv(iov, 6);
}

/* Hands one complete line to every sink. */
static void
output_line(struct output *o, int stream, const char *data, size_t len)
{
	/* One clock reading per read, not per line. */
	if (!o->now)
		o->now = now_realtime();
	if (o->mode == OUTPUT_JOURNAL)
		output_journal(o, stream, data, len);
	else if (o->mode == OUTPUT_FILE && o->file)
		logfile_write(o->file, data, len);
	if (o->echo)
		fprintf(stderr, "%s[%llu]: %.*s\n", o->name,
		    (unsigned long long)o->run, (int)len, data);
	o->line_cb(o->ctx, stream, o->now, data, len);
}

static void
output_flush_partial(struct output *o, int stream)
{
	struct output_stream *s = &o->streams[stream];

	if (s->partial_len == 0)
		return;
	output_line(o, stream, s->partial, s->partial_len);
	s->partial_len = 0;
}

/* Returns how many lines went to the sinks. */
static size_t
output_feed(struct output *o, int stream, const char *data, size_t len)
{
	struct output_stream *s = &o->streams[stream];
	size_t take, n, lines = 0;
	const char *nl;

	/* A piece of OUTPUT_LINE_MAX bytes went on when the last read ended
	 * with it: a newline right after it ends that line, as it would have
	 * had it come in the same read, not an empty line of its own. */
	if (s->cut && len > 0 && *data == '\n') {
		data++;
		len--;
	}
	s->cut = false;
	while (len > 0) {
		nl = memchr(data, '\n', len);
		take = nl ? (size_t)(nl - data) : len;
		if (s->partial_len == 0 && nl && take <= OUTPUT_LINE_MAX) {
			/* The common case: a whole line, no copy. */
			output_line(o, stream, data, take);
			lines++;
			data += take + 1;
			len -= take + 1;
			continue;
		}
		if (!s->partial)
			s->partial = xmalloc(OUTPUT_LINE_MAX);
		n = MIN(take, OUTPUT_LINE_MAX - s->partial_len);
		memcpy(s->partial + s->partial_len, data, n);
		s->partial_len += n;
		data += n;
		len -= n;
		if (nl && n == take) {
			output_flush_partial(o, stream);
			lines++;
			data++;
			len--;
		} else if (s->partial_len == OUTPUT_LINE_MAX) {
			output_flush_partial(o, stream);
			lines++;
			s->cut = len == 0;
		}
	}
	return lines;
}

/* Reads at most this many buffers, and goes on reading only while fewer
 * than this many lines were handed on, per wake-up, so that one chatty
 * run cannot hold the loop (the poll is level-triggered: it comes back).
 * Lines count as well as bytes: each costs the sinks the same work
 * however short, and one buffer of newlines is 65536 lines. */
#define OUTPUT_READS_PER_WAKEUP 32
#define OUTPUT_LINES_PER_WAKEUP 16384

static void
output_poll_stop(struct output *o)
{
	int i;

	for (i = 0; i < 2; i++)
		if (o->streams[i].open)
			uv_poll_stop(&o->streams[i].poll);
}

static void
output_eof(struct output *o, int stream)
{
	uv_poll_stop(&o->streams[stream].poll);
	output_flush_partial(o, stream);
	o->streams[stream].eof = true;
	if (output_done(o))
		o->eof_cb(o->ctx);
}

static void
output_poll_cb(uv_poll_t *h, int status, int events)
{
	struct output *o = h->data;
	int stream = h == &o->streams[1].poll, i;
	size_t lines = 0;
	ssize_t n;

	(void)events;
	o->now = 0;
	for (i = 0; i < OUTPUT_READS_PER_WAKEUP; i++) {
		n = status < 0 ? -1 : read(o->streams[stream].fd,
		    output_readbuf, sizeof(output_readbuf));
		if (n > 0) {
			lines += output_feed(o, stream, output_readbuf,
			    (size_t)n);
			if (!o->streams[stream].open)
				return;		/* closed meanwhile */
			if (o->file && logfile_full(o->file)) {
				output_poll_stop(o);
				return;
			}
			/* Short: the pipe is (very likely) empty; not one more
			 * read() just to hear EAGAIN (libuv's streams do the
			 * same). */
			if ((size_t)n < sizeof(output_readbuf) ||
			    lines >= OUTPUT_LINES_PER_WAKEUP)
				return;
			continue;
		}
		if (n < 0 && status == 0 && (errno == EAGAIN ||
		    errno == EINTR))
			return;
		if (n < 0)
			log_full(LOG_WARNING, o->name, o->run,
			    "reading %s: %s", stream ? "stderr" : "stdout",
			    status < 0 ? uv_strerror(status) :
			    strerror(errno));
		output_eof(o, stream);
		return;
	}
}

/* The log file caught up: read again. */
static void
output_drain_cb(void *ctx)
{
	struct output *o = ctx;
	int i;

	for (i = 0; i < 2; i++)
		if (o->streams[i].open && !o->streams[i].eof)
			uv_poll_start(&o->streams[i].poll, UV_READABLE,
			    output_poll_cb);
}

/* A pipe for one of the child's output fds: our end read by libuv, the
 * child's end returned. */
static int
output_pipe(struct output_stream *s, uv_loop_t *loop, int *ret_child)
{
	int fds[2], r;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	/* Non-blocking our end only: the child's is its stdout. */
	if ((r = uv_poll_init(loop, &s->poll, fds[0])) < 0) {
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	s->fd = fds[0];
	s->open = true;
	*ret_child = fds[1];
	return 0;
}

int
output_init(struct output *o, const struct output_opts *opts,
    int child_fds[3])
{
	enum output_mode mode = opts->mode;
	int i, r;

	*o = (struct output){ .mode = mode, .echo = opts->echo,
	    .name = opts->name, .run = opts->run, .line_cb = opts->line_cb,
	    .eof_cb = opts->eof_cb, .ctx = opts->ctx };
	o->streams[0].fd = o->streams[1].fd = -1;
	child_fds[0] = child_fds[1] = child_fds[2] = -1;
	for (i = 0; i < 2; i++) {
		switch (mode) {
		case OUTPUT_INHERIT:
			child_fds[i + 1] = dup(i + 1);
			o->streams[i].eof = true;
			break;
		case OUTPUT_NULL:
			o->streams[i].eof = true;
			break;
		default:
			r = output_pipe(&o->streams[i], opts->loop,
			    &child_fds[i + 1]);
			if (r < 0)
				return r;
			o->streams[i].poll.data = o;
			break;
		}
	}
	if (mode == OUTPUT_FILE && opts->file)
		o->file = logfile_open(opts->executor, opts->file,
		    output_drain_cb, o);
	return 0;
}

void
output_start(struct output *o)
{
	output_drain_cb(o);
}

void
output_pipe_inodes(const struct output *o, ino_t ret[2])
{
	struct stat st;
	int i;

	for (i = 0; i < 2; i++)
		ret[i] = o->streams[i].open && !o->streams[i].eof &&
		    fstat(o->streams[i].fd, &st) == 0 ? st.st_ino : 0;
}

bool
output_done(const struct output *o)
{
	return o->streams[0].eof && o->streams[1].eof;
}

unsigned
output_close(struct output *o, uv_close_cb close_cb)
{
	unsigned n = 0;
	int i;

	o->now = 0;
	for (i = 0; i < 2; i++) {
		struct output_stream *s = &o->streams[i];

		if (s->partial) {
			output_flush_partial(o, i);
			free(s->partial);
			s->partial = NULL;
		}
		s->eof = true;
		if (s->open) {
			s->open = false;
			/* The close callback is the run's handle counter. */
			s->poll.data = o->ctx;
			uv_close((uv_handle_t *)&s->poll, close_cb);
			close(s->fd);
			s->fd = -1;
			n++;
		}
	}
	logfile_close(o->file);
	o->file = NULL;
	for (i = 0; i < 3; i++) {
		free(o->jfields[i]);
		o->jfields[i] = NULL;
	}
	free(o->msg);
	o->msg = NULL;
	return n;
}
