/* jobd-web's settings: the command line, over the [web] section of
 * jobd.conf, over the defaults. */
#ifndef JOBD_WEB_OPTIONS_H
#define JOBD_WEB_OPTIONS_H

#include <stdbool.h>

#define WEB_DEFAULT_LISTEN "127.0.0.1:8750"
#define WEB_DEFAULT_USER "jobd-web"
#define WEB_DEFAULT_CONFIG "/etc/jobd/jobd.conf"
#define WEB_DEFAULT_IDLE_SEC 30

struct web_options {
	char *listen, *socket, *token_file, *read_token_file, *base_url;
	char *user, *config;
	unsigned idle_timeout_sec;
	bool config_given;
};

/* Returns 0, 1 after --help or --version (exit 0), or -1 after printing
 * what is wrong (exit 2). */
int options_parse(struct web_options *, int argc, char **argv);
void options_done(struct web_options *);

#endif
