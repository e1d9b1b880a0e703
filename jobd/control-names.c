/* The peers' user names: a cache of PEER_NAMES_MAX uids, filled by
 * lookups on the executor.  The cache outlives the control socket while a
 * lookup is in flight (each holds a reference), so a lookup that comes
 * back after shutdown began writes into memory that is still there. */
#include <stdlib.h>
#include <time.h>

#include "access.h"
#include "control-names.h"
#include "executor.h"
#include "xmalloc.h"

struct peer_name {
	uid_t uid;
	bool used, known, pending;
	char *name;
	time_t looked_up;
};

struct peer_names {
	struct executor *executor;
	unsigned refs;
	struct peer_name e[PEER_NAMES_MAX];
};

struct peer_lookup {
	struct peer_names *names;
	uid_t uid;
	char *name;
};

struct peer_names *
peer_names_new(struct executor *ex)
{
	struct peer_names *n = xcalloc(1, sizeof(*n));

	n->executor = ex;
	n->refs = 1;
	return n;
}

void
peer_names_unref(struct peer_names *n)
{
	size_t i;

	if (!n || --n->refs > 0)
		return;
	for (i = 0; i < PEER_NAMES_MAX; i++)
		free(n->e[i].name);
	free(n);
}

static struct peer_name *
peer_find(const struct peer_names *n, uid_t uid)
{
	size_t i;

	for (i = 0; i < PEER_NAMES_MAX; i++)
		if (n->e[i].used && n->e[i].uid == uid)
			return (struct peer_name *)&n->e[i];
	return NULL;
}

/* A free entry, else the one looked up longest ago (not in flight). */
static struct peer_name *
peer_slot(struct peer_names *n)
{
	struct peer_name *pick = NULL;
	size_t i;

	for (i = 0; i < PEER_NAMES_MAX; i++) {
		if (!n->e[i].used)
			return &n->e[i];
		if (!n->e[i].pending && (!pick ||
		    n->e[i].looked_up < pick->looked_up))
			pick = &n->e[i];
	}
	return pick;
}

static void
peer_lookup_work(void *data)
{
	struct peer_lookup *q = data;

	q->name = access_user_name(q->uid);
}

static void
peer_lookup_done(void *data, int status)
{
	struct peer_lookup *q = data;
	struct peer_name *e = peer_find(q->names, q->uid);

	(void)status;
	if (e) {
		free(e->name);
		e->name = q->name;
		q->name = NULL;
		e->known = true;
		e->pending = false;
		e->looked_up = time(NULL);
	}
	peer_names_unref(q->names);
	free(q->name);
	free(q);
}

void
peer_names_prefetch(struct peer_names *n, uid_t uid)
{
	struct peer_name *e = peer_find(n, uid);
	struct peer_lookup *q;

	if (e && (e->pending || (e->known &&
	    time(NULL) - e->looked_up < PEER_NAMES_TTL)))
		return;
	if (!e) {
		if (!(e = peer_slot(n)))
			return;		/* every entry in flight */
		free(e->name);
		*e = (struct peer_name){ .uid = uid, .used = true };
	}
	e->pending = true;
	q = xcalloc(1, sizeof(*q));
	q->names = n;
	q->uid = uid;
	n->refs++;
	executor_submit(n->executor, peer_lookup_work, peer_lookup_done, q);
}

bool
peer_names_get(const struct peer_names *n, uid_t uid, const char **ret)
{
	const struct peer_name *e = peer_find(n, uid);

	if (!e || !e->known)
		return false;
	*ret = e->name;
	return true;
}
