/* Tests for output capture (jobd/output.c) on real pipes and a private
 * loop, with no run around it: the test writes to the child's ends of the
 * pipes itself (a thread, for more than a pipe holds) and hears what
 * output.c reports through the callbacks it was given.  Lines split at
 * newlines, the last line without one, lines cut at OUTPUT_LINE_MAX, bytes
 * passed on as they are, two streams kept apart, EOF told once, 10 MB
 * without a byte lost, and the output=file sink.  Each test ends with
 * uv_loop_close() == 0. */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "executor.h"
#include "logfile.h"
#include "output.h"
#include "runner.h"
#include "timeutil.h"
#include "xmalloc.h"

/* Line k of stream (0 or 1) in the volume tests, with its newline: a
 * number and 0 to 150 bytes of padding, so that lines straddle the reads
 * at every offset.  Returns its length. */
static size_t
volume_line(int stream, size_t k, char buf[256])
{
	size_t pad = k * 37 % 151;
	int n;

	n = snprintf(buf, 256, "%c%08zu ", stream ? 'e' : 'o', k);
	memset(buf + n, 'a' + (int)(k % 26), pad);
	buf[n + pad] = '\n';
	return (size_t)n + pad + 1;
}

struct line {
	int stream;
	usec_t usec;
	size_t len;
	char *data;
};

/* The owner output.c reports to: every line kept (or, for volume, only
 * checked against what the writer wrote), EOFs and closed handles
 * counted. */
struct sink {
	uv_loop_t loop;
	struct executor executor;
	struct output out;
	int fd[3];			/* the child's ends (-1: closed) */
	struct line *lines;
	size_t nlines;
	unsigned eofs, closed;
	bool verify;			/* check, do not keep */
	size_t next[2], bytes[2];	/* verify: per stream */
};

static void
sink_line(void *ctx, int stream, usec_t usec, const char *data, size_t len)
{
	struct sink *s = ctx;
	struct line *l;

	ASSERT(stream == 0 || stream == 1);
	if (s->verify) {
		char want[256];
		size_t n;

		n = volume_line(stream, s->next[stream], want);
		if (len != n - 1 || memcmp(data, want, len))
			test_fail(__FILE__, __LINE__, "stream %d line %zu: "
			    "got %zu bytes '%.20s', want '%.20s'", stream,
			    s->next[stream], len, data, want);
		s->next[stream]++;
		s->bytes[stream] += len + 1;
		return;
	}
	s->lines = realloc(s->lines, (s->nlines + 1) * sizeof(*s->lines));
	ASSERT_NOT_NULL(s->lines);
	l = &s->lines[s->nlines++];
	*l = (struct line){ stream, usec, len, malloc(len + 1) };
	memcpy(l->data, data, len);
	l->data[len] = 0;
}

static void
sink_eof(void *ctx)
{
	((struct sink *)ctx)->eofs++;
}

static void
sink_closed(uv_handle_t *h)
{
	((struct sink *)h->data)->closed++;
}

static void
sink_init_opts(struct sink *s, const struct output_opts *extra)
{
	struct output_opts o = *extra;

	ASSERT_OK(uv_loop_init(&s->loop));
	executor_init(&s->executor, &s->loop);
	o.loop = &s->loop;
	o.executor = &s->executor;
	o.name = "t";
	o.run = 1;
	o.line_cb = sink_line;
	o.eof_cb = sink_eof;
	o.ctx = s;
	ASSERT_OK(output_init(&s->out, &o, s->fd));
}

/* Pipes, and lines to the callback only: output=file with no file is
 * the mode with no other sink (no journal written from a test). */
static void
sink_init(struct sink *s)
{
	*s = (struct sink){ 0 };
	sink_init_opts(s, &(struct output_opts){ .mode = OUTPUT_FILE });
	ASSERT_EQ(s->fd[0], -1);
	ASSERT(s->fd[1] >= 0);
	ASSERT(s->fd[2] >= 0);
	output_start(&s->out);
}

static void
sink_write(struct sink *s, int stream, const void *data, size_t len)
{
	ASSERT(s->fd[stream + 1] >= 0);
	ASSERT_EQ(write(s->fd[stream + 1], data, len), (ssize_t)len);
}

static void
sink_puts(struct sink *s, int stream, const char *text)
{
	sink_write(s, stream, text, strlen(text));
}

