/* A NULL-terminated string vector as a JSON array of strings: the lists
 * jobd's replies and events carry (reload's job names, a run's locks) and
 * the names jobctl sends.  Apart from strv.c, which jobd-exec links
 * without jansson. */
#ifndef JOBD_STRV_JSON_H
#define JOBD_STRV_JSON_H

#include <jansson.h>

/* A new array of v's strings ([] for NULL). */
json_t *strv_json(char *const *v);

/* The strings of an array as a new vector; NULL for NULL or []. The
 * caller has checked that every element is a string. */
char **json_strv(const json_t *a);

#endif
