/* The value parsers and errors every key uses: how a parser says what is
 * wrong with a value, words, choices and names.  The bottom of the config
 * files: it calls none of the others, and every key parser calls down to
 * it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config-value.h"
#include "config.h"
#include "signame.h"
#include "strv.h"
#include "xmalloc.h"

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

int
config_fail(char **cause, char *msg)
{
	*cause = msg;
	return -EINVAL;
}

int
config_split_words(const char *value, char ***words, char **cause)
{
	_cleanup_free_ char *why = NULL;

	if (strv_split_quoted(value, words, &why) < 0)
		return config_fail(cause, xstrfmt("invalid value '%s': %s",
		    value, why));
	return 0;
}

/* value must be one of names[0..n): its index goes to *ret; otherwise
 * the error lists the choices ("expected skip, queue or allow"). */
int
config_choice(const char *value, const char *const *names, int n, int *ret,
    char **cause)
{
	char *list = xstrdup(""), *t;
	int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(value, names[i])) {
			*ret = i;
			free(list);
			return 0;
		}
	}
	for (i = 0; i < n; i++) {
		t = xstrfmt("%s%s%s", list, i == 0 ? "" : i == n - 1 ?
		    " or " : ", ", names[i]);
		free(list);
		list = t;
	}
	t = xstrfmt("invalid value '%s': expected %s", value, list);
	free(list);
	return config_fail(cause, t);
}

int
config_parse_string(const char *value, void *dst, const char *dir UNUSED,
    char **cause UNUSED)
{
	char **p = dst;

	free(*p);
	*p = xstrdup(value);
	return 0;
}

int
config_parse_bool(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	bool *p = dst;
	size_t i;

	for (i = 0; i < ELEMENTSOF(yes); i++) {
		if (!strcasecmp(value, yes[i]) || !strcasecmp(value, no[i])) {
			*p = !strcasecmp(value, yes[i]);
			return 0;
		}
	}
	return config_fail(cause, xstrfmt("invalid boolean '%s': expected yes, "
	    "no, true, false, on, off, 1 or 0", value));
}

int
config_parse_timespan(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	_cleanup_free_ char *why = NULL;
	usec_t *p = dst;

	if (timespan_parse(value, p, &why) < 0)
		return config_fail(cause, xstrfmt("invalid time span '%s': %s",
		    value, why));
	return 0;
}

int
config_parse_timeout(const char *value, void *dst, const char *dir,
    char **cause)
{
	usec_t *p = dst;
	int r;

	/* timeout=infinity means what 0 means: no timeout. */
	r = config_parse_timespan(value, dst, dir, cause);
	if (r == 0 && *p == USEC_INFINITY)
		*p = 0;
	return r;
}

int
config_parse_path(const char *value, void *dst, const char *dir, char **cause)
{
	if (value[0] != '/')
		return config_fail(cause, xstrfmt("invalid path '%s': not "
		    "absolute", value));
	return config_parse_string(value, dst, dir, cause);
}

int
config_parse_signal(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	int *p = dst, sig;

	sig = signal_from_string(value);
	if (sig < 0)
		return config_fail(cause, xstrfmt("invalid signal '%s'",
		    value));
	*p = sig;
	return 0;
}

/* User and group names as useradd and systemd accept them, or a numeric
 * id.  Only syntax: looking names up would block the loop on NSS. */
static bool
user_name_is_valid(const char *s)
{
	size_t n = strlen(s), i;
	char *end;

	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		return strtoul(s, &end, 10) < 4294967295UL && !errno &&
		    !*end && n <= 10;
	}
	if (n == 0 || n > 32 || s[0] == '-' || s[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '$' && i == n - 1 && i > 0)
			continue;
		if (!strchr(ALNUM "_.-", s[i]))
			return false;
	}
	return true;
}

int
config_parse_user(const char *value, void *dst, const char *dir, char **cause)
{
	if (!user_name_is_valid(value))
		return config_fail(cause, xstrfmt("invalid user name '%s'",
		    value));
	return config_parse_string(value, dst, dir, cause);
}

int
config_parse_group(const char *value, void *dst, const char *dir, char **cause)
{
	if (!user_name_is_valid(value))
		return config_fail(cause, xstrfmt("invalid group name '%s'",
		    value));
	return config_parse_string(value, dst, dir, cause);
}

