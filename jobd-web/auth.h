/* Who may use jobd-web: a write token (every POST), an optional read
 * token (every GET of the API), and sessions the page opens with either
 * token, whose POSTs must carry the session's CSRF token. */
#ifndef JOBD_WEB_AUTH_H
#define JOBD_WEB_AUTH_H

#include <stdbool.h>

struct web_request;

struct auth_config {
	const char *token_file;		/* NULL: every POST is refused */
	const char *read_token_file;	/* NULL: reads are open */
	const char *base_url;		/* NULL: the Host the client names */
};

struct auth;

/* Reads the token files (before privileges are dropped).  Returns 0, or
 * -errno with *cause (allocated). */
int auth_new(const struct auth_config *, struct auth **ret, char **cause);
void auth_free(struct auth *);

/* Whether the request may go on; false after answering 401 or 403. */
bool auth_allow(struct auth *, struct web_request *, bool write);

/* /api/v1/session: POST opens one with a token, GET says what the page
 * may do, DELETE closes it. */
void auth_session_post(struct auth *, struct web_request *);
void auth_session_get(struct auth *, struct web_request *);
void auth_session_delete(struct auth *, struct web_request *);

#endif
