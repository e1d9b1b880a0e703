/* probe= of [service NAME] (exec:CMD, http:URL, tcp:HOST:PORT) and the
 * probe_*= keys beside it: value parsers only, pure.  A TCP probe takes a
 * numeric address (or localhost), never a name: resolving one would block
 * the loop or hold a thread of the pool the ledger's work runs on, and an
 * HTTP probe (libcurl's resolver threads) or an exec probe covers names. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "xmalloc.h"

const char *const probe_kind_name[PROBE_NKINDS] = {
	[PROBE_NONE] = "none",
	[PROBE_EXEC] = "exec",
	[PROBE_HTTP] = "http",
	[PROBE_TCP] = "tcp",
};

static bool
is_http_url(const char *s)
{
	return (!strncmp(s, "http://", 7) && s[7]) ||
	    (!strncmp(s, "https://", 8) && s[8]);
}

/* HOST:PORT, HOST an IPv4 address, [IPv6] or localhost. */
static int
probe_parse_tcp(struct job_probe *p, const char *v, char **cause)
{
	unsigned char buf[sizeof(struct in6_addr)];
	_cleanup_free_ char *host = NULL;
	const char *colon = strrchr(v, ':');
	char *end;
	long port;

	if (!colon || colon == v)
		return config_fail(cause, xstrfmt("invalid probe 'tcp:%s': "
		    "expected tcp:HOST:PORT", v));
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 1 || port > 65535)
		return config_fail(cause, xstrfmt("invalid probe 'tcp:%s': "
		    "the port must be from 1 to 65535", v));
	host = xstrndup(v, (size_t)(colon - v));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
		if (inet_pton(AF_INET6, host, buf) != 1)
			goto bad_host;
	} else if (!strcmp(host, "localhost")) {
		free(host);
		host = xstrdup("127.0.0.1");
	} else if (inet_pton(AF_INET, host, buf) != 1) {
		goto bad_host;
	}
	p->host = TAKE_PTR(host);
	p->port = (unsigned)port;
	return 0;
bad_host:
	return config_fail(cause, xstrfmt("invalid probe 'tcp:%s': the host "
	    "must be an IPv4 address, [IPv6] or localhost (a TCP probe "
	    "resolves no names; use http: or exec: for a name)", v));
}

static int
probe_parse_target(struct job_probe *p, const char *value, char **cause)
{
	if (!strncmp(value, "exec:", 5)) {
		p->kind = PROBE_EXEC;
		if (!value[5 + strspn(value + 5, " \t")])
			return config_fail(cause, xstrdup("invalid probe "
			    "'exec:': no command"));
		p->target = xstrdup(value + 5);
	} else if (is_http_url(value) || !strncmp(value, "http:", 5)) {
		const char *url = is_http_url(value) ? value : value + 5;

		p->kind = PROBE_HTTP;
		if (!is_http_url(url) || strpbrk(url, " \t"))
			return config_fail(cause, xstrfmt("invalid probe '%s': "
			    "expected http:URL, the URL http:// or https://",
			    value));
		p->target = xstrdup(url);
	} else if (!strncmp(value, "tcp:", 4)) {
		p->kind = PROBE_TCP;
		p->target = xstrdup(value + 4);
		return probe_parse_tcp(p, value + 4, cause);
	} else {
		return config_fail(cause, xstrfmt("invalid probe '%s': "
		    "expected exec:CMD, http:URL or tcp:HOST:PORT", value));
	}
	return 0;
}

int
config_parse_probe(const char *value, void *dst, const char *dir,
    char **cause)
{
	struct job_probe *p = dst;
	int r;

	(void)dir;
	if (strlen(value) > CONFIG_MAX_PROBE)
		return config_fail(cause, xstrfmt("too long (max %d bytes)",
		    CONFIG_MAX_PROBE));
	free(p->target);
	free(p->host);
	p->target = p->host = NULL;
	if ((r = probe_parse_target(p, value, cause)) < 0) {
		free(p->target);
		free(p->host);
		p->target = p->host = NULL;
		p->kind = PROBE_NONE;
	}
	return r;
}

int
config_parse_probe_failures(const char *value, void *dst, const char *dir,
    char **cause)
{
	(void)dir;
	return config_parse_range(value, dst, 1, CONFIG_MAX_PROBE_FAILURES,
	    cause);
}

/* probe_interval= and probe_timeout=: from 10ms to a day. */
int
config_parse_probe_interval(const char *value, void *dst, const char *dir,
    char **cause)
{
	usec_t *p = dst;

	if (config_parse_timespan(value, dst, dir, cause) < 0)
		return -EINVAL;
	if (*p < 10 * USEC_PER_MSEC || *p > USEC_PER_DAY)
		return config_fail(cause, xstrfmt("invalid time span '%s': "
		    "expected from 10ms to 1d", value));
	return 0;
}

void
job_probe_free(struct job_probe *p)
{
	free(p->target);
	free(p->host);
}

static bool
str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool
job_probe_equal(const struct job_probe *a, const struct job_probe *b)
{
	return a->kind == b->kind && str_eq(a->target, b->target) &&
	    a->interval == b->interval && a->timeout == b->timeout &&
	    a->start_period == b->start_period &&
	    a->failures == b->failures;
}
