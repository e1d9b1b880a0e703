/* The sd_notify socket jobd gives its services: one datagram socket with
 * SO_PASSCRED; each message's sender pid says which service spoke. */
#ifndef JOBD_NOTIFY_H
#define JOBD_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>

#include <uv.h>

#include "timeutil.h"


#define NOTIFY_MAX_MESSAGE 4096

/* One message, split into the fields jobd acts on. */
struct notify_msg {
	pid_t pid;			/* the sender */
	uid_t uid;			/* its user (SCM_CREDENTIALS) */
	bool ready, stopping, reloading, watchdog;
	const char *status;		/* STATUS=, or NULL */
	pid_t mainpid;			/* MAINPID=, or 0 */
	int errnum;			/* ERRNO=, or 0 */
};

/* A message that came before jobd knew its sender's pid (see
 * notify_stash); its status text is its own copy. */
struct notify_early {
	struct notify_msg msg;
	usec_t at;			/* monotonic */
};

#define NOTIFY_EARLY_MAX 64
#define NOTIFY_EARLY_USEC (10 * USEC_PER_SEC)

/* Where each message goes: the owner's callback (services). */
typedef bool (*notify_take_fn)(void *ctx, const struct notify_msg *);

struct notify {
	notify_take_fn take;
	void *ctx;
	uv_poll_t poll;
	int fd;
	char *path;
	int error;			/* why it is not open (-errno) */
	struct notify_early early[NOTIFY_EARLY_MAX];
	unsigned nearly;
};

/* Binds path (replacing a stale socket file, never a live one); -errno on
 * failure (-EADDRINUSE: another process listens there), kept in error,
 * after which services with ready=notify or watchdog_sec= cannot start. */
int notify_open(struct notify *, uv_loop_t *, const char *path,
    notify_take_fn, void *ctx);
void notify_close(struct notify *);
/* Keeps a message whose sender no service knows: its spawn may not have
 * been answered yet (a child can run, and notify, before jobd reads the
 * spawn thread's answer).  At most NOTIFY_EARLY_MAX, the oldest dropped,
 * and none older than NOTIFY_EARLY_USEC. */
void notify_stash(struct notify *, const struct notify_msg *);
/* Offers each kept message to take again (after a spawn was answered);
 * take returns true when it took it. */
void notify_replay(struct notify *, notify_take_fn, void *ctx);
/* Parses "KEY=value\n..." (pure; for tests and the socket alike). */
void notify_parse(char *text, struct notify_msg *ret);

#endif
