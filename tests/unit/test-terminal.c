/* Unit tests for jobctl's terminal filter: which bytes are shown escaped,
 * UTF-8 kept whole (or not, outside a UTF-8 locale), and a sequence cut
 * between two writes. */
#include <stdbool.h>

#include "runner.h"
#include "terminal.h"

/* s escaped in one call, NUL-terminated in a static buffer. */
static const char *
esc(const char *s, size_t n, bool utf8)
{
	static char out[TERMINAL_ESCAPED_MAX(256) + 1];
	size_t len, used;

	ASSERT(n <= 256);
	len = terminal_escape(s, n, utf8, true, out, &used);
	ASSERT_EQ(used, n);
	out[len] = '\0';
	return out;
}

#define ESC(lit, utf8) esc(lit, sizeof(lit) - 1, utf8)

TEST(controls_are_escaped)
{
	ASSERT_STREQ(ESC("\x1b]52;c;cHduZWQ=\x07", true),
	    "\\x1b]52;c;cHduZWQ=\\x07");
	ASSERT_STREQ(ESC("\x1b[2J\x1b[H", true), "\\x1b[2J\\x1b[H");
	ASSERT_STREQ(ESC("fake\rroot", true), "fake\\x0droot");
	ASSERT_STREQ(ESC("a\0b\x7f", true), "a\\x00b\\x7f");
	ASSERT_STREQ(ESC("\b\f\v\x01\x1f", true),
	    "\\x08\\x0c\\x0b\\x01\\x1f");
}

TEST(newline_tab_and_text_are_kept)
{
	ASSERT_STREQ(ESC("plain text ~!\"\\\n\ttab", true),
	    "plain text ~!\"\\\n\ttab");
	ASSERT_STREQ(ESC("", true), "");
}

TEST(valid_utf8_is_kept)
{
	/* é, ✓, U+1F600, U+00A0 (just past C1), U+10FFFF. */
	ASSERT_STREQ(ESC("h\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80 \xc2\xa0 "
	    "\xf4\x8f\xbf\xbf", true), "h\xc3\xa9 \xe2\x9c\x93 "
	    "\xf0\x9f\x98\x80 \xc2\xa0 \xf4\x8f\xbf\xbf");
}

TEST(invalid_utf8_and_c1_are_escaped)
{
	/* C1 CSI (U+009B) and NEL (U+0085) as UTF-8. */
	ASSERT_STREQ(ESC("\xc2\x9b" "1m\xc2\x85", true),
	    "\\xc2\\x9b1m\\xc2\\x85");
	ASSERT_STREQ(ESC("\x9b\xff\xfe", true), "\\x9b\\xff\\xfe");
	/* Overlong '/', overlong U+0000, a surrogate, past U+10FFFF. */
	ASSERT_STREQ(ESC("\xc0\xaf", true), "\\xc0\\xaf");
	ASSERT_STREQ(ESC("\xe0\x80\x80", true), "\\xe0\\x80\\x80");
	ASSERT_STREQ(ESC("\xed\xa0\x80", true), "\\xed\\xa0\\x80");
	ASSERT_STREQ(ESC("\xf4\x90\x80\x80", true),
	    "\\xf4\\x90\\x80\\x80");
	/* A lead byte followed by ASCII: both judged on their own. */
	ASSERT_STREQ(ESC("\xc3(", true), "\\xc3(");
	/* Truncated at the very end, with nothing to come. */
	ASSERT_STREQ(ESC("ok\xe2\x9c", true), "ok\\xe2\\x9c");
}

TEST(outside_utf8_every_high_byte_is_escaped)
{
	ASSERT_STREQ(ESC("h\xc3\xa9", false), "h\\xc3\\xa9");
	ASSERT_STREQ(ESC("\xc3\x9b", false), "\\xc3\\x9b");
}

TEST(sequence_cut_between_writes_is_kept)
{
	static const char s[] = "a\xe2\x9c";
	char out[64];
	size_t len, used;

	/* Not final: the cut sequence is left for the next write. */
	len = terminal_escape(s, sizeof(s) - 1, true, false, out, &used);
	ASSERT_EQ(used, 1);
	ASSERT_EQ(len, 1);
	ASSERT_EQ(out[0], 'a');
	/* A byte that cannot continue it is no reason to wait. */
	len = terminal_escape("\xe2(", 2, true, false, out, &used);
	ASSERT_EQ(used, 2);
	ASSERT_EQ(len, 5);
	ASSERT(!memcmp(out, "\\xe2(", 5));
}

TEST(worst_case_fits_the_bound)
{
	char in[256], out[TERMINAL_ESCAPED_MAX(256)];
	size_t used;
	int i;

	for (i = 0; i < 256; i++)
		in[i] = (char)0x80;
	ASSERT_EQ(terminal_escape(in, 256, true, true, out, &used),
	    TERMINAL_ESCAPED_MAX(256));
}

static const struct test tests[] = {
	TEST_ENTRY(controls_are_escaped),
	TEST_ENTRY(newline_tab_and_text_are_kept),
	TEST_ENTRY(valid_utf8_is_kept),
	TEST_ENTRY(invalid_utf8_and_c1_are_escaped),
	TEST_ENTRY(outside_utf8_every_high_byte_is_escaped),
	TEST_ENTRY(sequence_cut_between_writes_is_kept),
	TEST_ENTRY(worst_case_fits_the_bound),
};

TEST_MAIN(tests)
