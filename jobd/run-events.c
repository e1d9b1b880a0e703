/* The subscriber list of runs' news.  A subscriber is a struct embedded in
 * its module (container_of gets the module back); nothing is allocated per
 * run or per news.  Subscribing happens at start, in the daemon's wiring,
 * and never during a publication. */
#include "run-ctx.h"
#include "run-events.h"

void
run_ctx_init(struct run_ctx *ctx)
{
	*ctx = (struct run_ctx){ 0 };
	run_hub_init(&ctx->hub);
}

void
run_ctx_close(struct run_ctx *ctx)
{
	spawn_queue_close(&ctx->spawnq);
}

void
run_hub_init(struct run_hub *h)
{
	TAILQ_INIT(&h->subs);
	h->noutput = 0;
}

void
run_hub_subscribe(struct run_hub *h, struct run_subscriber *s)
{
	TAILQ_INSERT_TAIL(&h->subs, s, entry);
	if (s->output)
		h->noutput++;
}

void
run_hub_set_output(struct run_hub *h, struct run_subscriber *s,
    void (*output)(struct run_subscriber *, struct run *,
    const struct tail_line *))
{
	if (s->output && !output)
		h->noutput--;
	else if (!s->output && output)
		h->noutput++;
	s->output = output;
}

void
run_hub_publish(struct run_hub *h, enum run_news news, struct run *r)
{
	struct run_subscriber *s;
	void (*cb)(struct run_subscriber *, struct run *);

	TAILQ_FOREACH(s, &h->subs, entry) {
		switch (news) {
		case RUN_NEWS_QUEUED:
			cb = s->queued;
			break;
		case RUN_NEWS_STARTED:
			cb = s->started;
			break;
		case RUN_NEWS_FINISHED:
			cb = s->finished;
			break;
		default:
			cb = s->closed;
			break;
		}
		if (cb)
			cb(s, r);
	}
}

void
run_hub_publish_output(struct run_hub *h, struct run *r,
    const struct tail_line *l)
{
	struct run_subscriber *s;

	/* A line is the most frequent news: none of the work when nobody
	 * listens for lines. */
	if (!h->noutput)
		return;
	TAILQ_FOREACH(s, &h->subs, entry)
		if (s->output)
			s->output(s, r, l);
}
