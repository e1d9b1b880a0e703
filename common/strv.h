/* NULL-terminated string vectors (argv, environment) and shell-style word
 * splitting for command= and environment= values. */
#ifndef JOBD_STRV_H
#define JOBD_STRV_H

#include <stdbool.h>
#include <stddef.h>

size_t strv_length(char *const *);
char **strv_copy(char *const *);
/* Appends a copy of s; the vector may be NULL. */
char **strv_append(char **, const char *s);
/* Appends and takes ownership of s. */
char **strv_push(char **, char *s);
bool strv_equal(char *const *, char *const *);
bool strv_contains(char *const *, const char *s);
char **strv_free(char **);
static inline void
strv_freep(char ***p)
{
	strv_free(*p);
}

/* Splits s into words as a POSIX shell would for a simple command, without
 * expansions: whitespace separates words, '...' quotes literally, "..."
 * quotes with \ escaping \ " $ ` and newline, \ outside quotes escapes the
 * next character.  Returns 0 and a vector (possibly empty, never NULL), or
 * -EINVAL with *cause ("unterminated double quote", "trailing backslash"). */
int strv_split_quoted(const char *s, char ***ret, char **cause);

/* Joins words into one string that strv_split_quoted reads back, quoting
 * words that need it (for display). */
char *strv_join_quoted(char *const *);

/* Environment: finds "KEY=" in env, returns the value or NULL. */
const char *strv_env_get(char *const *env, const char *key);
/* Sets KEY=VALUE (from "KEY=VALUE"), replacing an existing KEY. */
char **strv_env_set(char **env, const char *assignment);
/* Removes KEY. */
char **strv_env_unset(char **env, const char *key);
/* True when s is KEY=VALUE with a valid variable name as KEY. */
bool strv_env_assignment_is_valid(const char *s);

#endif
