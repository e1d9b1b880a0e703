/* The sd_notify socket jobd gives its services: one datagram socket with
 * SO_PASSCRED; each message's sender pid says which service spoke. */
#ifndef JOBD_NOTIFY_H
#define JOBD_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>

#include <uv.h>

struct daemon;

#define NOTIFY_MAX_MESSAGE 4096

/* One message, split into the fields jobd acts on. */
struct notify_msg {
	pid_t pid;			/* the sender */
	bool ready, stopping, reloading, watchdog;
	const char *status;		/* STATUS=, or NULL */
	pid_t mainpid;			/* MAINPID=, or 0 */
	int errnum;			/* ERRNO=, or 0 */
};

struct notify {
	struct daemon *daemon;
	uv_poll_t poll;
	int fd;
	char *path;
};

/* Binds path (replacing a stale file); -errno on failure, after which
 * services with ready=notify cannot become ready. */
int notify_open(struct notify *, struct daemon *, const char *path);
void notify_close(struct notify *);
/* Parses "KEY=value\n..." (pure; for tests and the socket alike). */
void notify_parse(char *text, struct notify_msg *ret);

#endif
