/* The control socket: a Varlink server on a Unix stream socket.  It owns
 * the listener, the connections, framing, peer credentials and the method
 * table; what each method does lives in method-*.c. */
#ifndef JOBD_CONTROL_H
#define JOBD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "varlink.h"

struct ctl_method;
struct method_ctx;
struct control;
struct conn;

/* Connections at once.  The last CONTROL_RESERVED are kept for root,
 * jobd's own user and admin_group= members, and any other uid holds at
 * most CONTROL_MAX_PER_UID: one member of socket_group= cannot lock the
 * others out, and none can lock out the administrators. */
#define CONTROL_MAX_CONNECTIONS 128
#define CONTROL_RESERVED 16
#define CONTROL_MAX_PER_UID 32
#define CONTROL_MAX_WRITE_QUEUE (4 * 1024 * 1024)

/* Listens on path (or the socket the service manager passed) and serves
 * the methods of table. */
int control_start(struct method_ctx *, const struct ctl_method *table,
    size_t ntable, const char *path, struct control **ret);
void control_stop_listening(struct control *);
/* Closes the listener and every connection. */
struct control *control_free(struct control *);

/* For method handlers.  Every call ends with exactly one final reply:
 * ctl_reply(..., false) or ctl_error(); until then the connection reads no
 * further call.  Steals params. */
void ctl_reply(struct conn *, json_t *params, bool continues);
/* The same with parameters already written as text (an object). */
struct json_writer;
void ctl_reply_text(struct conn *, struct json_writer *params,
    bool continues);
void ctl_error(struct conn *, const char *error, json_t *params);
/* Shorthands for the standard errors. */
void ctl_error_invalid_parameter(struct conn *, const char *name);
/* cancel(ctx) runs if the connection closes before the final reply. */
void ctl_set_cancel(struct conn *, void (*cancel)(void *), void *ctx);
/* The bytes of replies queued and not yet written to the socket. */
size_t ctl_queued(const struct conn *);
/* drain(ctx) runs once, when the replies queued have all been written
 * (not after the final reply, nor once the connection closes): a method
 * that sends much sends it a part at a time, never more than a reader
 * takes.  Only while ctl_queued() is not 0. */
void ctl_on_drain(struct conn *, void (*drain)(void *), void *ctx);
struct method_ctx *ctl_ctx(const struct conn *);
/* For a reply that comes back from the executor: a handle that forgets
 * the connection if it closes meanwhile.  ctl_resume() frees the handle
 * and returns the connection, or NULL when it has gone. */
struct ctl_deferred;
struct ctl_deferred *ctl_defer(struct conn *);
struct conn *ctl_resume(struct ctl_deferred *);
bool ctl_more(const struct conn *);	/* the call asked for "more" */
/* The peer's identity, taken from the socket when it connected
 * (SO_PEERCRED, SO_PEERGROUPS). */
struct access_peer;
const struct access_peer *ctl_peer(const struct conn *);
uid_t ctl_peer_uid(const struct conn *);
pid_t ctl_peer_pid(const struct conn *);	/* for log lines only */
/* PermissionDenied, logged with the peer's uid and pid. */
void ctl_deny(struct conn *, const char *what);

/* Table-driven parameter checking (control-params.c): unknown parameters,
 * wrong types and lists of more than VARLINK_MAX_NAMES entries are answered
 * with InvalidParameter (and -EINVAL returned). */
enum ctl_param_type {
	CTL_STRING,			/* const char * */
	CTL_INT,			/* int64_t; -1 when absent */
	CTL_BOOL,			/* bool; false when absent */
	CTL_STRINGS,			/* json_t * array of strings */
	CTL_INTS,			/* json_t * array of integers >= 0 */
};

struct ctl_param {
	const char *name;
	enum ctl_param_type type;
	bool required;
	size_t offset;
};

int ctl_params(struct conn *, json_t *params, const struct ctl_param *spec,
    size_t n, void *out);

/* A method: its name, handler and who may call it (method-table.c). */
typedef void (*ctl_method_fn)(struct conn *, json_t *params);

/* access: READ for anyone who can connect, ADMIN for root and
 * admin_group=, START checked per job by method_start (allow_start=). */
enum ctl_access {
	CTL_READ,
	CTL_ADMIN,
	CTL_START,
};

struct ctl_method {
	const char *name;
	ctl_method_fn fn;
	int access;			/* enum ctl_access */
};


#endif
