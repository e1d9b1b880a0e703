/* Parsing jobd-web's command line and the [web] section of jobd.conf.
 * The section is read with inih like jobd's own file; a key jobd-web does
 * not know is an error, so a typo does not silently open the listen
 * address wider or drop the token. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "options.h"
#include "xmalloc.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: jobd-web [OPTION]...\n"
	    "Serve jobd's dashboard and HTTP API.\n\n"
	    "  -l, --listen ADDR:PORT     listen here (default "
	    WEB_DEFAULT_LISTEN ")\n"
	    "  -s, --socket PATH          jobd's control socket\n"
	    "  -t, --token-file PATH      the token every POST needs\n"
	    "      --read-token-file PATH the token reads need (default: "
	    "reads are open)\n"
	    "      --base-url URL         where clients reach jobd-web "
	    "(https: sets Secure cookies)\n"
	    "  -c, --config PATH          jobd.conf whose [web] section "
	    "to read\n"
	    "  -u, --user USER            the user to run as when started "
	    "as root\n"
	    "                             (default " WEB_DEFAULT_USER ")\n"
	    "      --idle-timeout SEC     close connections idle this "
	    "long (default 30)\n"
	    "  -h, --help                 show this help\n"
	    "      --version              show the version\n");
}

static void
set(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static int
parse_idle(struct web_options *o, const char *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (!*v || *end || errno || n < 1 || n > 3600) {
		fprintf(stderr, "jobd-web: idle timeout: expected 1 to 3600 "
		    "seconds, not \"%s\"\n", v);
		return -1;
	}
	o->idle_timeout_sec = (unsigned)n;
	return 0;
}

struct ini_state {
	struct web_options *o;
	const char *path;
	bool bad;
};

static int
ini_key(void *user, const char *section, const char *key, const char *value)
{
	struct ini_state *s = user;
	struct web_options *o = s->o;

	if (strcmp(section, "web"))
		return 1;
	if (!strcmp(key, "listen"))
		set(&o->listen, value);
	else if (!strcmp(key, "socket"))
		set(&o->socket, value);
	else if (!strcmp(key, "token_file"))
		set(&o->token_file, value);
	else if (!strcmp(key, "read_token_file"))
		set(&o->read_token_file, value);
	else if (!strcmp(key, "base_url"))
		set(&o->base_url, value);
	else if (!strcmp(key, "user"))
		set(&o->user, value);
	else if (!strcmp(key, "idle_timeout")) {
		if (parse_idle(o, value) < 0)
			s->bad = true;
	} else {
		fprintf(stderr, "jobd-web: %s: unknown key '%s' in [web] "
		    "(listen, socket, token_file, read_token_file, base_url, "
		    "user, idle_timeout)\n", s->path, key);
		s->bad = true;
	}
	return 1;
}

/* The [web] section; a missing default file is no error. */
static int
options_read_config(struct web_options *o)
{
	struct ini_state s = { .o = o, .path = o->config };
	FILE *f = fopen(o->config, "re");

	if (!f) {
		if (errno == ENOENT && !o->config_given)
			return 0;
		fprintf(stderr, "jobd-web: cannot read %s: %m\n", o->config);
		return -1;
	}
	ini_parse_file(f, ini_key, &s);
	fclose(f);
	return s.bad ? -1 : 0;
}

enum {
	OPT_READ_TOKEN = 256,
	OPT_BASE_URL,
	OPT_IDLE,
	OPT_VERSION,
};

int
options_parse(struct web_options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "socket", required_argument, NULL, 's' },
		{ "token-file", required_argument, NULL, 't' },
		{ "read-token-file", required_argument, NULL, OPT_READ_TOKEN },
		{ "base-url", required_argument, NULL, OPT_BASE_URL },
		{ "config", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ 0 }
	};
	struct web_options cli = { 0 };
	int c;

	*o = (struct web_options){ .idle_timeout_sec = WEB_DEFAULT_IDLE_SEC };
	while ((c = getopt_long(argc, argv, "l:s:t:c:u:h", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'l': set(&cli.listen, optarg); break;
		case 's': set(&cli.socket, optarg); break;
		case 't': set(&cli.token_file, optarg); break;
		case OPT_READ_TOKEN: set(&cli.read_token_file, optarg); break;
		case OPT_BASE_URL: set(&cli.base_url, optarg); break;
		case 'c': set(&o->config, optarg); o->config_given = true;
			break;
		case 'u': set(&cli.user, optarg); break;
		case OPT_IDLE:
			if (parse_idle(&cli, optarg) < 0)
				goto fail;
			break;
		case 'h': usage(stdout); options_done(&cli); return 1;
		case OPT_VERSION:
			printf("jobd-web %s\n", JOBD_VERSION);
			options_done(&cli);
			return 1;
		default: usage(stderr); goto fail;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "jobd-web: unexpected argument '%s'\n",
		    argv[optind]);
		goto fail;
	}
	if (!o->config)
		o->config = xstrdup(WEB_DEFAULT_CONFIG);
	if (options_read_config(o) < 0)
		goto fail;
	/* The command line wins over the file. */
#define TAKE(f) if (cli.f) { free(o->f); o->f = cli.f; cli.f = NULL; }
	TAKE(listen) TAKE(socket) TAKE(token_file) TAKE(read_token_file)
	TAKE(base_url) TAKE(user)
#undef TAKE
	if (cli.idle_timeout_sec)
		o->idle_timeout_sec = cli.idle_timeout_sec;
	if (!o->listen)
		o->listen = xstrdup(WEB_DEFAULT_LISTEN);
	if (!o->user)
		o->user = xstrdup(WEB_DEFAULT_USER);
	if (!o->socket) {
		const char *e = getenv("JOBD_SOCKET");

		o->socket = xstrdup(e && *e ? e : "/run/jobd/jobd.sock");
	}
	options_done(&cli);
	return 0;
fail:
	options_done(&cli);
	options_done(o);
	return -1;
}

void
options_done(struct web_options *o)
{
	free(o->listen);
	free(o->socket);
	free(o->token_file);
	free(o->read_token_file);
	free(o->base_url);
	free(o->user);
	free(o->config);
	*o = (struct web_options){ 0 };
}
