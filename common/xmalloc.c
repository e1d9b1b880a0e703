/* Allocation wrappers that abort on exhaustion (tmux's xmalloc.c): a daemon
 * that cannot allocate a few bytes cannot keep its promises either, and
 * checking every small allocation would bury the real error paths. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static void
xmalloc_die(size_t n)
{
	fprintf(stderr, "out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		xmalloc_die(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t n)
{
	void *p = calloc(nmemb ? nmemb : 1, n ? n : 1);

	if (!p)
		xmalloc_die(nmemb * n);
	return p;
}

void *
xrealloc(void *ptr, size_t n)
{
	void *p = realloc(ptr, n ? n : 1);

	if (!p)
		xmalloc_die(n);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t n)
{
	void *p = reallocarray(ptr, nmemb ? nmemb : 1, n ? n : 1);

	if (!p)
		xmalloc_die(nmemb * n);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		xmalloc_die(n);
	return p;
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (r < 0)
		xmalloc_die(strlen(fmt));
	return r;
}

char *
xstrfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		xmalloc_die(strlen(fmt));
	va_end(ap);
	return s;
}
