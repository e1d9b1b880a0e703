/* jobctl's side of the control socket: one blocking Varlink call per
 * process, replies read one at a time. */
#ifndef JOBCTL_CLIENT_H
#define JOBCTL_CLIENT_H

#include <stdbool.h>

#include <jansson.h>

#include "macro.h"

/* Exit codes shared by every verb (see jobctl(1)). */
#define EXIT_REFUSED	1
#define EXIT_USAGE	2
#define EXIT_UNREACHABLE 3

/* Replies may carry a whole output tail; bound them well above the
 * daemon's request limit but below anything absurd. */
#define CLIENT_MAX_REPLY (16 * 1024 * 1024)

/* Called with each successful reply's parameters.  Returns an exit code
 * (>= 0) to end the call, or -1 to read the next reply; the final reply
 * (continues false) always ends it. */
typedef int (*client_reply_fn)(json_t *params, bool continues, void *data);

struct client_request {
	const char *socket;
	const char *method;	/* "io.jobd.Manager.Start" */
	json_t *params;		/* stolen */
	bool more;
	bool cancel;		/* NoRuns means "no active run" */
	client_reply_fn reply;
	void *data;
};

/* Connects, sends the call and feeds replies to req->reply.  Prints what
 * went wrong to stderr and returns the exit code: the reply function's, 1
 * for an error reply from jobd, 3 when jobd is unreachable or speaks
 * something else. */
int client_call(struct client_request *req);

/* Prints "jobctl: protocol mismatch: ..." and returns 3. */
int client_mismatch(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Makes SIGINT and SIGTERM end the call quietly between replies (the
 * call returns 0): for calls that stream until interrupted (logs
 * --follow).  Without it they end jobctl as their default does. */
void client_stop_on_signals(void);

/* The socket path when -s is not given. */
char *client_default_socket(void);

#endif
