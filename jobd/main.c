/* jobd's entry point: options, exit codes, and nothing else.  Exit codes:
 * 0 clean stop, 1 runtime failure, 2 usage or bad configuration. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "cgroup-limits.h"
#include "config.h"
#include "daemon.h"
#include "log.h"
#include "strv.h"

#ifndef JOBD_VERSION
#define JOBD_VERSION "0.1.0"
#endif

static const char *arg_config = "/etc/jobd/jobd.conf";
static const char *arg_socket;
static const char *arg_state_dir;
static const char *arg_log;
static bool arg_foreground;
static bool arg_check;
static int arg_verbose;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: jobd [options]\n"
	    "  -c, --config PATH     configuration file "
	    "(default /etc/jobd/jobd.conf)\n"
	    "  -s, --socket PATH     control socket (default "
	    "/run/jobd/jobd.sock as root,\n"
	    "                        $XDG_RUNTIME_DIR/jobd/jobd.sock "
	    "otherwise)\n"
	    "      --state-dir DIR   state directory (default /var/lib/jobd "
	    "as root)\n"
	    "  -f, --foreground      also echo job output to stderr as "
	    "JOB[RUN]: line\n"
	    "  -n, --check           check the configuration and exit\n"
	    "      --log=TARGET      stderr or journal\n"
	    "  -v, --verbose         debug log output\n"
	    "  -h, --help            this help\n"
	    "      --version         print the version\n"
	    "exit codes: 0 clean stop, 1 runtime failure, 2 usage or bad "
	    "configuration\n");
}

static int
parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'n' },
		{ "log", required_argument, NULL, 'L' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:s:fnvh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': arg_config = optarg; break;
		case 's': arg_socket = optarg; break;
		case 'S': arg_state_dir = optarg; break;
		case 'f': arg_foreground = true; break;
		case 'n': arg_check = true; break;
		case 'L': arg_log = optarg; break;
		case 'v': arg_verbose++; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("jobd %s\n", JOBD_VERSION); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "jobd: unexpected argument '%s'\n",
		    argv[optind]);
		return -1;
	}
	if (arg_log && strcmp(arg_log, "stderr") && strcmp(arg_log,
	    "journal")) {
		fprintf(stderr, "jobd: --log must be stderr or journal\n");
		return -1;
	}
	return 0;
}

/* Limits need per-run cgroups.  jobd --check runs in the cgroup of
 * whoever started it (a login shell's is not delegated), not in the one
 * the service will have: there, only a cgroup jobd could never use
 * (cgroups=no, no cgroup v2) is an error; a cgroup merely not delegated
 * is a warning.  jobctl reload --dry-run asks the running jobd. */
static int
check_limits(const struct config *c)
{
	char **errors = NULL;
	struct cgroup cg;
	bool soft;
	size_t i, n;

	cgroup_probe(&cg, c->cgroups);
	soft = !cg.enabled && cg.base && c->cgroups == CGROUP_AUTO;
	n = cgroup_limits_refuse(c, &cg, &errors);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%s\n", soft ? "warning: " : "", errors[i]);
	if (n && soft)
		fprintf(stderr, "warning: jobd --check judged the cgroup it "
		    "runs in, not the service's; \"jobctl reload --dry-run\" "
		    "asks the running jobd\n");
	strv_free(errors);
	cgroup_done(&cg);
	return n && !soft ? -1 : 0;
}

static int
check_config(void)
{
	char **errors = NULL;
	struct config *c;
	size_t i;

	if (config_load(arg_config, &c, &errors) < 0) {
		for (i = 0; errors && errors[i]; i++)
			fprintf(stderr, "%s\n", errors[i]);
		strv_free(errors);
		return 2;
	}
	if (check_limits(c) < 0) {
		config_free(c);
		return 2;
	}
	config_free(c);
	printf("configuration OK\n");
	return 0;
}

int
main(int argc, char **argv)
{
	struct daemon_options o;
	struct daemon d;
	uv_loop_t loop;
	enum log_target target = LOG_TARGET_STDERR;
	int r;

	if (parse_args(argc, argv) < 0)
		return 2;
	if (arg_check)
		return check_config();
	if ((arg_log && !strcmp(arg_log, "journal")) ||
	    (!arg_log && getenv("JOURNAL_STREAM")))
		target = LOG_TARGET_JOURNAL;
	log_open("jobd", target, arg_verbose ? LOG_DEBUG : LOG_INFO);
	/* A client that hangs up must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	uv_disable_stdio_inheritance();
	uv_loop_init(&loop);
	o = (struct daemon_options){
		.config_path = arg_config,
		.socket_path = arg_socket,
		.state_dir = arg_state_dir,
		.foreground = arg_foreground,
	};
	r = daemon_start(&d, &loop, &o);
	if (r != 0)
		daemon_shutdown(&d);
	daemon_run(&d);
	r = r ? r : d.exit_code;
	if (uv_loop_close(&loop) != 0) {
		log_error("handles still open at exit");
		r = r ? r : 1;
	}
	return r;
}
