/* The keys only [jobd] has: where the socket and the state live, the
 * include directory, the output tail, the ledger's sync mode and cgroups.
 * Value parsers only; the table that names the keys is in config-keys.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config-internal.h"
#include "xmalloc.h"

int
config_parse_socket(const char *value, void *dst, const char *dir, char **cause)
{
	/* sizeof(sun_path) is 108 and the path needs its NUL. */
	if (strlen(value) > 107)
		return config_fail(cause, xstrfmt("invalid path '%s': longer "
		    "than 107 bytes", value));
	return config_parse_path(value, dst, dir, cause);
}

int
config_parse_include_dir(const char *value, void *dst, const char *dir,
    char **cause)
{
	_cleanup_free_ char *joined = NULL;
	struct stat st;
	char **p = dst, *abs;

	if (value[0] == '/' || !dir)
		joined = xstrdup(value);
	else
		joined = xstrfmt("%s/%s", dir, value);
	if (stat(joined, &st) < 0)
		return config_fail(cause, xstrfmt("invalid directory '%s': %s",
		    value, strerror(errno)));
	if (!S_ISDIR(st.st_mode))
		return config_fail(cause, xstrfmt("invalid directory '%s': %s",
		    value, strerror(ENOTDIR)));
	abs = realpath(joined, NULL);
	if (!abs)
		return config_fail(cause, xstrfmt("invalid directory '%s': %s",
		    value, strerror(errno)));
	free(*p);
	*p = abs;
	return 0;
}

int
config_parse_tail_size(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	unsigned long long v;
	size_t *p = dst;
	char *end;

	errno = 0;
	v = strtoull(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || errno || end == value)
		goto bad;
	if ((*end == 'K' || *end == 'k') && end[1] == '\0')
		v = v > CONFIG_MAX_TAIL_SIZE ? v : v * 1024;
	else if ((*end == 'M' || *end == 'm') && end[1] == '\0')
		v = v > CONFIG_MAX_TAIL_SIZE ? v : v * 1024 * 1024;
	else if (*end != '\0')
		goto bad;
	if (v < 1024 || v > CONFIG_MAX_TAIL_SIZE)
		return config_fail(cause, xstrfmt("invalid size '%s': must be "
		    "between 1K and 16M", value));
	*p = (size_t)v;
	return 0;
bad:
	return config_fail(cause, xstrfmt("invalid size '%s': expected a "
	    "number of bytes with an optional K or M suffix", value));
}

static const char *const sync_name[] = { "normal", "full" };

CONFIG_ENUM_PARSER(config_parse_ledger_sync, bool, sync_name, 2)

static const char *const cgroups_name[] = { "auto", "no", "yes" };

CONFIG_ENUM_PARSER(config_parse_cgroups, int, cgroups_name, 3)
