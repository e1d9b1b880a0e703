/* Serving the compiled-in files: the page, its script and style, and the
 * OpenAPI description.  They are open to everyone (the page asks for a
 * token itself when reads need one). */
#include <string.h>

#include "assets.h"
#include "httpd.h"

bool
assets_serve(struct web_request *r)
{
	const struct asset *a;

	if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))
		return false;
	for (a = assets; a->url; a++)
		if (!strcmp(a->url, r->path)) {
			web_respond(r, 200, a->content_type,
			    (const char *)a->data, a->len);
			return true;
		}
	return false;
}