/* The child closes its end (exits). */
static void
sink_end(struct sink *s, int stream)
{
	ASSERT(s->fd[stream + 1] >= 0);
	close(s->fd[stream + 1]);
	s->fd[stream + 1] = -1;
}

static void
deadline_cb(uv_timer_t *t)
{
	*(bool *)t->data = true;
}

/* Runs the loop until cond holds, failing after ms. */
static void
run_until(struct sink *s, bool (*cond)(const struct sink *), unsigned ms)
{
	bool expired = false;
	uv_timer_t t;

	uv_timer_init(&s->loop, &t);
	t.data = &expired;
	uv_timer_start(&t, deadline_cb, ms, 0);
	while (!cond(s) && !expired)
		uv_run(&s->loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&t, NULL);
	uv_run(&s->loop, UV_RUN_NOWAIT);
	if (!cond(s))
		test_fail(__FILE__, __LINE__, "condition not met in %u ms "
		    "(%zu lines, %u EOFs)", ms, s->nlines, s->eofs);
}

static bool
at_eof(const struct sink *s)
{
	return s->eofs > 0;
}

/* Both ends closed by the child; output.c reads to EOF. */
static void
sink_finish(struct sink *s)
{
	if (s->fd[1] >= 0)
		sink_end(s, 0);
	if (s->fd[2] >= 0)
		sink_end(s, 1);
	run_until(s, at_eof, 5000);
}

/* Closes output.c's handles and the loop; a leaked handle fails. */
static void
sink_done(struct sink *s)
{
	unsigned n;
	size_t i;

	n = output_close(&s->out, sink_closed);
	uv_run(&s->loop, UV_RUN_DEFAULT);
	ASSERT_EQ(s->closed, n);
	for (i = 1; i < 3; i++)
		if (s->fd[i] >= 0)
			close(s->fd[i]);
	ASSERT_OK(uv_loop_close(&s->loop));
	for (i = 0; i < s->nlines; i++)
		free(s->lines[i].data);
	free(s->lines);
}

static void
assert_line(const struct sink *s, size_t i, int stream, const char *text)
{
	if (i >= s->nlines)
		test_fail(__FILE__, __LINE__, "line %zu missing (%zu lines)",
		    i, s->nlines);
	if (s->lines[i].stream != stream || s->lines[i].len != strlen(text) ||
	    memcmp(s->lines[i].data, text, s->lines[i].len))
		test_fail(__FILE__, __LINE__, "line %zu: stream %d '%s', "
		    "want stream %d '%s'", i, s->lines[i].stream,
		    s->lines[i].data, stream, text);
}

static bool
partial_3(const struct sink *s)
{
	return s->out.streams[0].partial_len == 3;
}

static bool
one_line(const struct sink *s)
{
	return s->nlines >= 1;
}

TEST(lines_split_at_newlines)
{
	struct sink s;
	usec_t t0 = now_realtime(), t1;
	size_t i;

	sink_init(&s);
	sink_puts(&s, 0, "one\ntwo\n\nthree\n");
	sink_finish(&s);
	t1 = now_realtime();
	ASSERT_EQ(s.nlines, 4);
	assert_line(&s, 0, 0, "one");
	assert_line(&s, 1, 0, "two");
	assert_line(&s, 2, 0, "");
	assert_line(&s, 3, 0, "three");
	/* Each line carries the realtime of its read. */
	for (i = 0; i < s.nlines; i++)
		ASSERT(s.lines[i].usec >= t0 && s.lines[i].usec <= t1);
	sink_done(&s);
}

/* A line whose pieces come in separate reads is one line; a last line
 * without a newline is passed on at EOF. */
TEST(partial_lines_joined_and_last_flushed_at_eof)
{
	struct sink s;

	sink_init(&s);
	sink_puts(&s, 0, "hel");
	run_until(&s, partial_3, 5000);
	ASSERT_EQ(s.nlines, 0);
	sink_puts(&s, 0, "lo\nwor");
	run_until(&s, one_line, 5000);
	assert_line(&s, 0, 0, "hello");
	sink_puts(&s, 0, "ld");
	sink_finish(&s);
	ASSERT_EQ(s.nlines, 2);
	assert_line(&s, 1, 0, "world");
	sink_done(&s);
}

/* A partial line still there when the owner closes (the drain deadline
 * cut the pipes) is passed on too. */
