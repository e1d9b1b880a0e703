/* Server-Sent Events: a response that stays open and carries events as
 * the owner hands them over, bounded in what it buffers for a slow
 * client. */
#ifndef JOBD_WEB_SSE_H
#define JOBD_WEB_SSE_H

#include <stdbool.h>
#include <stddef.h>

struct web_request;

/* Bytes buffered for one client before its source is paused. */
#define SSE_HIGH_WATER (2 * 1024 * 1024)
#define SSE_LOW_WATER (256 * 1024)
/* A comment line this often keeps proxies and the idle timeout away. */
#define SSE_KEEPALIVE_MS 15000

struct sse_owner {
	/* The buffer went above SSE_HIGH_WATER (true) or back under
	 * SSE_LOW_WATER (false): stop or go on reading the source. */
	void (*pause)(void *data, bool paused);
	/* The client is gone or the stream ended: no call on the stream
	 * after this; free what data holds. */
	void (*gone)(void *data);
	void *data;
};

struct sse;

/* Answers r with a stream. */
struct sse *sse_open(struct web_request *r, const struct sse_owner *);
/* One event; data is one line of JSON (no newline in it). */
void sse_send(struct sse *, const char *event, const char *data);
/* Ends the stream once what is buffered has been sent. */
void sse_end(struct sse *);

#endif
