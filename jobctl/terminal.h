/* jobctl on a terminal: what it prints there passes through a filter
 * that shows control characters and invalid UTF-8 escaped (\x1b). */
#ifndef JOBCTL_TERMINAL_H
#define JOBCTL_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>

/* The bytes out must have room for, to escape n bytes. */
#define TERMINAL_ESCAPED_MAX(n) (4 * (n))

/* Writes s escaped to out and returns the length written: newline, tab
 * and printable ASCII as they are, valid UTF-8 as it is when utf8 (but
 * the C1 controls U+0080 to U+009F), every other byte as \xNN.  Unless
 * final, an incomplete UTF-8 sequence at the end is left for the next
 * call: *ret_used is the number of bytes of s consumed. */
size_t terminal_escape(const char *s, size_t n, bool utf8, bool final,
    char *out, size_t *ret_used);

/* Puts the filter on stdout and on stderr where they are terminals,
 * unless raw.  Valid UTF-8 is kept when the locale's character set is
 * UTF-8; in any other locale every byte past ASCII is escaped, since a
 * terminal in an 8-bit character set may read 0x9b as CSI. */
void terminal_init(bool raw);
/* Whether stdout passes through the filter. */
bool terminal_stdout(void);

/* How jobctl logs shows the lines a job wrote to stderr. */
enum terminal_mark {
	TERMINAL_MARK_NONE,	/* stdout is no terminal, or --raw */
	TERMINAL_MARK_COLOUR,	/* in red */
	TERMINAL_MARK_TEXT,	/* after "stderr: " (NO_COLOR, TERM=dumb) */
};
enum terminal_mark terminal_stderr_mark(void);
/* Writes the SGR sequence ("\033[31m") to stdout's terminal after what
 * stdout holds, past the filter: jobctl's own colour, not the job's. */
void terminal_sgr(const char *seq);
/* Flushes both streams, with a UTF-8 sequence they still hold escaped. */
void terminal_done(void);

#endif