TEST(partial_line_flushed_at_close)
{
	struct sink s;

	sink_init(&s);
	sink_puts(&s, 0, "cut");
	run_until(&s, partial_3, 5000);
	ASSERT_EQ(s.nlines, 0);
	ASSERT_EQ(output_close(&s.out, sink_closed), 2);
	ASSERT_EQ(s.nlines, 1);
	assert_line(&s, 0, 0, "cut");
	/* Closing is not EOF: the owner decided, output.c says nothing. */
	ASSERT_EQ(s.eofs, 0);
	ASSERT(output_done(&s.out));
	uv_run(&s.loop, UV_RUN_DEFAULT);
	ASSERT_EQ(s.closed, 2);
	/* Already closed: nothing more to close, nothing flushed twice. */
	ASSERT_EQ(output_close(&s.out, sink_closed), 0);
	ASSERT_EQ(s.nlines, 1);
	s.closed = 0;
	sink_done(&s);
}

static void
fill(char *buf, size_t len, char c)
{
	memset(buf, c, len);
}

static void
assert_piece(const struct sink *s, size_t i, size_t len, char c)
{
	size_t k;

	if (i >= s->nlines)
		test_fail(__FILE__, __LINE__, "piece %zu missing", i);
	if (s->lines[i].len != len)
		test_fail(__FILE__, __LINE__, "piece %zu: %zu bytes, want %zu",
		    i, s->lines[i].len, len);
	for (k = 0; k < len; k++)
		ASSERT_EQ(s->lines[i].data[k], c);
}

/* README: a line longer than 8192 bytes is cut into pieces of 8192
 * bytes.  20,000 bytes are 8192 + 8192 + 3616; 8192 bytes are one line,
 * 8193 are two. */
TEST(long_lines_cut_at_the_limit)
{
	static char buf[3 * OUTPUT_LINE_MAX];
	struct sink s;

	ASSERT_EQ(OUTPUT_LINE_MAX, 8192);
	sink_init(&s);
	fill(buf, 20000, 'a');
	buf[20000] = '\n';
	sink_write(&s, 0, buf, 20001);
	fill(buf, OUTPUT_LINE_MAX, 'b');
	buf[OUTPUT_LINE_MAX] = '\n';
	sink_write(&s, 0, buf, OUTPUT_LINE_MAX + 1);
	fill(buf, OUTPUT_LINE_MAX + 1, 'c');
	buf[OUTPUT_LINE_MAX + 1] = '\n';
	sink_write(&s, 0, buf, OUTPUT_LINE_MAX + 2);
	/* And one at EOF without its newline. */
	fill(buf, 2 * OUTPUT_LINE_MAX + 5, 'd');
	sink_write(&s, 0, buf, 2 * OUTPUT_LINE_MAX + 5);
	sink_finish(&s);
	ASSERT_EQ(s.nlines, 9);
	assert_piece(&s, 0, 8192, 'a');
	assert_piece(&s, 1, 8192, 'a');
	assert_piece(&s, 2, 20000 - 2 * 8192, 'a');
	assert_piece(&s, 3, 8192, 'b');
	assert_piece(&s, 4, 8192, 'c');
	assert_piece(&s, 5, 1, 'c');
	assert_piece(&s, 6, 8192, 'd');
	assert_piece(&s, 7, 8192, 'd');
	assert_piece(&s, 8, 5, 'd');
	sink_done(&s);
}

static bool
line_max_read(const struct sink *s)
{
	return s->out.streams[0].partial_len == OUTPUT_LINE_MAX ||
	    s->nlines > 0;
}

/* The same line of exactly 8192 bytes when its newline comes in a later
 * read than its last byte: still one line, not that line and an empty
 * one (what is passed on must not depend on where the reads fall). */
TEST(line_of_the_limit_with_newline_in_the_next_read)
{
	static char buf[OUTPUT_LINE_MAX];
	struct sink s;

	sink_init(&s);
	fill(buf, sizeof(buf), 'x');
	sink_write(&s, 0, buf, sizeof(buf));
	run_until(&s, line_max_read, 5000);
	sink_puts(&s, 0, "\nnext\n");
	sink_finish(&s);
	ASSERT_EQ(s.nlines, 2);
	assert_piece(&s, 0, OUTPUT_LINE_MAX, 'x');
	assert_line(&s, 1, 0, "next");
	sink_done(&s);
}

