/* NULL-terminated string vectors: argv and environment building, and the
 * shell-style word splitting used by command= and environment=.  Splitting
 * follows POSIX quoting but performs no expansion of any kind, so what the
 * user quoted is exactly what the job receives. */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "strv.h"
#include "xmalloc.h"

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

size_t
strv_length(char *const *l)
{
	size_t n = 0;

	if (l)
		while (l[n])
			n++;
	return n;
}

char **
strv_copy(char *const *l)
{
	char **r;
	size_t i, n;

	if (!l)
		return NULL;
	n = strv_length(l);
	r = xreallocarray(NULL, n + 1, sizeof(*r));
	for (i = 0; i < n; i++)
		r[i] = xstrdup(l[i]);
	r[n] = NULL;
	return r;
}

char **
strv_push(char **l, char *s)
{
	size_t n = strv_length(l);

	l = xreallocarray(l, n + 2, sizeof(*l));
	l[n] = s;
	l[n + 1] = NULL;
	return l;
}

char **
strv_append(char **l, const char *s)
{
	return strv_push(l, xstrdup(s));
}

bool
strv_equal(char *const *a, char *const *b)
{
	size_t i;

	/* NULL and an empty vector say the same thing. */
	if (strv_length(a) != strv_length(b))
		return false;
	for (i = 0; a && a[i]; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

char **
strv_free(char **l)
{
	size_t i;

	if (l) {
		for (i = 0; l[i]; i++)
			free(l[i]);
		free(l);
	}
	return NULL;
}

/* A growing word while splitting; started marks a word that exists even
 * when empty (from '' or ""). */
struct word {
	char *buf;
	size_t len, cap;
	bool started;
};

static void
word_add(struct word *w, char c)
{
	if (w->len + 2 > w->cap) {
		w->cap = w->cap ? w->cap * 2 : 32;
		w->buf = xrealloc(w->buf, w->cap);
	}
	w->buf[w->len++] = c;
	w->buf[w->len] = '\0';
	w->started = true;
}

static char **
word_end(struct word *w, char **l)
{
	if (!w->started)
		return l;
	if (!w->buf)
		w->buf = xstrdup("");
	l = strv_push(l, w->buf);
	*w = (struct word){ 0 };
	return l;
}

/* Reads the quoted part starting after the opening quote at *sp; leaves *sp
 * after the closing one.  Returns false when the quote is not closed. */
static bool
split_quoted_part(const char **sp, char quote, struct word *w)
{
	const char *s = *sp;

	w->started = true;
	for (; *s && *s != quote; s++) {
		if (quote == '"' && *s == '\\' && s[1] &&
		    strchr("\\\"$`\n", s[1])) {
			s++;
			if (*s == '\n')	/* line continuation */
				continue;
		}
		word_add(w, *s);
	}
	if (!*s)
		return false;
	*sp = s + 1;
	return true;
}

int
strv_split_quoted(const char *s, char ***ret, char **cause)
{
	_cleanup_(strv_freep) char **l = NULL;
	struct word w = { 0 };
	const char *err = NULL;
	char q;

	while (*s && !err) {
		if (strchr(" \t\n", *s)) {
			l = word_end(&w, l);
			s++;
		} else if (*s == '\'' || *s == '"') {
			q = *s++;
			if (!split_quoted_part(&s, q, &w))
				err = q == '\'' ? "unterminated single quote" :
				    "unterminated double quote";
		} else if (*s == '\\') {
			/* Backslash-newline joins lines, as in sh. */
			if (!s[1])
				err = "trailing backslash";
			else {
				if (s[1] != '\n')
					word_add(&w, s[1]);
				s += 2;
			}
		} else
			word_add(&w, *s++);
	}
	if (err) {
		free(w.buf);
		if (cause)
			*cause = xstrdup(err);
		return -EINVAL;
	}
	l = word_end(&w, l);
	if (!l)
		l = xcalloc(1, sizeof(*l));
	*ret = TAKE_PTR(l);
	return 0;
}

/* Characters that never need quoting for sh. */
static bool
join_is_plain(const char *s)
{
	if (!*s)
		return false;
	return s[strspn(s, ALNUM "_@%+=:,./-")] == '\0';
}

char *
strv_join_quoted(char *const *l)
{
	struct word w = { 0 };
	const char *p;
	size_t i;

	for (i = 0; l && l[i]; i++) {
		if (i > 0)
			word_add(&w, ' ');
		if (join_is_plain(l[i])) {
			for (p = l[i]; *p; p++)
				word_add(&w, *p);
			continue;
		}
		/* Single quotes keep everything; a quote itself is '\''. */
		word_add(&w, '\'');
		for (p = l[i]; *p; p++) {
			if (*p == '\'') {
				word_add(&w, '\'');
				word_add(&w, '\\');
				word_add(&w, '\'');
			}
			word_add(&w, *p);
		}
		word_add(&w, '\'');
	}
	return w.buf ? w.buf : xstrdup("");
}

/* Length of the KEY in "KEY=VALUE", or 0 when s has no '='. */
static size_t
env_key_len(const char *s)
{
	const char *eq = strchr(s, '=');

	return eq ? (size_t)(eq - s) : 0;
}

static bool
env_matches(const char *entry, const char *key, size_t keylen)
{
	return strncmp(entry, key, keylen) == 0 && entry[keylen] == '=';
}

const char *
strv_env_get(char *const *env, const char *key)
{
	size_t i, n = strlen(key);

	for (i = 0; env && env[i]; i++)
		if (env_matches(env[i], key, n))
			return env[i] + n + 1;
	return NULL;
}

char **
strv_env_set(char **env, const char *assignment)
{
	size_t i, n = env_key_len(assignment);

	assert(n > 0);
	for (i = 0; env && env[i]; i++) {
		if (env_matches(env[i], assignment, n)) {
			free(env[i]);
			env[i] = xstrdup(assignment);
			return env;
		}
	}
	return strv_append(env, assignment);
}

char **
strv_env_unset(char **env, const char *key)
{
	size_t i, j, n = strlen(key);

	if (!env)
		return NULL;
	for (i = j = 0; env[i]; i++) {
		if (env_matches(env[i], key, n))
			free(env[i]);
		else
			env[j++] = env[i];
	}
	env[j] = NULL;
	return env;
}

bool
strv_env_assignment_is_valid(const char *s)
{
	size_t n = env_key_len(s), i;

	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; i < n; i++)
		if (!strchr(ALNUM "_", s[i]))
			return false;
	return true;
}

bool
strv_contains(char *const *v, const char *s)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}
