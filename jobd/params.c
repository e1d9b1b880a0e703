/* Parameters and appended arguments: the syntax of param= and of what
 * Start gives, checked before anything runs, and the environment a run
 * gets.  Names are shell-safe ([A-Za-z_][A-Za-z0-9_]*) because they become
 * part of a variable's name; values are bounded, never interpreted. */
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "params.h"
#include "strv.h"
#include "xmalloc.h"

#define NAME_FIRST "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
#define NAME_REST NAME_FIRST "0123456789"

bool
param_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > PARAM_MAX_NAME || !strchr(NAME_FIRST, name[0]))
		return false;
	for (i = 1; i < len; i++)
		if (!name[i] || !strchr(NAME_REST, name[i]))
			return false;
	return true;
}

static size_t
name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	return eq ? (size_t)(eq - entry) : strlen(entry);
}

int
param_decl_check(const char *decl, char **cause)
{
	size_t n = name_len(decl);

	if (!param_name_valid(decl, n)) {
		*cause = xstrfmt("invalid parameter name '%.*s': expected 1-%d "
		    "of A-Z a-z 0-9 _, not starting with a digit", (int)MIN(n,
		    (size_t)PARAM_MAX_NAME + 1), decl, PARAM_MAX_NAME);
		return -EINVAL;
	}
	if (decl[n] && strlen(decl + n + 1) > PARAM_MAX_VALUE) {
		*cause = xstrfmt("default of '%.*s' longer than %d bytes",
		    (int)n, decl, PARAM_MAX_VALUE);
		return -EINVAL;
	}
	return 0;
}

const char *
param_decl_find(char *const *decls, const char *name, size_t len)
{
	size_t i;

	for (i = 0; decls && decls[i]; i++)
		if (name_len(decls[i]) == len &&
		    !strncmp(decls[i], name, len))
			return decls[i];
	return NULL;
}

/* Whether given[k] for k < i names the same parameter as given[i]. */
static bool
given_before(char *const *given, size_t i, size_t len)
{
	size_t k;

	for (k = 0; k < i; k++)
		if (name_len(given[k]) == len &&
		    !strncmp(given[k], given[i], len))
			return true;
	return false;
}

/* The entry's error, or NULL. */
static char *
param_given_error(char *const *decls, char *const *given, size_t i)
{
	const char *e = given[i];
	size_t n = name_len(e);

	if (!e[n])
		return xstrfmt("malformed parameter '%.*s': expected "
		    "NAME=VALUE", PARAM_MAX_NAME + 1, e);
	if (!param_name_valid(e, n))
		return xstrfmt("invalid parameter name '%.*s'",
		    (int)MIN(n, (size_t)PARAM_MAX_NAME + 1), e);
	if (!param_decl_find(decls, e, n))
		return xstrfmt("unknown parameter '%.*s': the job declares %s",
		    (int)n, e, decls ? "others (param=)" : "none");
	if (given_before(given, i, n))
		return xstrfmt("parameter '%.*s' given twice", (int)n, e);
	if (strlen(e + n + 1) > PARAM_MAX_VALUE)
		return xstrfmt("value of parameter '%.*s' longer than %d "
		    "bytes", (int)n, e, PARAM_MAX_VALUE);
	return NULL;
}

int
params_check(char *const *decls, char *const *given, char **cause)
{
	size_t i, n;

	if (strv_length(given) > PARAM_MAX) {
		*cause = xstrfmt("more than %d parameters", PARAM_MAX);
		return -EINVAL;
	}
	for (i = 0; given && given[i]; i++)
		if ((*cause = param_given_error(decls, given, i)))
			return -EINVAL;
	for (i = 0; decls && decls[i]; i++) {
		n = name_len(decls[i]);
		if (!decls[i][n] && !param_decl_find(given, decls[i], n)) {
			*cause = xstrfmt("missing parameter '%s': the job "
			    "declares it without a default", decls[i]);
			return -EINVAL;
		}
	}
	return 0;
}

char **
params_effective(char *const *decls, char *const *given)
{
	const char *g;
	char **v = NULL;
	size_t i, n;

	for (i = 0; decls && decls[i]; i++) {
		n = name_len(decls[i]);
		g = param_decl_find(given, decls[i], n);
		if (g && g[n] == '=')
			v = strv_append(v, g);
		else if (decls[i][n] == '=')
			v = strv_append(v, decls[i]);
		else
			v = strv_push(v, xstrfmt("%s=", decls[i]));
	}
	return v;
}

char **
params_env(char *const *effective)
{
	char **v = NULL;
	size_t i;

	for (i = 0; effective && effective[i]; i++)
		v = strv_push(v, xstrfmt(PARAM_ENV_PREFIX "%s", effective[i]));
	return v;
}

int
args_check(char *const *args, char **cause)
{
	size_t i, bytes = 0;

	for (i = 0; args && args[i]; i++) {
		bytes += strlen(args[i]) + 1;
		if (i >= ARGS_MAX || bytes > ARGS_MAX_BYTES) {
			*cause = xstrfmt("too many arguments: at most %d, "
			    "%d bytes together", ARGS_MAX, ARGS_MAX_BYTES);
			return -E2BIG;
		}
	}
	return 0;
}
