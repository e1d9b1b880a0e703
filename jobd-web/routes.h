/* The map from method and path to handler, as httpd's dispatch callback
 * (owner: the struct web). */
#ifndef JOBD_WEB_ROUTES_H
#define JOBD_WEB_ROUTES_H

struct web_request;

void routes_dispatch(void *owner, struct web_request *);

#endif
