/* The value parsers and errors every key uses: how a parser says what is
 * wrong with a value, words, choices and names.  The bottom of the config
 * files: it calls none of the others, and every key parser calls down to
 * it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config-value.h"
#include "config.h"
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
config_job_name_check(const char *name, char **cause)
{
	size_t n = strlen(name);

	if (n == 0 || n > CONFIG_MAX_NAME || name[0] == '-' ||
	    name[0] == '.' || name[strspn(name, ALNUM "_.@-")] != '\0')
		return config_fail(cause, xstrfmt("invalid job name '%s': expected "
		    "1-%d of A-Z a-z 0-9 _ . @ -, not starting with - or .",
		    name, CONFIG_MAX_NAME));
	return 0;
}
