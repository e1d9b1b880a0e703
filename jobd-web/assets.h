/* The dashboard's static files, compiled in (see embed-assets.py). */
#ifndef JOBD_WEB_ASSETS_H
#define JOBD_WEB_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

struct web_request;

struct asset {
	const char *url, *content_type;
	const unsigned char *data;
	size_t len;
};

/* NULL-terminated; generated. */
extern const struct asset assets[];

/* Answers a GET or HEAD of a static file; false if the path is not
 * one. */
bool assets_serve(struct web_request *);

#endif
