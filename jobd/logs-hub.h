/* The clients following the output of units (Tail with follow): one
 * subscriber of the run hub that hands each line of every run to each of
 * them.  The hub publishes lines only while someone follows. */
#ifndef JOBD_LOGS_HUB_H
#define JOBD_LOGS_HUB_H

#include <stddef.h>
#include <sys/queue.h>

#include <jansson.h>

#include "run-events.h"

struct run;
struct tail_line;

/* One line on its way to the followers: its TailLine is built once, by
 * the first follower that wants it (logs_hub_line_json). */
struct logs_hub_line {
	struct run *run;
	const struct tail_line *line;
	json_t *json;
	size_t size;			/* logs_line_size of the TailLine */
};

struct logs_follower {
	/* A line of any run: the follower takes what it follows.  It may
	 * end its call here (logs_hub_remove itself). */
	void (*line)(struct logs_follower *, struct logs_hub_line *);
	/* jobd stops: the follower ends its call.  It is off the list. */
	void (*close)(struct logs_follower *);
	TAILQ_ENTRY(logs_follower) entry;
};

struct logs_hub {
	struct run_hub *runs;
	struct run_subscriber sub;
	TAILQ_HEAD(, logs_follower) followers;
};

void logs_hub_init(struct logs_hub *, struct run_hub *);
void logs_hub_add(struct logs_hub *, struct logs_follower *);
void logs_hub_remove(struct logs_hub *, struct logs_follower *);
/* The TailLine of the line (a borrowed reference). */
json_t *logs_hub_line_json(struct logs_hub_line *);
/* Ends every follower's call (shutdown). */
void logs_hub_close(struct logs_hub *);

#endif
