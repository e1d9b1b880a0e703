/* jobctl's output on a terminal.  The strings jobd sends (a job's output,
 * a service's STATUS= text, reasons, names) are chosen by the job's user;
 * printed raw they drive the terminal: clear it, move the cursor to fake
 * lines, set the window title, write the clipboard (OSC 52).  Like
 * systemctl and journalctl, jobctl shows them escaped, and does it in one
 * place: stdout and stderr themselves, so no printf can be forgotten. */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "terminal.h"
#include "xmalloc.h"

/* The length of the valid UTF-8 sequence at s (n bytes there), 0 when it
 * is invalid or a C1 control, -1 when n bytes are too few to tell.  The
 * second byte's range excludes overlong forms, surrogates and code
 * points past U+10FFFF (RFC 3629, section 4), and C1 (C2 80..9F). */
static int
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xc2 || s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -1;
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0;
	}
	return len;
}

size_t
terminal_escape(const char *s, size_t n, bool utf8, bool final, char *out,
    size_t *ret_used)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	char *o = out;
	size_t i = 0;
	int len;

	while (i < n) {
		if (p[i] == '\n' || p[i] == '\t' ||
		    (p[i] >= 0x20 && p[i] < 0x7f)) {
			*o++ = (char)p[i++];
			continue;
		}
		if (p[i] >= 0x80 && utf8) {
			len = utf8_len(p + i, n - i);
			if (len < 0 && !final)
				break;		/* the rest comes next */
			if (len > 0) {
				memcpy(o, p + i, len);
				o += len;
				i += len;
				continue;
			}
		}
		*o++ = '\\';
		*o++ = 'x';
		*o++ = hex[p[i] >> 4];
		*o++ = hex[p[i] & 15];
		i++;
	}
	*ret_used = i;
	return o - out;
}

/* One filtered stream: writes go escaped to fd. */
struct terminal_stream {
	int fd;
	bool utf8;
	char held[4];			/* a UTF-8 sequence cut by a write */
	size_t nheld;
};

#define TERMINAL_CHUNK 4096

static struct terminal_stream *terminal_out, *terminal_err;
static enum terminal_mark terminal_mark;

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/* Escapes what the stream holds and buf, keeping a cut UTF-8 sequence
 * (unless final). */
static int
terminal_put(struct terminal_stream *t, const char *buf, size_t size,
    bool final)
{
	char in[sizeof(t->held) + TERMINAL_CHUNK];
	char out[TERMINAL_ESCAPED_MAX(sizeof(in))];
	size_t take, len, used;

	do {
		take = MIN(size, TERMINAL_CHUNK);
		memcpy(in, t->held, t->nheld);
		memcpy(in + t->nheld, buf, take);
		len = terminal_escape(in, t->nheld + take, t->utf8,
		    final && take == size, out, &used);
		t->nheld += take - used;
		memcpy(t->held, in + used, t->nheld);
		if (write_all(t->fd, out, len) < 0)
			return -1;
		buf += take;
		size -= take;
	} while (size > 0);
	return 0;
}

static ssize_t
terminal_write_cb(void *cookie, const char *buf, size_t size)
{
	return terminal_put(cookie, buf, size, false) < 0 ? -1 :
	    (ssize_t)size;
}

/* A stream writing escaped to fd, line-buffered like a terminal's. */
static FILE *
terminal_open(int fd, bool utf8, struct terminal_stream **ret)
{
	static const cookie_io_functions_t io = {
		.write = terminal_write_cb,
	};
	struct terminal_stream *t = xcalloc(1, sizeof(*t));
	FILE *f;

	t->fd = fd;
	t->utf8 = utf8;
	if (!(f = fopencookie(t, "w", io))) {
		free(t);
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, BUFSIZ);
	*ret = t;
	return f;
}

/* Colour unless NO_COLOR is set and not empty (no-color.org) or the
 * terminal is dumb (TERM unset or dumb), as systemd decides. */
static bool
terminal_colour(void)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	return !(no && *no) && term && strcmp(term, "dumb");
}

void
terminal_init(bool raw)
{
	bool out = isatty(STDOUT_FILENO), err = isatty(STDERR_FILENO);
	const char *cs;
	bool utf8;
	FILE *f;

	if (raw || (!out && !err))
		return;
	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	/* glibc's stdout and stderr are variables meant to be assigned
	 * (glibc manual, "Standard Streams"). */
	fflush(NULL);
	if (out && (f = terminal_open(STDOUT_FILENO, utf8, &terminal_out)))
		stdout = f;
	if (terminal_out)
		terminal_mark = terminal_colour() ? TERMINAL_MARK_COLOUR :
		    TERMINAL_MARK_TEXT;
	if (err && (f = terminal_open(STDERR_FILENO, utf8, &terminal_err)))
		stderr = f;
}

bool
terminal_stdout(void)
{
	return terminal_out != NULL;
}

enum terminal_mark
terminal_stderr_mark(void)
{
	return terminal_mark;
}

void
terminal_sgr(const char *seq)
{
	if (!terminal_out || fflush(stdout) == EOF)
		return;
	/* A line ends here: a UTF-8 sequence it cut is shown escaped. */
	if (terminal_out->nheld &&
	    terminal_put(terminal_out, "", 0, true) < 0)
		return;
	(void)write_all(STDOUT_FILENO, seq, strlen(seq));
}

void
terminal_done(void)
{
	if (terminal_out && fflush(stdout) == 0 && terminal_out->nheld)
		terminal_put(terminal_out, "", 0, true);
	if (terminal_err && fflush(stderr) == 0 && terminal_err->nheld)
		terminal_put(terminal_err, "", 0, true);
}
