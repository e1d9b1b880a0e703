/* Tokens, sessions and CSRF.  A token is compared in constant time; a
 * session is a random cookie (HttpOnly, SameSite=Strict) with its own
 * random CSRF token that every POST of the page sends as X-CSRF-Token,
 * so a page elsewhere cannot act with the user's cookie.  A POST that
 * says where it comes from (Origin, Sec-Fetch-Site) must come from here.
 * Sessions live in memory: a restart of jobd-web signs everyone out. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "httpd.h"
#include "xmalloc.h"

#define AUTH_COOKIE "jobd_web_session"
#define AUTH_MAX_SESSIONS 1024
#define AUTH_SESSION_SEC (12 * 3600)
#define AUTH_MAX_TOKEN 4096

struct session {
	char id[65], csrf[65];
	bool write;
	time_t expires;
};

struct auth {
	char *token, *read_token;
	char *origin;			/* scheme://host[:port] of base_url */
	bool secure;
	struct session sessions[AUTH_MAX_SESSIONS];
};

static int
auth_read_token(const char *path, char **ret, char **cause)
{
	char buf[AUTH_MAX_TOKEN + 1];
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*cause = xstrfmt("cannot read the token file %s: %m", path);
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		*cause = xstrfmt("token file %s: not a regular file", path);
		return -EINVAL;
	}
	if (st.st_mode & S_IROTH) {
		close(fd);
		*cause = xstrfmt("token file %s is readable by every user: "
		    "chmod o-rwx it", path);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		*cause = xstrfmt("cannot read the token file %s: %m", path);
		return -errno;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
	    buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	if (n > AUTH_MAX_TOKEN || n < 16 || strlen(buf) != (size_t)n) {
		*cause = xstrfmt("token file %s: the token must be 16 to %d "
		    "printable bytes on one line", path, AUTH_MAX_TOKEN);
		return -EINVAL;
	}
	*ret = xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/* "https://host:port/path" -> "https://host:port". */
static char *
auth_origin_of(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p)
		return NULL;
	p += 3;
	return xstrndup(url, (size_t)(p - url) + strcspn(p, "/?#"));
}

int
auth_new(const struct auth_config *cfg, struct auth **ret, char **cause)
{
	struct auth *a = xcalloc(1, sizeof(*a));
	int r = 0;

	if (cfg->token_file)
		r = auth_read_token(cfg->token_file, &a->token, cause);
	if (r == 0 && cfg->read_token_file)
		r = auth_read_token(cfg->read_token_file, &a->read_token,
		    cause);
	if (r == 0 && cfg->base_url) {
		a->origin = auth_origin_of(cfg->base_url);
		if (!a->origin) {
			*cause = xstrfmt("--base-url %s: expected "
			    "http(s)://host[:port][/path]", cfg->base_url);
			r = -EINVAL;
		}
		a->secure = !strncmp(cfg->base_url, "https:", 6);
	}
	if (r < 0) {
		auth_free(a);
		return r;
	}
	*ret = a;
	return 0;
}

void
auth_free(struct auth *a)
{
	if (!a)
		return;
	if (a->token)
		explicit_bzero(a->token, strlen(a->token));
	if (a->read_token)
		explicit_bzero(a->read_token, strlen(a->read_token));
	free(a->token);
	free(a->read_token);
	free(a->origin);
	explicit_bzero(a->sessions, sizeof(a->sessions));
	free(a);
}

static bool
auth_equal(const char *secret, const char *given)
{
	size_t n = strlen(secret), m = given ? strlen(given) : 0, i;
	unsigned char d = n != m;

	for (i = 0; i < n; i++)
		d |= (unsigned char)secret[i] ^
		    (unsigned char)(i < m ? given[i] : 0);
	return d == 0;
}

