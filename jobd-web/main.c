/* jobd-web: the dashboard and HTTP API of jobd.  Wires the pieces: the
 * options, the listening socket and the tokens (read while privileged),
 * the switch to its own user, then one libuv loop running the HTTP server
 * until SIGTERM or SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "api.h"
#include "auth.h"
#include "httpd.h"
#include "listen.h"
#include "log.h"
#include "options.h"
#include "routes.h"
#include "xmalloc.h"

struct app {
	struct web web;
	uv_signal_t sigterm, sigint;
	bool stopping;
};

static void
app_stop(uv_signal_t *s, int signum)
{
	struct app *a = s->data;

	if (a->stopping)
		return;
	a->stopping = true;
	log_info("stopping (%s)", strsignal(signum));
	httpd_stop(a->web.httpd);
	uv_close((uv_handle_t *)&a->sigterm, NULL);
	uv_close((uv_handle_t *)&a->sigint, NULL);
}

static int
fail(const char *cause)
{
	fprintf(stderr, "jobd-web: %s\n", cause);
	return 1;
}

int
main(int argc, char **argv)
{
	struct web_options o;
	struct app a = { 0 };
	struct auth_config ac;
	struct httpd_config hc;
	char *cause = NULL, *name = NULL;
	int fd, r;

	r = options_parse(&o, argc, argv);
	if (r != 0)
		return r > 0 ? 0 : 2;
	log_open("jobd-web", LOG_TARGET_STDERR, LOG_INFO);
	signal(SIGPIPE, SIG_IGN);
	listen_raise_nofile();
	fd = listen_open(o.listen, &name, &cause);
	if (fd < 0)
		return fail(cause);
	ac = (struct auth_config){
		.token_file = o.token_file,
		.read_token_file = o.read_token_file,
		.base_url = o.base_url,
	};
	if (auth_new(&ac, &a.web.auth, &cause) < 0 ||
	    listen_drop_privileges(o.user, &cause) < 0)
		return fail(cause);
	a.web.loop = uv_default_loop();
	a.web.socket = o.socket;
	vlpool_init(&a.web.calls, API_CALLS, API_CALLS_QUEUED);
	vlpool_init(&a.web.streams, API_STREAMS, 0);
	TAILQ_INIT(&a.web.feeds);
	hc = (struct httpd_config){
		.listen_fd = fd,
		.idle_timeout_sec = o.idle_timeout_sec,
		.dispatch = routes_dispatch,
		.owner = &a.web,
	};
	if (httpd_start(a.web.loop, &hc, &a.web.httpd) < 0)
		return fail("cannot start the HTTP server");
	uv_signal_init(a.web.loop, &a.sigterm);
	uv_signal_init(a.web.loop, &a.sigint);
	a.sigterm.data = a.sigint.data = &a;
	uv_signal_start(&a.sigterm, app_stop, SIGTERM);
	uv_signal_start(&a.sigint, app_stop, SIGINT);
	log_info("listening on http://%s/ (jobd at %s; actions %s)", name,
	    o.socket, o.token_file ? "need the token" : "disabled");
	uv_run(a.web.loop, UV_RUN_DEFAULT);
	uv_loop_close(a.web.loop);
	auth_free(a.web.auth);
	free(name);
	options_done(&o);
	return 0;
}
