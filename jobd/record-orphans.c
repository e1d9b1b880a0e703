/* What the last daemon's runs left behind, swept when the ledger opens:
 * the processes of its lost rows and of the ids it handed out that have
 * no row at all (stopped), and a row marked lost for each such run found
 * running, when the process may speak for its job. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "orphans.h"
#include "record-internal.h"
#include "run.h"
#include "strv.h"
#include "xmalloc.h"

#define UNRECORDED_REASON "jobd stopped before the run was recorded"

/* On the loop: every configured job's user, for record_orphan_trusted. */
void
record_orphans_init(struct record_orphans *o, const struct config *c)
{
	const struct job_config *jc;
	size_t n = 0;

	*o = (struct record_orphans){ 0 };
	o->users = xcalloc(c->njobs + 1, sizeof(*o->users));
	TAILQ_FOREACH(jc, &c->jobs, entry) {
		o->users[n].job = xstrdup(jc->name);
		o->users[n].user = jc->user ? xstrdup(jc->user) : NULL;
		n++;
	}
	o->nusers = n;
}

void
record_orphans_free(struct record_orphans *o)
{
	while (o->nusers > 0) {
		o->nusers--;
		free(o->users[o->nusers].job);
		free(o->users[o->nusers].user);
	}
	free(o->users);
	o->users = NULL;
	record_ops_free(o->ops, o->nops);
	o->ops = NULL;
	o->nops = 0;
}

/* Worker thread: the uid a configured job runs as (NSS may block). */
static bool
record_job_uid(const struct record_orphans *o, const char *job, uid_t *ret)
{
	const struct passwd *pw;
	const char *user;
	size_t i;

	for (i = 0; i < o->nusers; i++)
		if (!strcmp(o->users[i].job, job))
			break;
	if (i == o->nusers)
		return false;
	if (!(user = o->users[i].user)) {
		*ret = geteuid();
		return true;
	}
	pw = getpwnam(user);
	if (!pw && strspn(user, "0123456789") == strlen(user))
		pw = getpwuid((uid_t)strtoul(user, NULL, 10));
	if (!pw)
		return false;
	*ret = pw->pw_uid;
	return true;
}

/* A run's processes may carry any environment their owner chose: only a
 * process of jobd's own user, or of the user its JOBD_JOB= job runs as,
 * may put a row on record (others cannot write rows into other jobs'
 * history). */
static bool
record_orphan_trusted(const struct record_orphans *o,
    const struct orphans_run *run)
{
	uid_t uid;

	if (run->uid == geteuid())
		return run->job[0] != '\0';
	return record_job_uid(o, run->job, &uid) && uid == run->uid;
}

static const char *
record_trigger_known(const char *trigger)
{
	size_t i;

	for (i = 0; i < TRIGGER_NTRIGGERS; i++)
		if (!strcmp(trigger, run_trigger_name[i]))
			return run_trigger_name[i];
	return NULL;
}

/* Worker thread: rows for the runs found running but not on record, and
 * a note for each process that claimed a run it could not speak for. */
static void
record_orphan_rows(struct record_orphans *o, struct orphans_run *run,
    size_t n, char ***notes)
{
	const char *trigger;
	size_t i;

	o->ops = xcalloc(n + 1, sizeof(*o->ops));
	for (i = 0; i < n; i++) {
		if (!record_orphan_trusted(o, &run[i])) {
			*notes = strv_push(*notes, xstrfmt(
			    "process %d (uid %u) carried run id %llu of this "
			    "jobd for job '%s', which does not run as that "
			    "user: killed, not recorded", (int)run[i].pid,
			    (unsigned)run[i].uid,
			    (unsigned long long)run[i].id, run[i].job));
			continue;
		}
		trigger = record_trigger_known(run[i].trigger);
		o->ops[o->nops++] = (struct ledger_op){
			.type = LEDGER_OP_COMPLETE,
			.run = {
				.id = run[i].id,
				.job = xstrdup(run[i].job),
				.trigger = trigger ? xstrdup(trigger) : NULL,
				.queued = run[i].started,
				.started = run[i].started,
				.pid = run[i].pid,
				.result = xstrdup("lost"),
				.reason = xstrdup(UNRECORDED_REASON),
			},
		};
	}
}

/* Worker thread: what is left of the lost runs' sessions, found by the
 * pid and start time on record (a daemon that rewrote its environment
 * carries no JOBD_RUN= any more). */
static size_t
record_orphan_sessions(const struct ledger_lost *lost, size_t nlost)
{
	struct orphans_session *v = xcalloc(nlost + 1, sizeof(*v));
	size_t i, n = 0, killed;

	for (i = 0; i < nlost; i++)
		if (lost[i].pid > 0 && lost[i].started)
			v[n++] = (struct orphans_session){ lost[i].pid,
			    lost[i].started };
	killed = orphans_kill_sessions(v, n);
	free(v);
	return killed;
}

/* Worker thread: stops the processes of this state directory's instance
 * that belong to the lost rows, or to ids the last daemon handed out
 * (above its base, up to its reservation) that have no row at all: runs
 * started and not yet recorded.  A process of a run on record as
 * finished was left behind on purpose (see drain_timeout=): spared. */
void
record_orphans_sweep(struct record_orphans *o, struct ledger *l,
    const struct ledger_meta *meta, const struct ledger_lost *lost,
    size_t nlost, char ***notes)
{
	struct orphans_run *run = NULL;
	uint64_t *ids;
	size_t i, n, k = 0, nids = 0;
	bool exists;

	n = orphans_find(meta->instance, meta->base, meta->reserved, &run);
	ids = xcalloc(nlost + n + 1, sizeof(*ids));
	for (i = 0; i < nlost; i++)
		ids[nids++] = lost[i].id;
	for (i = 0; i < n; i++) {
		if (ledger_run_exists(l, run[i].id, &exists, NULL) < 0 ||
		    exists)
			continue;
		ids[nids++] = run[i].id;
		run[k++] = run[i];
	}
	qsort(ids, nids, sizeof(*ids), record_id_cmp);
	o->killed = orphans_kill(meta->instance, ids, nids);
	o->killed += record_orphan_sessions(lost, nlost);
	record_orphan_rows(o, run, k, notes);
	free(run);
	free(ids);
}
