/* The [alert NAME] sections: where alerts go (a webhook, mail, a command)
 * and how, and [jobd] sendmail=.  Value parsers, the section's defaults,
 * freeing.  Which units send alerts and when is a unit's policy
 * (config-policy.c: alert=, alert_on=, alert_repeat=,
 * expect_success_within=); what a section must hold is checked when it
 * ends (config-section.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config-internal.h"
#include "strv.h"
#include "xmalloc.h"

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
/* RFC 9110's tchar: what a header name is made of. */
#define TCHAR ALNUM "!#$%&'*+-.^_`|~"
/* atext of RFC 5322, less what a shell or a header could read twice. */
#define MAIL_LOCAL ALNUM "._%+-=!#$&'*/?^`{|}~"
#define MAIL_DOMAIN ALNUM ".-"

const char *const webhook_format_name[WEBHOOK_NFORMATS] = {
	[WEBHOOK_JSON] = "json",
	[WEBHOOK_SLACK] = "slack",
};

CONFIG_ENUM_PARSER(config_parse_webhook_format, enum webhook_format,
    webhook_format_name, WEBHOOK_NFORMATS)

/* Printable ASCII only: no space, no control, nothing curl or a header
 * line would take apart. */
static bool
url_chars_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

int
config_parse_webhook(const char *value, void *dst, const char *dir,
    char **cause)
{
	size_t n = strlen(value), skip;

	if (n > CONFIG_MAX_URL)
		return config_fail(cause, xstrfmt("invalid URL: longer than %d "
		    "bytes", CONFIG_MAX_URL));
	if (!url_chars_ok(value))
		return config_fail(cause, xstrfmt("invalid URL '%s': spaces, "
		    "control characters and non-ASCII bytes must be "
		    "percent-encoded", value));
	if (!strncasecmp(value, "http://", 7))
		skip = 7;
	else if (!strncasecmp(value, "https://", 8))
		skip = 8;
	else
		return config_fail(cause, xstrfmt("invalid URL '%s': expected "
		    "http:// or https://", value));
	if (!value[skip] || strchr("/?#", value[skip]))
		return config_fail(cause, xstrfmt("invalid URL '%s': no host",
		    value));
	return config_parse_string(value, dst, dir, cause);
}

/* Headers that would change how the body is framed: curl sets them. */
static bool
header_reserved(const char *name, size_t n)
{
	static const char *const reserved[] = { "content-length",
	    "transfer-encoding" };
	size_t i;

	for (i = 0; i < ELEMENTSOF(reserved); i++)
		if (n == strlen(reserved[i]) && !strncasecmp(name, reserved[i],
		    n))
			return true;
	return false;
}

/* "Name: value": a token, a colon, a value of printable characters (tab
 * too); stored as "Name: value". */
int
config_parse_webhook_header(const char *value, void *dst, const char *dir,
    char **cause)
{
	char ***list = dst;
	size_t n = strspn(value, TCHAR);
	const char *v, *s;

	(void)dir;
	if (n == 0 || n > 64 || value[n] != ':')
		return config_fail(cause, xstrfmt("invalid header '%s': "
		    "expected 'Name: value', the name 1-64 of A-Z a-z 0-9 "
		    "!#$%%&'*+-.^_`|~", value));
	if (header_reserved(value, n))
		return config_fail(cause, xstrfmt("invalid header '%.*s': jobd "
		    "sets it", (int)n, value));
	for (v = value + n + 1; *v == ' ' || *v == '\t'; v++)
		;
	if (!*v)
		return config_fail(cause, xstrfmt("invalid header '%s': empty "
		    "value", value));
	for (s = v; *s; s++)
		if (((unsigned char)*s < ' ' && *s != '\t') || *s == 0x7f)
			return config_fail(cause, xstrfmt("invalid header "
			    "'%.*s': control characters in its value", (int)n,
			    value));
	if (strlen(v) > CONFIG_MAX_HEADER)
		return config_fail(cause, xstrfmt("invalid header '%.*s': "
		    "value longer than %d bytes", (int)n, value,
		    CONFIG_MAX_HEADER));
	if (strv_length(*list) >= CONFIG_MAX_WEBHOOK_HEADERS)
		return config_fail(cause, xstrfmt("too many headers (max %d)",
		    CONFIG_MAX_WEBHOOK_HEADERS));
	*list = strv_push(*list, xstrfmt("%.*s: %s", (int)n, value, v));
	return 0;
}

/* A time span within [min, max]; what is allowed said as text. */
static int
parse_span_within(const char *value, usec_t *dst, usec_t min, usec_t max,
    const char *range, char **cause)
{
	usec_t v;
	int r;

	if ((r = config_parse_timespan(value, &v, NULL, cause)) < 0)
		return r;
	if (v < min || v > max)
		return config_fail(cause, xstrfmt("invalid time span '%s': "
		    "expected %s", value, range));
	*dst = v;
	return 0;
}

