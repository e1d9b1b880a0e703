/* Tests for the early-notification stash of jobd/notify.c: a message
 * whose sender jobd does not know yet is kept (bounded, oldest dropped,
 * expiring), offered again after a spawn, and freed when taken; and the
 * parser the socket uses. */
#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "runner.h"

static pid_t known_pid;
static int taken;
static char last_status[64];

/* Takes messages from known_pid only, as service_notify_take does once
 * the sender's spawn was answered. */
static bool
take(void *ctx, const struct notify_msg *m)
{
	(void)ctx;
	if (m->pid != known_pid)
		return false;
	taken++;
	snprintf(last_status, sizeof(last_status), "%s",
	    m->status ? m->status : "");
	return true;
}

static void
stash(struct notify *n, pid_t pid, const char *status)
{
	char *text = strdup(status);
	struct notify_msg m = { .pid = pid };

	m.status = text;
	notify_stash(n, &m);
	/* The stash keeps its own copy of the text. */
	memset(text, 'x', strlen(text));
	free(text);
}

TEST(kept_until_its_sender_is_known)
{
	struct notify n = { .fd = -1 };

	known_pid = 0;
	taken = 0;
	stash(&n, 100, "one");
	stash(&n, 200, "two");
	notify_replay(&n, take, NULL);
	ASSERT_EQ(taken, 0);
	ASSERT_EQ(n.nearly, 2u);
	known_pid = 200;
	notify_replay(&n, take, NULL);
	ASSERT_EQ(taken, 1);
	ASSERT_STREQ(last_status, "two");
	ASSERT_EQ(n.nearly, 1u);
	ASSERT_EQ(n.early[0].msg.pid, 100);
	notify_close(&n);
	ASSERT_EQ(n.nearly, 0u);
}

TEST(bounded_oldest_dropped)
{
	struct notify n = { .fd = -1 };
	char s[16];
	int i;

	for (i = 0; i < NOTIFY_EARLY_MAX + 6; i++) {
		snprintf(s, sizeof(s), "m%d", i);
		stash(&n, 1000 + i, s);
	}
	ASSERT_EQ(n.nearly, (unsigned)NOTIFY_EARLY_MAX);
	ASSERT_EQ(n.early[0].msg.pid, 1006);
	ASSERT_STREQ(n.early[0].msg.status, "m6");
	known_pid = 1000;		/* dropped: never taken */
	taken = 0;
	notify_replay(&n, take, NULL);
	ASSERT_EQ(taken, 0);
	notify_close(&n);
}

TEST(expired_dropped_on_replay)
{
	struct notify n = { .fd = -1 };

	stash(&n, 300, "old");
	stash(&n, 301, "new");
	n.early[0].at -= NOTIFY_EARLY_USEC + 1;
	known_pid = 0;
	notify_replay(&n, take, NULL);
	ASSERT_EQ(n.nearly, 1u);
	ASSERT_EQ(n.early[0].msg.pid, 301);
	notify_close(&n);
}

TEST(parse)
{
	char text[] = "READY=1\nSTATUS=up and running\nMAINPID=42\n"
	    "WATCHDOG=1\nERRNO=5\nBOGUS=1\n";
	struct notify_msg m = { 0 };

	notify_parse(text, &m);
	ASSERT(m.ready);
	ASSERT(m.watchdog);
	ASSERT(!m.stopping && !m.reloading);
	ASSERT_STREQ(m.status, "up and running");
	ASSERT_EQ(m.mainpid, 42);
	ASSERT_EQ(m.errnum, 5);
}

static const struct test tests[] = {
	TEST_ENTRY(kept_until_its_sender_is_known),
	TEST_ENTRY(bounded_oldest_dropped),
	TEST_ENTRY(expired_dropped_on_replay),
	TEST_ENTRY(parse),
};

TEST_MAIN(tests)
