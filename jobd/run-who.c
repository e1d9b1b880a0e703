/* Who asked for a run, or for its cancel, through the control socket:
 * copied into the run when it is made or cancelled, so that the ledger's
 * row and Show name them after the connection has gone. */
#include <stdlib.h>

#include "run.h"
#include "xmalloc.h"

void
run_who_copy(struct run_who *dst, const struct run_who *src)
{
	run_who_free(dst);
	if (!src || !src->set)
		return;
	dst->set = true;
	dst->uid = src->uid;
	dst->user = src->user ? xstrdup(src->user) : NULL;
	dst->on_behalf_of = src->on_behalf_of ? xstrdup(src->on_behalf_of) :
	    NULL;
}

void
run_who_free(struct run_who *w)
{
	free(w->user);
	free(w->on_behalf_of);
	*w = (struct run_who){ 0 };
}
