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

#endif
