/* libFuzzer harness for the Varlink wire format: any bytes, cut into
 * chunks of arbitrary sizes, through the framer as jobd's connections
 * feed it; every message through varlink_call_parse() (jobd's view) and
 * varlink_reply_parse() (jobctl's view), and back through the encoder
 * into a second framer, which must give the same message.
 * Input: byte 0 picks the size bound and the mode, byte 1 seeds the
 * chunk sizes, the rest is the stream. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "varlink.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The real bound first; small ones reach -EMSGSIZE with short inputs. */
static const size_t fuzz_max[] = { VARLINK_MAX_MESSAGE, 16, 256, 4096 };

static void
fuzz_die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz-varlink: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static uint32_t
fuzz_rand(uint32_t *s)
{
	/* xorshift32: any seed but 0. */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Encodes msg and frames it again: the same message must come out. */
static void
fuzz_roundtrip(json_t *msg)
{
	struct varlink_framer f;
	json_t *back = NULL;
	char *buf, *cause = NULL;
	size_t len;

	buf = varlink_encode(msg, &len);
	if (len == 0 || buf[len - 1] != '\0' || memchr(buf, '\0', len - 1))
		fuzz_die("the encoding is not one NUL-terminated frame", buf);
	varlink_framer_init(&f, len);
	if (varlink_framer_feed(&f, buf, len) < 0 ||
	    varlink_framer_next(&f, &back, &cause) != 1)
		fuzz_die("an encoded message does not frame again", cause);
	if (!json_equal(msg, back))
		fuzz_die("an encoded message frames to another one", buf);
	if (f.len != 0)
		fuzz_die("bytes left after one encoded message", buf);
	json_decref(back);
	varlink_framer_done(&f);
	free(buf);
}

/* What jobd does with a call: check its shape, then, for a good call,
 * rebuild it as jobctl would and compare. */
static void
fuzz_call(json_t *msg)
{
	struct varlink_call call;
	struct varlink_reply reply;
	json_t *again;
	char *cause = NULL;

	if (varlink_call_parse(msg, &call, &cause) < 0) {
		if (!cause)
			fuzz_die("a call refused without a cause", NULL);
		free(cause);
		cause = NULL;
	} else {
		if (cause || !call.method || !strchr(call.method, '.') ||
		    !json_is_object(call.parameters) ||
		    (call.more && call.oneway))
			fuzz_die("a call accepted in a bad shape", call.method);
		again = varlink_call_new(call.method,
		    json_deep_copy(call.parameters), call.more);
		fuzz_roundtrip(again);
		json_decref(again);
	}
	if (varlink_reply_parse(msg, &reply, &cause) < 0) {
		if (!cause)
			fuzz_die("a reply refused without a cause", NULL);
		free(cause);
	} else if (cause || !json_is_object(reply.parameters))
		fuzz_die("a reply accepted in a bad shape", reply.error);
	fuzz_roundtrip(msg);
}

/* Takes every complete message; false once the connection would be
 * closed (a bad or oversized message), as jobd closes it. */
static bool
fuzz_drain(struct varlink_framer *f)
{
	char *cause = NULL;
	json_t *msg;
	int r;

	while ((r = varlink_framer_next(f, &msg, &cause)) == 1) {
		if (!json_is_object(msg))
			fuzz_die("the framer gave a non-object", NULL);
		fuzz_call(msg);
		json_decref(msg);
	}
	if (r == -EBADMSG) {
		if (!cause)
			fuzz_die("-EBADMSG without a cause", NULL);
		free(cause);
		return false;
	}
	if (r != 0 && r != -EMSGSIZE)
		fuzz_die("varlink_framer_next returned an unknown value", NULL);
	if (r == 0 && f->len > f->max)
		fuzz_die("more than max bytes buffered without a frame", NULL);
	return r == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct varlink_framer f;
	uint32_t seed;
	size_t off, n;
	bool pipelined;

	if (size < 2)
		return 0;
	varlink_framer_init(&f, fuzz_max[data[0] & 3]);
	/* Pipelined: jobd buffers while a call waits, and frames later. */
	pipelined = data[0] & 4;
	seed = 0x9e3779b9u ^ data[1];
	data += 2;
	size -= 2;

	for (off = 0; off < size; off += n) {
		n = 1 + fuzz_rand(&seed) % (1u << (fuzz_rand(&seed) % 12));
		if (n > size - off)
			n = size - off;
		if (varlink_framer_feed(&f, (const char *)data + off, n) < 0)
			break;
		if (!pipelined && !fuzz_drain(&f))
			break;
	}
	if (pipelined)
		fuzz_drain(&f);
	varlink_framer_done(&f);
	return 0;
}
