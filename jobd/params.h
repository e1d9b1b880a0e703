/* A job's parameters (param=NAME[=DEFAULT]) and the arguments a run may
 * append to its command (args=append): the declarations' syntax, what a
 * caller may give (jobctl start --param NAME=VALUE -- ARG...), and what a
 * run gets (JOBD_PARAM_NAME in its environment).  Pure: no I/O. */
#ifndef JOBD_PARAMS_H
#define JOBD_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#define PARAM_MAX_NAME 64		/* [A-Za-z_][A-Za-z0-9_]* */
#define PARAM_MAX_VALUE 4096		/* bytes of a value or default */
#define PARAM_MAX 64			/* declared by a job, given to a run */
#define ARGS_MAX 1024			/* arguments appended or run */
#define ARGS_MAX_BYTES (32 * 1024)	/* their total size (a call is at
					 * most 64 KiB) */
#define PARAM_ENV_PREFIX "JOBD_PARAM_"

/* Checks one declaration, "NAME" (no default: Start must give it) or
 * "NAME=DEFAULT": 0, or -EINVAL with *cause. */
int param_decl_check(const char *decl, char **cause);
/* Whether name (len bytes) is a valid parameter name. */
bool param_name_valid(const char *name, size_t len);
/* The declaration of that name in decls, or NULL. */
const char *param_decl_find(char *const *decls, const char *name,
    size_t len);
/* Checks what a caller gives against a job's declarations: each entry
 * NAME=VALUE, declared, given once, its value bounded; every declared
 * parameter without a default given.  0, or -EINVAL with *cause naming
 * the entry. */
int params_check(char *const *decls, char *const *given, char **cause);
/* Every declared parameter as NAME=VALUE, in declaration order: the
 * value given, else the default, else empty (runs nobody started by
 * hand: a schedule, a dependency).  NULL when none is declared. */
char **params_effective(char *const *decls, char *const *given);
/* The environment entries of effective parameters: JOBD_PARAM_NAME=V. */
char **params_env(char *const *effective);
/* Checks arguments a caller gives: at most ARGS_MAX of them, together
 * at most ARGS_MAX_BYTES.  0, or -E2BIG with *cause. */
int args_check(char *const *args, char **cause);

#endif
