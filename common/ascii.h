/* ASCII character classes.  <ctype.h>'s follow the locale and want an
 * unsigned char; what jobd parses (time spans, calendar expressions) is
 * ASCII whatever the locale says. */
#ifndef JOBD_ASCII_H
#define JOBD_ASCII_H

#include <stdbool.h>

static inline bool
ascii_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
ascii_isalpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A hexadecimal digit's value, or -1. */
static inline int
ascii_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
