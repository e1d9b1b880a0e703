/* The keys of a job's parameters: param=NAME[=DEFAULT], one per line
 * (the default is the rest of the line, spaces included), and
 * args=append|no.  The syntax itself is params.c's. */
#include <errno.h>
#include <string.h>

#include "config-internal.h"
#include "params.h"
#include "strv.h"
#include "xmalloc.h"

int
config_parse_param(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	char ***list = dst;
	size_t n = strcspn(value, "=");

	if (param_decl_check(value, cause) < 0)
		return -EINVAL;
	if (param_decl_find(*list, value, n))
		return config_fail(cause, xstrfmt("parameter '%.*s' declared "
		    "twice", (int)n, value));
	if (strv_length(*list) >= PARAM_MAX)
		return config_fail(cause, xstrfmt("too many parameters (max "
		    "%d)", PARAM_MAX));
	*list = strv_append(*list, value);
	return 0;
}

int
config_parse_args(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	bool *append = dst;

	if (!strcmp(value, "append") || !strcmp(value, "no")) {
		*append = !strcmp(value, "append");
		return 0;
	}
	return config_fail(cause, xstrfmt("invalid value '%s': expected "
	    "append or no", value));
}
