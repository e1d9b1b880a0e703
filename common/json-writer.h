/* A JSON text written straight into one growing buffer, for the replies
 * whose size grows with the number of jobs (List, Status): building them
 * as jansson trees and dumping them cost about 20 ms per 1000 services,
 * writing them costs well under one. */
#ifndef JOBD_JSON_WRITER_H
#define JOBD_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct json_writer {
	char *buf;
	size_t len, cap;
	bool first;		/* nothing written yet in the open container */
};

void jw_init(struct json_writer *);
void jw_done(struct json_writer *);
/* The text (NUL-terminated); the writer is empty afterwards. */
char *jw_steal(struct json_writer *, size_t *ret_len);

void jw_open(struct json_writer *, char brace);	/* '{' or '[' */
void jw_close(struct json_writer *, char brace);	/* '}' or ']' */
void jw_key(struct json_writer *, const char *key);
/* A string value: escaped, and invalid UTF-8 replaced by U+FFFD, so the
 * text stays valid whatever a child or a sender put in it. */
void jw_string(struct json_writer *, const char *);
void jw_int(struct json_writer *, long long);
void jw_bool(struct json_writer *, bool);
/* A value already written as JSON text (len bytes), such as a snapshot
 * kept from an earlier writer: no second encoding. */
void jw_raw(struct json_writer *, const char *text, size_t len);
/* A copy of what w holds so far (the writer is unchanged). */
void jw_copy(struct json_writer *dst, const struct json_writer *src);
/* A value from a jansson tree (small parts of a big reply). */
void jw_json(struct json_writer *, const json_t *);

/* "key": value in one call, for objects. */
void jw_kstr(struct json_writer *, const char *key, const char *);
void jw_kint(struct json_writer *, const char *key, long long);

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one
 * (overlong forms, surrogates and code points past U+10FFFF included):
 * what jw_string keeps and what it replaces. */
size_t jw_utf8_len(const unsigned char *s);

/* Parses what was written back into a tree (the unit tests look at what
 * was written so); the writer is emptied. */
json_t *jw_to_json(struct json_writer *);

#endif
