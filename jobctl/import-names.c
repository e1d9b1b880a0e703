/* Names and values for the file an importer writes: unit names made from
 * what the source offers (a program name, a command), unique and stable
 * (the same source gives the same names), and words quoted the way jobd
 * splits them. */
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "strv.h"
#include "xmalloc.h"

#define NAME_MAX_LEN 64

struct import_names {
	char **given;
};

struct import_names *
import_names_new(void)
{
	return xcalloc(1, sizeof(struct import_names));
}

void
import_names_free(struct import_names *n)
{
	if (!n)
		return;
	strv_free(n->given);
	free(n);
}

static bool
name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || strchr("_.@-", ch) != NULL;
}

bool
import_name_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > NAME_MAX_LEN || s[0] == '-' || s[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

/* want with what jobd does not take made '-', runs of '-' made one, no
 * '-' or '.' first, at most room characters; "job" when nothing is left. */
static char *
sanitize(const char *want, size_t room)
{
	char *s = xmalloc(strlen(want) + 1), *p = s;

	for (; *want; want++) {
		char ch = name_char(*want) ? *want : '-';

		if ((ch == '-' || ch == '.') && p == s)
			continue;
		if (ch == '-' && p > s && p[-1] == '-')
			continue;
		*p++ = ch;
	}
	while (p > s && (p[-1] == '-' || p[-1] == '.'))
		p--;
	*p = '\0';
	if (strlen(s) > room)
		s[room] = '\0';
	while (*s && (s[strlen(s) - 1] == '-' || s[strlen(s) - 1] == '.'))
		s[strlen(s) - 1] = '\0';
	if (!*s) {
		free(s);
		return xstrdup("job");
	}
	return s;
}

char *
import_name(struct import_names *n, const char *want)
{
	char *base = sanitize(want, NAME_MAX_LEN), *name, *b;
	unsigned i;

	if (!strv_contains(n->given, base)) {
		n->given = strv_append(n->given, base);
		return base;
	}
	for (i = 2;; i++) {
		/* Room for "-N" within 64 characters. */
		b = sanitize(base, NAME_MAX_LEN - 11);
		name = xstrfmt("%s-%u", b, i);
		free(b);
		if (!strv_contains(n->given, name))
			break;
		free(name);
	}
	free(base);
	n->given = strv_append(n->given, name);
	return name;
}

char *
import_quote_word(const char *s)
{
	char *v[] = { (char *)s, NULL };

	return strv_join_quoted(v);
}

char *
import_quote_words(char *const *v)
{
	return strv_join_quoted(v);
}
