/* Allocation that never returns NULL: running out of memory is fatal. */
#ifndef JOBD_XMALLOC_H
#define JOBD_XMALLOC_H

#include <stddef.h>
#include "macro.h"

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
int xasprintf(char **, const char *, ...) PRINTF_LIKE(2, 3);
/* Like xasprintf, but returns the new string. */
char *xstrfmt(const char *, ...) PRINTF_LIKE(1, 2);

#endif