/* A number of runs to keep: 0 means no limit. */
int
config_parse_max_runs(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || errno || *end || v > 1000000000)
		return config_fail(cause, xstrfmt("invalid count '%s': "
		    "expected 0 (no limit) to 1000000000", value));
	*(int64_t *)dst = (int64_t)v;
	return 0;
}

/* An age: a time span, 0 or infinity meaning no limit. */
int
config_parse_max_age(const char *value, void *dst, const char *dir UNUSED,
    char **cause)
{
	_cleanup_free_ char *why = NULL;
	usec_t v;

	if (timespan_parse(value, &v, &why) < 0)
		return config_fail(cause, xstrfmt("invalid time span '%s': %s",
		    value, why));
	*(int64_t *)dst = v == USEC_INFINITY || v > INT64_MAX ? 0 :
	    (int64_t)v;
	return 0;
}

/* A decimal count in [min, max]: no sign, no space, no suffix. */
int
config_parse_range(const char *value, unsigned *dst, unsigned long min,
    unsigned long max, char **cause)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || errno || *end || v < min ||
	    v > max)
		return config_fail(cause, xstrfmt("invalid count '%s': "
		    "expected %lu to %lu", value, min, max));
	*dst = (unsigned)v;
	return 0;
}

int
config_parse_count(const char *value, void *dst, const char *dir,
    char **cause)
{
	(void)dir;
	return config_parse_range(value, dst, 0, 1000000, cause);
}

int
config_parse_small_count(const char *value, void *dst, const char *dir,
    char **cause)
{
	(void)dir;
	return config_parse_range(value, dst, 1, 100000, cause);
}

int
config_job_name_check(const char *name, char **cause)
{
	size_t n = strlen(name);

	if (n == 0 || n > CONFIG_MAX_NAME || name[0] == '-' ||
	    name[0] == '.' || name[strspn(name, ALNUM "_.@-")] != '\0')
		return config_fail(cause, xstrfmt("invalid job name '%s': "
		    "expected 1-%d of A-Z a-z 0-9 _ . @ -, not starting with - "
		    "or .", name, CONFIG_MAX_NAME));
	return 0;
}

/* Names: space separated, each 1-64 of [A-Za-z0-9_.@-]. */
int
config_parse_names(const char *value, void *dst, const char *dir,
    char **cause)
{
	_cleanup_(strv_freep) char **words = NULL;
	_cleanup_free_ char *why = NULL;
	char ***list = dst;
	size_t i;

	(void)dir;
	if (config_split_words(value, &words, cause) < 0)
		return -EINVAL;
	if (!words[0])
		return config_fail(cause, xstrdup("empty value"));
	for (i = 0; words[i]; i++) {
		if (config_job_name_check(words[i], &why) < 0)
			return config_fail(cause, xstrfmt("invalid name '%s'",
			    words[i]));
		if (strv_length(*list) >= CONFIG_MAX_DEPS)
			return config_fail(cause, xstrfmt("too many names (max "
			    "%d)", CONFIG_MAX_DEPS));
		if (!strv_contains(*list, words[i]))
			*list = strv_append(*list, words[i]);
	}
	return 0;
}

int
config_parse_name(const char *value, void *dst, const char *dir,
    char **cause)
{
	char **p = dst, *why = NULL;

	(void)dir;
	if (config_job_name_check(value, &why) < 0) {
		free(why);
		return config_fail(cause, xstrfmt("invalid name '%s'", value));
	}
	free(*p);
	*p = xstrdup(value);
	return 0;
}

/* Absolute paths, repeatable. */
int
config_parse_paths(const char *value, void *dst, const char *dir,
    char **cause)
{
	char ***list = dst;

	(void)dir;
	if (value[0] != '/')
		return config_fail(cause, xstrfmt("invalid path '%s': not "
		    "absolute", value));
	if (strv_length(*list) >= CONFIG_MAX_DEPS)
		return config_fail(cause, xstrfmt("too many paths (max %d)",
		    CONFIG_MAX_DEPS));
	*list = strv_append(*list, value);
	return 0;
}
