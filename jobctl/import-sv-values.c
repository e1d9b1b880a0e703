/* supervisord's value syntax, as its Python reads it: "%(name)s"
 * expansions (Python's % operator with a dict), environment= pairs
 * (dict_of_key_value_pairs on a non-POSIX shlex), command words
 * (shlex.split), booleans, whole numbers and byte sizes.  Each says why
 * when supervisord would refuse the value, so that the line is listed
 * as not mapped instead of written as something jobd would refuse. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import-sv.h"
#include "strv.h"
#include "xmalloc.h"

/* A growing string. */
struct buf {
	char *s;
	size_t n, cap;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = MAX(b->cap * 2, b->n + n + 64);
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void
buf_ch(struct buf *b, char ch)
{
	buf_add(b, &ch, 1);
}

/* t without its leading and trailing whitespace, in place. */
static char *
strip_ws(char *t)
{
	size_t n = strlen(t), skip = strspn(t, " \t\r\n\v\f");

	while (n > skip && strchr(" \t\r\n\v\f", t[n - 1]))
		n--;
	memmove(t, t + skip, n - skip);
	t[n - skip] = '\0';
	return t;
}

static char *
buf_take(struct buf *b)
{
	if (!b->s)
		return xstrdup("");
	return b->s;
}

/* The value of %(name): *str, or *num when *is_num. */
static bool
exp_lookup(const struct sv_exp *e, const char *name, const char **str,
    long *num, bool *is_num)
{
	const char *v = NULL;

	*is_num = false;
	if (!strcmp(name, "here"))
		v = e->here;
	else if (!strcmp(name, "program_name"))
		v = e->program_name;
	else if (!strcmp(name, "group_name"))
		v = e->group_name;
	else if (!strcmp(name, "host_node_name"))
		v = e->host_node_name;
	else if (e->process && (!strcmp(name, "process_num") ||
	    !strcmp(name, "numprocs"))) {
		*num = !strcmp(name, "numprocs") ? e->numprocs :
		    e->process_num;
		*is_num = true;
		return true;
	} else if (!strncmp(name, "ENV_", 4)) {
		v = strv_env_get(e->program_env, name + 4);
		if (!v)
			v = strv_env_get(e->env, name + 4);
		if (!v && (v = getenv(name + 4)) && e->from_environ &&
		    !strv_contains(*e->from_environ, name + 4))
			*e->from_environ = strv_append(*e->from_environ,
			    name + 4);
	}
	*str = v;
	return v != NULL;
}

/* One "%(name)SPEC" at *p (just after the ')'): flags, width,
 * precision, a length Python ignores, and a conversion; appends it. */
static bool
exp_format(struct buf *b, const char **p, const char *name,
    const struct sv_exp *e, char **why)
{
	const char *q = *p, *str = NULL;
	size_t flags, width, prec = 0;
	_cleanup_free_ char *spec = NULL, *out = NULL;
	bool is_num, left;
	long num = 0;
	char conv;

	flags = strspn(q, "-+ 0#");
	width = strspn(q + flags, "0123456789");
	if (q[flags + width] == '.')
		prec = 1 + strspn(q + flags + width + 1, "0123456789");
	q += flags + width + prec;
	q += strspn(q, "hlL") > 0;
	conv = *q;
	if (!conv || !strchr("sdiuxXo", conv) || width > 4 || prec > 5 ||
	    memchr(*p, '#', flags)) {
		*why = xstrfmt("%%(%s) has a format this import does not read "
		    "(it takes s, d, i, u, x, X and o)", name);
		return false;
	}
	if (!exp_lookup(e, name, &str, &num, &is_num)) {
		*why = xstrfmt("%%(%s)%c names nothing supervisord would know "
		    "here%s", name, conv, !strncmp(name, "ENV_", 4) ?
		    " (not in jobctl's environment)" : "");
		return false;
	}
	if (conv != 's' && !is_num) {
		*why = xstrfmt("%%(%s)%c: a number is needed, '%s' is text",
		    name, conv, str);
		return false;
	}
	left = memchr(*p, '-', flags) != NULL;
	if (conv == 's') {
		/* Python ignores the sign and zero flags of %s. */
		_cleanup_free_ char *text = is_num ? xstrfmt("%ld", num) :
		    xstrdup(str);

		spec = xstrfmt("%%%s%.*ss", left ? "-" : "",
		    (int)(width + prec), *p + flags);
		if (asprintf(&out, spec, text) < 0)
			abort();
	} else {
		spec = xstrfmt("%%%.*s%.*sl%c", (int)flags, *p,
		    (int)(width + prec), *p + flags, conv == 'i' ||
		    conv == 'u' ? 'd' : conv);
		if (asprintf(&out, spec, num) < 0)
			abort();
	}
	buf_add(b, out, strlen(out));
	*p = q + 1;
	return true;
}

char *
sv_expand(const char *s, const struct sv_exp *e, char **why)
{
	struct buf b = { 0 };
	const char *close;
	char *name;
	bool ok;

	while (*s) {
		if (*s != '%') {
			buf_ch(&b, *s++);
			continue;
		}
		if (s[1] == '%') {
			buf_ch(&b, '%');
			s += 2;
			continue;
		}
		if (s[1] != '(' || !(close = strchr(s, ')'))) {
			*why = xstrdup("a '%' that is not '%%' nor '%(name)s': "
			    "supervisord refuses the value");
			free(b.s);
			return NULL;
		}
		name = xstrndup(s + 2, (size_t)(close - s - 2));
		s = close + 1;
		ok = exp_format(&b, &s, name, e, why);
		free(name);
		if (!ok) {
			free(b.s);
			return NULL;
		}
	}
	return buf_take(&b);
}

#define SHLEX_WORD "abcdfeghijklmnopqrstuvwxyz" \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_/.+-():"

/* The next token of a non-POSIX shlex with supervisord's word
 * characters: a word, a quoted string with its quotes, or one other
 * character; NULL at the end, or with *why for an open quote. */
static char *
shlex_token(const char **p, char **why)
{
	struct buf b = { 0 };
	const char *s = *p;
	char quote;

	for (;;) {
		while (*s && strchr(" \t\r\n", *s))
			s++;
		if (*s != '#')
			break;
		s += strcspn(s, "\n");
	}
	if (!*s) {
		*p = s;
		return NULL;
	}
	if (*s == '\'' || *s == '"') {
		quote = *s;
		buf_ch(&b, *s++);
		while (*s && *s != quote)
			buf_ch(&b, *s++);
		if (!*s) {
			*why = xstrdup("no closing quotation");
			free(b.s);
			return NULL;
		}
		buf_ch(&b, *s++);
	} else if (strchr(SHLEX_WORD, *s)) {
		/* In a word, quotes are word characters; '#' skips to the
		 * end of the line and the word goes on. */
		while (*s && (strchr(SHLEX_WORD "'\"", *s) || *s == '#')) {
			if (*s == '#')
				s += strcspn(s, "\n");
			else
				buf_ch(&b, *s++);
		}
	} else
		buf_ch(&b, *s++);
	*p = s;
	return buf_take(&b);
}

char **
sv_env_pairs(const char *s, char **why)
{
	_cleanup_(strv_freep) char **tok = NULL;
	char **env = NULL, *t, *v;
	size_t n, i, len;

	*why = NULL;
	while ((t = shlex_token(&s, why)))
		tok = strv_push(tok, t);
	if (*why)
		return NULL;
	n = strv_length(tok);
	for (i = 0; i < n; i += 4) {
		if (i + 2 >= n || strcmp(tok[i + 1], "=")) {
			*why = xstrdup("not KEY=value pairs separated by ',' "
			    "(supervisord refuses it)");
			return strv_free(env);
		}
		/* Python's strip('\'"'): every quote at either end. */
		v = tok[i + 2];
		len = strlen(v);
		while (len && (v[len - 1] == '\'' || v[len - 1] == '"'))
			len--;
		while (len && (*v == '\'' || *v == '"'))
			v++, len--;
		t = xstrfmt("%s=%.*s", tok[i], (int)len, v);
		env = strv_env_set(env, t);
		free(t);
	}
	return env ? env : xcalloc(1, sizeof(char *));
}

/* shlex.split: POSIX words; in "..." a backslash escapes only '"' and
 * '\', outside quotes any character; no comments. */
char **
sv_split_command(const char *s, char **why)
{
	char **words = NULL, quote = 0;
	struct buf b = { 0 };
	bool in = false;

	for (; *s; s++) {
		if (!quote && strchr(" \t\r\n", *s)) {
			if (in)
				words = strv_push(words, buf_take(&b));
			b = (struct buf){ 0 };
			in = false;
			continue;
		}
		in = true;
		if (quote && *s == quote)
			quote = 0;
		else if (!quote && (*s == '\'' || *s == '"'))
			quote = *s;
		else if (*s == '\\' && quote != '\'') {
			if (!s[1])
				break;
			if (quote == '"' && s[1] != '"' && s[1] != '\\')
				buf_ch(&b, '\\');
			buf_ch(&b, *++s);
		} else {
			buf_ch(&b, *s);
		}
	}
	if (quote || *s) {
		*why = xstrdup(quote ? "no closing quotation" :
		    "no escaped character");
		free(b.s);
		return strv_free(words);
	}
	if (in)
		words = strv_push(words, buf_take(&b));
	if (!words)
		*why = xstrdup("the command is empty");
	return words;
}

char **
sv_list(const char *s)
{
	char **v = NULL, *t;
	size_t n;

	if (!*s)
		return xcalloc(1, sizeof(char *));
	for (;;) {
		n = strcspn(s, ",");
		t = xstrndup(s, n);
		v = strv_push(v, strip_ws(t));
		if (!s[n])
			return v;
		s += n + 1;
	}
}

int
sv_bool(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < ELEMENTSOF(yes); i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -1;
}

bool
sv_int(const char *s, long *ret)
{
	char *end;
	long v;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || *end || !isdigit((unsigned char)s[*s == '-' ||
	    *s == '+']))
		return false;
	*ret = v;
	return true;
}

bool
sv_bytes(const char *s, long long *ret)
{
	static const struct {
		const char *suffix;
		long long mult;
	} m[] = { { "kb", 1024 }, { "mb", 1024 * 1024 },
	    { "gb", 1024LL * 1024 * 1024 } };
	_cleanup_free_ char *num = xstrdup(s);
	size_t n = strlen(num), i;
	long long mult = 1;
	long v;

	for (i = 0; i < ELEMENTSOF(m); i++)
		if (n > 2 && !strcasecmp(num + n - 2, m[i].suffix)) {
			num[n - 2] = '\0';
			mult = m[i].mult;
		}
	if (!sv_int(num, &v) || v < 0 || v > (1LL << 50) / mult)
		return false;
	*ret = v * mult;
	return true;
}