/* NUL, bytes that are not UTF-8, a lone CR and escape sequences pass
 * through unchanged; only \n ends a line. */
TEST(binary_bytes_pass_unchanged)
{
	static const char bin[] = "a\0b\xff\xfe\xc3\x28\r\x1b[31m\x80z";
	size_t n = sizeof(bin) - 1;
	struct sink s;

	sink_init(&s);
	sink_write(&s, 0, bin, n);
	sink_write(&s, 0, "\n", 1);
	sink_write(&s, 1, "\0\0\n\0", 4);
	sink_finish(&s);
	ASSERT_EQ(s.nlines, 3);
	ASSERT_EQ(s.lines[0].len, n);
	ASSERT(!memcmp(s.lines[0].data, bin, n));
	ASSERT_EQ(s.lines[0].stream, 0);
	/* stderr: two NULs, then a NUL without newline at EOF. */
	ASSERT_EQ(s.lines[1].stream, 1);
	ASSERT_EQ(s.lines[1].len, 2);
	ASSERT(!memcmp(s.lines[1].data, "\0\0", 2));
	ASSERT_EQ(s.lines[2].len, 1);
	ASSERT_EQ(s.lines[2].data[0], 0);
	sink_done(&s);
}

static bool
stdout_eof(const struct sink *s)
{
	return s->out.streams[0].eof;
}

/* Each stream has its own partial line; EOF is told once, when both
 * pipes reached it, whichever closed first. */
TEST(streams_kept_apart_and_eof_told_once)
{
	ino_t ino[2];
	struct sink s;

	sink_init(&s);
	output_pipe_inodes(&s.out, ino);
	ASSERT(ino[0] != 0 && ino[1] != 0 && ino[0] != ino[1]);
	sink_puts(&s, 0, "ab");
	sink_puts(&s, 1, "cd\n");
	run_until(&s, one_line, 5000);
	assert_line(&s, 0, 1, "cd");
	sink_puts(&s, 0, "ef\n");
	sink_puts(&s, 1, "gh");
	sink_end(&s, 0);
	run_until(&s, stdout_eof, 5000);
	ASSERT_EQ(s.eofs, 0);
	ASSERT(!output_done(&s.out));
	assert_line(&s, 1, 0, "abef");
	ASSERT_EQ(s.nlines, 2);
	/* Only the open pipe's inode is still reported. */
	output_pipe_inodes(&s.out, ino);
	ASSERT(ino[0] == 0 && ino[1] != 0);
	sink_end(&s, 1);
	run_until(&s, at_eof, 5000);
	ASSERT_EQ(s.eofs, 1);
	ASSERT(output_done(&s.out));
	assert_line(&s, 2, 1, "gh");
	ASSERT_EQ(s.nlines, 3);
	/* More loop turns and the close tell nothing more. */
	uv_run(&s.loop, UV_RUN_NOWAIT);
	sink_done(&s);
	ASSERT_EQ(s.eofs, 1);
}

/* output=null and output=inherit have no pipes: nothing to read, done
 * from the start. */
TEST(modes_without_pipes)
{
	struct sink s = { 0 };

	sink_init_opts(&s, &(struct output_opts){ .mode = OUTPUT_NULL });
	ASSERT(s.fd[0] == -1 && s.fd[1] == -1 && s.fd[2] == -1);
	output_start(&s.out);
	ASSERT(output_done(&s.out));
	sink_done(&s);
	ASSERT_EQ(s.closed, 0);
	ASSERT_EQ(s.eofs, 0);

	s = (struct sink){ 0 };
	sink_init_opts(&s, &(struct output_opts){ .mode = OUTPUT_INHERIT });
	ASSERT(s.fd[0] == -1 && s.fd[1] >= 0 && s.fd[2] >= 0);
	ASSERT(fcntl(s.fd[1], F_GETFD) >= 0);
	output_start(&s.out);
	ASSERT(output_done(&s.out));
	sink_done(&s);		/* closes the duplicates */
	ASSERT_EQ(s.closed, 0);
}