static void
auth_random_hex(char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[32];
	size_t i;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		abort();
	for (i = 0; i < sizeof(b); i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[64] = '\0';
}

static struct session *
auth_session(struct auth *a, struct web_request *r)
{
	const char *id = web_cookie(r, AUTH_COOKIE);
	time_t now = time(NULL);
	size_t i;

	if (!id || strlen(id) != 64)
		return NULL;
	for (i = 0; i < AUTH_MAX_SESSIONS; i++) {
		struct session *s = &a->sessions[i];

		if (s->id[0] && s->expires > now && auth_equal(s->id, id))
			return s;
	}
	return NULL;
}

/* The bearer token of the request, or NULL. */
static const char *
auth_bearer(struct web_request *r)
{
	const char *h = web_header(r, "Authorization");

	if (!h || strncasecmp(h, "Bearer ", 7))
		return NULL;
	return h + 7;
}

/* A request that names its origin must name ours. */
static bool
auth_same_origin(struct auth *a, struct web_request *r)
{
	const char *origin = web_header(r, "Origin"), *host, *site;
	char *mine;
	bool ok;

	site = web_header(r, "Sec-Fetch-Site");
	if (site && strcmp(site, "same-origin") && strcmp(site, "none"))
		return false;
	if (!origin)
		return true;
	if (a->origin)
		return !strcmp(origin, a->origin);
	host = web_header(r, "Host");
	if (!host)
		return false;
	/* jobd-web speaks plain HTTP: an https origin is another site
	 * unless --base-url says a proxy serves it so. */
	mine = xstrfmt("http://%s", host);
	ok = !strcmp(origin, mine);
	free(mine);
	return ok;
}

bool
auth_allow(struct auth *a, struct web_request *r, bool write)
{
	const char *bearer = auth_bearer(r), *csrf;
	struct session *s;

	if (write && !a->token) {
		web_respond_error(r, 403, "this jobd-web takes no actions (it "
		    "was started without --token-file)", NULL, NULL);
		return false;
	}
	if (write && !auth_same_origin(a, r)) {
		web_respond_error(r, 403, "cross-origin request refused",
		    NULL, NULL);
		return false;
	}
	if (bearer) {
		if (a->token && auth_equal(a->token, bearer))
			return true;
		if (!write && a->read_token &&
		    auth_equal(a->read_token, bearer))
			return true;
		web_respond_error(r, 401, "the token is not valid", NULL,
		    NULL);
		return false;
	}
	if (!write && !a->read_token)
		return true;
	s = auth_session(a, r);
	if (s && !write)
		return true;
	if (s && s->write) {
		csrf = web_header(r, "X-CSRF-Token");
		if (csrf && auth_equal(s->csrf, csrf))
			return true;
		web_respond_error(r, 403, "missing or wrong X-CSRF-Token",
		    NULL, NULL);
		return false;
	}
	if (s) {
		web_respond_error(r, 403, "this session may only read (it was "
		    "opened with the read token)", NULL, NULL);
		return false;
	}
	web_respond_error(r, 401, write ? "a token is needed: "
	    "Authorization: Bearer TOKEN, or sign in on the page" :
	    "a token is needed to read: Authorization: Bearer TOKEN, or "
	    "sign in on the page", NULL, NULL);
	return false;
}

static struct session *
auth_slot(struct auth *a)
{
	struct session *oldest = &a->sessions[0];
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < AUTH_MAX_SESSIONS; i++) {
		if (!a->sessions[i].id[0] || a->sessions[i].expires <= now)
			return &a->sessions[i];
		if (a->sessions[i].expires < oldest->expires)
			oldest = &a->sessions[i];
	}
	/* Full: the oldest session is signed out. */
	return oldest;
}

void
auth_session_post(struct auth *a, struct web_request *r)
{
	json_t *body, *t;
	const char *token;
	struct session *s;
	bool write;

	if (!auth_same_origin(a, r)) {
		web_respond_error(r, 403, "cross-origin request refused",
		    NULL, NULL);
		return;
	}
	body = json_loadb(r->body ? r->body : "", r->body_len, 0, NULL);
	t = json_object_get(body, "token");
	token = json_string_value(t);
	if (!token) {
		json_decref(body);
		web_respond_error(r, 400, "expected {\"token\": \"...\"}",
		    NULL, NULL);
		return;
	}
	if (a->token && auth_equal(a->token, token))
		write = true;
	else if (a->read_token && auth_equal(a->read_token, token))
		write = false;
	else {
		json_decref(body);
		web_respond_error(r, 401, "the token is not valid", NULL,
		    NULL);
		return;
	}
	json_decref(body);
	s = auth_slot(a);
	auth_random_hex(s->id);
	auth_random_hex(s->csrf);
	s->write = write;
	s->expires = time(NULL) + AUTH_SESSION_SEC;
	r->set_cookie = xstrfmt(AUTH_COOKIE "=%s; Path=/; HttpOnly; "
	    "SameSite=Strict; Max-Age=%d%s", s->id, AUTH_SESSION_SEC,
	    a->secure ? "; Secure" : "");
	web_respond_json(r, 200, json_pack("{s:s,s:b,s:I}", "csrf", s->csrf,
	    "write", write, "expires_usec",
	    (json_int_t)s->expires * 1000000));
}

void
auth_session_get(struct auth *a, struct web_request *r)
{
	struct session *s = auth_session(a, r);
	json_t *o;

	o = json_pack("{s:b,s:b,s:b,s:b}", "authenticated", s != NULL,
	    "write", s && s->write, "read_token_required",
	    a->read_token != NULL, "write_enabled", a->token != NULL);
	if (s)
		json_object_set_new(o, "csrf", json_string(s->csrf));
	web_respond_json(r, 200, o);
}

void
auth_session_delete(struct auth *a, struct web_request *r)
{
	struct session *s = auth_session(a, r);

	if (!auth_same_origin(a, r)) {
		web_respond_error(r, 403, "cross-origin request refused",
		    NULL, NULL);
		return;
	}
	if (s)
		explicit_bzero(s, sizeof(*s));
	r->set_cookie = xstrfmt(AUTH_COOKIE "=; Path=/; HttpOnly; "
	    "SameSite=Strict; Max-Age=0");
	web_respond_json(r, 200, json_pack("{s:b}", "authenticated", false));
}
