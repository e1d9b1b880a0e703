/* The followers of units' output.  A line reaches the hub from the run
 * that read it (run_hub_publish_output) and goes to every follower, which
 * keeps it if it follows that run's unit; each follower batches what it
 * keeps and answers for its own slow reader (method-tail.c). */
#include "logs-hub.h"
#include "logs-json.h"
#include "macro.h"
#include "run.h"

static void
logs_hub_output_cb(struct run_subscriber *sub, struct run *r,
    const struct tail_line *l)
{
	struct logs_hub *h = container_of(sub, struct logs_hub, sub);
	struct logs_hub_line hl = { .run = r, .line = l };
	struct logs_follower *f, *tmp;

	TAILQ_FOREACH_SAFE(f, &h->followers, entry, tmp)
		f->line(f, &hl);
	json_decref(hl.json);
}

void
logs_hub_init(struct logs_hub *h, struct run_hub *runs)
{
	*h = (struct logs_hub){ .runs = runs };
	TAILQ_INIT(&h->followers);
	run_hub_subscribe(runs, &h->sub);
}

void
logs_hub_add(struct logs_hub *h, struct logs_follower *f)
{
	if (TAILQ_EMPTY(&h->followers))
		run_hub_set_output(h->runs, &h->sub, logs_hub_output_cb);
	TAILQ_INSERT_TAIL(&h->followers, f, entry);
}

void
logs_hub_remove(struct logs_hub *h, struct logs_follower *f)
{
	TAILQ_REMOVE(&h->followers, f, entry);
	if (TAILQ_EMPTY(&h->followers))
		run_hub_set_output(h->runs, &h->sub, NULL);
}

json_t *
logs_hub_line_json(struct logs_hub_line *hl)
{
	if (!hl->json) {
		hl->json = logs_tagged_line_json(hl->line, hl->run->name,
		    hl->run->id);
		hl->size = logs_line_size(hl->line, hl->run->name);
	}
	return hl->json;
}

void
logs_hub_close(struct logs_hub *h)
{
	struct logs_follower *f;

	while ((f = TAILQ_FIRST(&h->followers))) {
		logs_hub_remove(h, f);
		f->close(f);
	}
}
