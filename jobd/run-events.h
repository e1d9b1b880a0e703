/* The news of every run, to whoever subscribed: a run is queued, started,
 * writes a line, finishes, and has its handles closed.  The ledger, the
 * job's history, admission, hooks, the scheduler, path triggers, unit
 * dependencies and the event stream all listen here; run.c calls none of
 * them by name.  (A client awaiting one run observes that run instead:
 * run_observe in run.h.) */
#ifndef JOBD_RUN_EVENTS_H
#define JOBD_RUN_EVENTS_H

#include <sys/queue.h>

struct run;
struct tail_line;

/* Any callback may be NULL.  Subscribers hear each news in the order
 * they subscribed: the order of the daemon's wiring is the order of
 * consequences (the ledger first, the stream of events last). */
struct run_subscriber {
	void (*queued)(struct run_subscriber *, struct run *);
	void (*started)(struct run_subscriber *, struct run *);
	void (*output)(struct run_subscriber *, struct run *,
	    const struct tail_line *);
	void (*finished)(struct run_subscriber *, struct run *);
	void (*closed)(struct run_subscriber *, struct run *);
	TAILQ_ENTRY(run_subscriber) entry;
};

struct run_hub {
	TAILQ_HEAD(, run_subscriber) subs;
	unsigned noutput;		/* subscribers with an output callback */
};

void run_hub_init(struct run_hub *);
void run_hub_subscribe(struct run_hub *, struct run_subscriber *);
/* Sets or clears (NULL) the output callback of a subscriber: one that
 * wants lines only at times (while a client follows the output of units)
 * keeps the hub from publishing lines nobody reads the rest of the time. */
void run_hub_set_output(struct run_hub *, struct run_subscriber *,
    void (*output)(struct run_subscriber *, struct run *,
    const struct tail_line *));

enum run_news {
	RUN_NEWS_QUEUED,
	RUN_NEWS_STARTED,
	RUN_NEWS_FINISHED,
	RUN_NEWS_CLOSED,
};

void run_hub_publish(struct run_hub *, enum run_news, struct run *);
void run_hub_publish_output(struct run_hub *, struct run *,
    const struct tail_line *);

#endif
