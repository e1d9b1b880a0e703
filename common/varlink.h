/* Varlink framing and messages, shared by jobd and jobctl (pure: no I/O).
 * A message is one JSON object followed by a NUL byte on a stream socket. */
#ifndef JOBD_VARLINK_H
#define JOBD_VARLINK_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define VARLINK_MAX_MESSAGE (64 * 1024)
/* Entries of one list parameter of a call (jobs, services, targets, runs):
 * jobd answers more with InvalidParameter and jobctl refuses more
 * arguments, so that one call costs the loop a bounded amount of work. */
#define VARLINK_MAX_NAMES 64

#define VARLINK_INTERFACE "io.jobd.Manager"
#define VARLINK_SERVICE "org.varlink.service"

/* Bytes received and not yet framed, bounded by max. */
struct varlink_framer {
	char *buf;
	size_t len, cap, max;
	size_t scanned;		/* bytes known to hold no NUL */
};

void varlink_framer_init(struct varlink_framer *, size_t max);
void varlink_framer_done(struct varlink_framer *);
/* Appends received bytes; -EMSGSIZE when a message would exceed max. */
int varlink_framer_feed(struct varlink_framer *, const char *data, size_t n);
/* Takes the next complete message.  Returns 1 with *ret set, 0 when no
 * complete message is buffered, -EBADMSG with *cause (allocated) when the
 * message is not a JSON object. */
int varlink_framer_next(struct varlink_framer *, json_t **ret, char **cause);

/* A method call, parsed and checked (method is "iface.Method"; flags are
 * booleans; parameters is an object, possibly empty; unknown keys refused). */
struct varlink_call {
	const char *method;		/* borrowed from the message */
	json_t *parameters;		/* borrowed; never NULL */
	bool more, oneway;
};

int varlink_call_parse(json_t *msg, struct varlink_call *ret, char **cause);

/* Builds {"method":..., "parameters":..., "more": true?}; steals params. */
json_t *varlink_call_new(const char *method, json_t *params, bool more);
/* Builds a reply; steals params (NULL means {}). */
json_t *varlink_reply_new(json_t *params, bool continues);
/* Builds an error reply; steals params (NULL means {}). */
json_t *varlink_error_new(const char *error, json_t *params);

/* Serialises a message with its NUL terminator; *ret_len includes it. */
char *varlink_encode(const json_t *msg, size_t *ret_len);

/* A reply as the client sees it: parameters (never NULL, borrowed), the
 * error name when it is an error, and whether more replies follow. */
struct varlink_reply {
	json_t *parameters;
	const char *error;
	bool continues;
};

int varlink_reply_parse(json_t *msg, struct varlink_reply *ret,
    char **cause);

#endif