/* Writes one stream's volume lines until bytes, then closes its end. */
struct writer {
	int fd, stream;
	size_t bytes, lines;
	pthread_t thread;
};

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	char buf[64 * 1024];
	size_t len = 0, done = 0, n;
	ssize_t k;

	while (done < w->bytes) {
		n = volume_line(w->stream, w->lines, buf + len);
		w->lines++;
		len += n;
		done += n;
		if (len > sizeof(buf) - 256 || done >= w->bytes) {
			size_t off = 0;

			while (off < len) {
				k = write(w->fd, buf + off, len - off);
				if (k <= 0)
					abort();
				off += (size_t)k;
			}
			len = 0;
		}
	}
	close(w->fd);
	return NULL;
}

static void
writers_start(struct sink *s, struct writer w[2], size_t out, size_t err)
{
	int i;

	for (i = 0; i < 2; i++) {
		w[i] = (struct writer){ .fd = s->fd[i + 1], .stream = i,
		    .bytes = i ? err : out };
		s->fd[i + 1] = -1;	/* the thread closes it */
		ASSERT_OK(pthread_create(&w[i].thread, NULL, writer_main,
		    &w[i]));
	}
}

static void
writers_join(struct writer w[2])
{
	ASSERT_OK(pthread_join(w[0].thread, NULL));
	ASSERT_OK(pthread_join(w[1].thread, NULL));
}

/* 10 MB on stdout and 2 MB on stderr at once, in lines of 11 to 161
 * bytes (over 16,384 lines a wake-up, where output.c yields the loop):
 * every line arrives, whole, in order, on its stream. */
TEST(ten_megabytes_without_loss)
{
	struct writer w[2];
	struct sink s;

	sink_init(&s);
	s.verify = true;
	writers_start(&s, w, 10 << 20, 2 << 20);
	run_until(&s, at_eof, 60000);
	writers_join(w);
	ASSERT_EQ(s.eofs, 1);
	ASSERT_EQ(s.next[0], w[0].lines);
	ASSERT_EQ(s.next[1], w[1].lines);
	ASSERT(s.bytes[0] >= 10 << 20);
	ASSERT(s.bytes[1] >= 2 << 20);
	ASSERT(w[0].lines > 100000);
	sink_done(&s);
}

/* output=file: each line reaches the file with a newline, stdout and
 * stderr together, and the owner hears of each line too.  8 MB go
 * through the log file's bounded buffer (1 MiB), which pauses the reads
 * when the disk is slower than the pipe. */
TEST(file_sink_gets_every_line)
{
	char dir[] = "/tmp/jobd-test-output.XXXXXX", *path, *data, want[256];
	struct logfile_opts f = { 0 };
	struct writer w[2];
	size_t len, off = 0, k, n;
	struct sink s = { 0 };

	ASSERT_NOT_NULL(mkdtemp(dir));
	path = xstrfmt("%s/t.log", dir);
	f.path = path;
	f.uid = getuid();
	f.gid = getgid();
	sink_init_opts(&s, &(struct output_opts){ .mode = OUTPUT_FILE,
	    .file = &f });
	output_start(&s.out);
	s.verify = true;
	writers_start(&s, w, 8 << 20, 0);
	run_until(&s, at_eof, 60000);
	writers_join(w);
	ASSERT_EQ(s.next[0], w[0].lines);
	/* The loop runs until the file is flushed. */
	sink_done(&s);
	data = test_read_file(path, &len);
	ASSERT_EQ(len, s.bytes[0]);
	for (k = 0; k < w[0].lines; k++) {
		n = volume_line(0, k, want);
		if (off + n > len || memcmp(data + off, want, n))
			test_fail(__FILE__, __LINE__, "file line %zu differs",
			    k);
		off += n;
	}
	free(data);
	unlink(path);
	rmdir(dir);
	free(path);
}

static const struct test tests[] = {
	TEST_ENTRY(lines_split_at_newlines),
	TEST_ENTRY(partial_lines_joined_and_last_flushed_at_eof),
	TEST_ENTRY(partial_line_flushed_at_close),
	TEST_ENTRY(long_lines_cut_at_the_limit),
	TEST_ENTRY(line_of_the_limit_with_newline_in_the_next_read),
	TEST_ENTRY(binary_bytes_pass_unchanged),
	TEST_ENTRY(streams_kept_apart_and_eof_told_once),
	TEST_ENTRY(modes_without_pipes),
	TEST_ENTRY_TIMEOUT(ten_megabytes_without_loss, 120),
	TEST_ENTRY_TIMEOUT(file_sink_gets_every_line, 120),
};

TEST_MAIN(tests)