int
config_parse_webhook_timeout(const char *value, void *dst, const char *dir,
    char **cause)
{
	(void)dir;
	return parse_span_within(value, dst, USEC_PER_SEC, 5 * USEC_PER_MINUTE,
	    "1s to 5min", cause);
}

int
config_parse_alert_timeout(const char *value, void *dst, const char *dir,
    char **cause)
{
	(void)dir;
	return parse_span_within(value, dst, USEC_PER_SEC, USEC_PER_HOUR,
	    "1s to 1h", cause);
}

/* local@domain, or a local user ("root").  Stricter than RFC 5322: no
 * quotes, comments, brackets, commas or spaces, so that an address is
 * one word of a To: header and nothing else. */
static bool
mail_address_ok(const char *a)
{
	const char *at = strchr(a, '@');
	size_t local = at ? (size_t)(at - a) : strlen(a);

	if (strlen(a) > 254 || local == 0 || local > 64 || a[0] == '-' ||
	    a[0] == '.' || strspn(a, MAIL_LOCAL) != local)
		return false;
	if (!at)
		return true;
	at++;
	return at[0] && at[0] != '.' && at[0] != '-' &&
	    at[strspn(at, MAIL_DOMAIN)] == '\0';
}

int
config_parse_mail(const char *value, void *dst, const char *dir,
    char **cause)
{
	_cleanup_(strv_freep) char **words = NULL;
	char ***list = dst;
	size_t i;

	(void)dir;
	if (strpbrk(value, "\"\\"))
		return config_fail(cause, xstrfmt("invalid address in '%s': "
		    "no quotes", value));
	if (config_split_words(value, &words, cause) < 0)
		return -EINVAL;
	if (!words[0])
		return config_fail(cause, xstrdup("empty value"));
	for (i = 0; words[i]; i++) {
		if (!mail_address_ok(words[i]))
			return config_fail(cause, xstrfmt("invalid address "
			    "'%s': expected user@domain or a local user, of "
			    "A-Z a-z 0-9 and ._%%+-=!#$&'*/?^`{|}~", words[i]));
		if (strv_length(*list) >= CONFIG_MAX_MAIL)
			return config_fail(cause, xstrfmt("too many addresses "
			    "(max %d)", CONFIG_MAX_MAIL));
		if (!strv_contains(*list, words[i]))
			*list = strv_append(*list, words[i]);
	}
	return 0;
}

const struct config_alert *
config_find_alert(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nalerts; i++)
		if (!strcmp(c->alerts[i].name, name))
			return &c->alerts[i];
	return NULL;
}

char *
config_alert_refuse(const struct config *c, const char *name)
{
	const struct config_alert *old;
	char *why = NULL;

	if (config_job_name_check(name, &why) < 0) {
		free(why);
		return xstrfmt("invalid alert name '%s': expected 1-%d of A-Z "
		    "a-z 0-9 _ . @ -, not starting with - or .", name,
		    CONFIG_MAX_NAME);
	}
	if ((old = config_find_alert(c, name)))
		return xstrfmt("alert '%s' already defined at %s:%u", name,
		    old->file, old->line);
	if (c->nalerts >= CONFIG_MAX_ALERTS)
		return xstrfmt("too many alerts (max %d)", CONFIG_MAX_ALERTS);
	return NULL;
}

size_t
config_alert_add(struct config *c, const char *name, const char *file,
    unsigned line, struct job_config **ret_job)
{
	_cleanup_free_ char *job_name = xstrfmt("alert:%s", name);
	struct job_config *job;

	c->alerts = xreallocarray(c->alerts, c->nalerts + 1,
	    sizeof(*c->alerts));
	c->alerts[c->nalerts] = (struct config_alert){
		.name = xstrdup(name),
		.webhook_format = WEBHOOK_JSON,
		.webhook_timeout = CONFIG_DEFAULT_WEBHOOK_TIMEOUT,
		.file = xstrdup(file),
		.line = line,
	};
	/* The colon keeps it apart from the user's jobs: their names
	 * cannot have one. */
	job = job_config_new(job_name, file, line, false);
	free(job->description);
	job->description = xstrfmt("command of [alert %s]", name);
	job->timeout = CONFIG_DEFAULT_ALERT_COMMAND_TIMEOUT;
	*ret_job = job;
	return c->nalerts++;
}

void
config_alerts_free(struct config *c)
{
	struct config_alert *a;
	size_t i;

	for (i = 0; i < c->nalerts; i++) {
		a = &c->alerts[i];
		free(a->name);
		free(a->webhook);
		strv_free(a->webhook_headers);
		strv_free(a->mail);
		free(a->command_job);
		free(a->file);
	}
	free(c->alerts);
}
