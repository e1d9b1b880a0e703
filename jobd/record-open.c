/* Opening the ledger, on the ledger thread: the state directory (created
 * private, and made private again when others could read it), the rows the
 * last daemon left unfinished (lost), the processes its runs left behind
 * (stopped, and recorded lost when their run was not on record yet), and
 * the first block of run ids, reserved before any is handed out. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "run-ctx.h"
#include "log.h"
#include "orphans.h"
#include "record-internal.h"
#include "run.h"
#include "strv.h"
#include "xmalloc.h"

#define LOST_REASON "jobd stopped while the run was in flight"
#define UNRECORDED_REASON "jobd stopped before the run was recorded"

/* What others may not do: in the state directory and STATE/logs, write
 * or anything as "other" (the group may read logs); on the ledger's files
 * (every run's output tail), anything. */
#define STATE_DIR_DENY 0027
#define LEDGER_FILE_DENY 0077

/* Worker thread: the state directory (0700) and its parents (0755: a
 * user's ~/.local/state may not exist yet). */
static int
record_mkdir_p(const char *path)
{
	_cleanup_free_ char *p = xstrdup(path);
	char *s;

	for (s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Worker thread: takes the deny bits off fd's mode if it is ours (never
 * a file of someone else, never a sticky directory like /tmp); a note
 * says so. */
static void
record_tighten(int fd, const char *path, mode_t deny, char ***notes)
{
	struct stat st;
	mode_t mode;

	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() ||
	    (st.st_mode & S_ISVTX) || !(st.st_mode & deny))
		return;
	mode = st.st_mode & 07777 & ~deny;
	if (fchmod(fd, mode) < 0) {
		*notes = strv_push(*notes, xstrfmt("cannot make '%s' "
		    "private (mode %04o): %s", path, st.st_mode & 07777,
		    strerror(errno)));
		return;
	}
	*notes = strv_push(*notes, xstrfmt("'%s' was mode %04o, open "
	    "to others; now %04o", path, st.st_mode & 07777, mode));
}

/* Worker thread: the state directory, the ledger's files and the logs
 * directory made private when an older jobd (or someone) left them open.
 * Names inside are opened without following symbolic links. */
static void
record_secure_state_dir(const char *dir, char ***notes)
{
	static const struct {
		const char *name;
		int flags;
		mode_t deny;
	} inside[] = {
		{ LEDGER_FILE, 0, LEDGER_FILE_DENY },
		{ LEDGER_FILE "-wal", 0, LEDGER_FILE_DENY },
		{ LEDGER_FILE "-shm", 0, LEDGER_FILE_DENY },
		{ "logs", O_DIRECTORY, STATE_DIR_DENY },
	};
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *path = NULL;
	size_t i;
	int fd;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	record_tighten(dfd, dir, STATE_DIR_DENY, notes);
	for (i = 0; i < ELEMENTSOF(inside); i++) {
		fd = openat(dfd, inside[i].name, O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_NOCTTY | O_CLOEXEC | inside[i].flags);
		if (fd < 0)
			continue;
		free(path);
		path = xstrfmt("%s/%s", dir, inside[i].name);
		record_tighten(fd, path, inside[i].deny, notes);
		close(fd);
	}
}

/* Worker thread: whether this is the first start since boot (for
 * @reboot and on_boot=), by the kernel's boot id kept in the state
 * directory. */
static bool
record_boot_first(const char *state_dir)
{
	char now[64] = "", seen[64] = "";
	_cleanup_free_ char *path = xstrfmt("%s/boot_id", state_dir);
	FILE *f;

	if ((f = fopen("/proc/sys/kernel/random/boot_id", "re"))) {
		if (!fgets(now, sizeof(now), f))
			now[0] = '\0';
		fclose(f);
	}
	if ((f = fopen(path, "re"))) {
		if (!fgets(seen, sizeof(seen), f))
			seen[0] = '\0';
		fclose(f);
	}
	if (!strcmp(now, seen))
		return false;
	if ((f = fopen(path, "we"))) {
		fputs(now, f);
		fclose(f);
	}
	return true;
}

/* Worker thread: the uid a configured job runs as (NSS may block). */
static bool
record_job_uid(const struct record_task *t, const char *job, uid_t *ret)
{
	const struct passwd *pw;
	const char *user;
	size_t i;

	for (i = 0; i < t->nusers; i++)
		if (!strcmp(t->users[i].job, job))
			break;
	if (i == t->nusers)
		return false;
	if (!(user = t->users[i].user)) {
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
record_orphan_trusted(const struct record_task *t,
    const struct orphans_run *o)
{
	uid_t uid;

	if (o->uid == geteuid())
		return o->job[0] != '\0';
	return record_job_uid(t, o->job, &uid) && uid == o->uid;
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
record_orphan_rows(struct record_task *t, struct orphans_run *o, size_t n)
{
	const char *trigger;
	size_t i;

	t->ops = xcalloc(n + 1, sizeof(*t->ops));
	for (i = 0; i < n; i++) {
		if (!record_orphan_trusted(t, &o[i])) {
			t->notes = strv_push(t->notes, xstrfmt(
			    "process %d (uid %u) carried run id %llu of this "
			    "jobd for job '%s', which does not run as that "
			    "user: killed, not recorded", (int)o[i].pid,
			    (unsigned)o[i].uid, (unsigned long long)o[i].id,
			    o[i].job));
			continue;
		}
		trigger = record_trigger_known(o[i].trigger);
		t->ops[t->nops++] = (struct ledger_op){
			.type = LEDGER_OP_COMPLETE,
			.run = {
				.id = o[i].id,
				.job = xstrdup(o[i].job),
				.trigger = trigger ? xstrdup(trigger) : NULL,
				.queued = o[i].started,
				.started = o[i].started,
				.pid = o[i].pid,
				.result = xstrdup("lost"),
				.reason = xstrdup(UNRECORDED_REASON),
			},
		};
	}
}

static int
record_id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
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
static void
record_orphans(struct record_task *t, struct ledger *l,
    const struct ledger_meta *meta, const struct ledger_lost *lost,
    size_t nlost)
{
	struct orphans_run *o = NULL;
	uint64_t *ids;
	size_t i, n, k = 0, nids = 0;
	bool exists;

	n = orphans_find(meta->instance, meta->base, meta->reserved, &o);
	ids = xcalloc(nlost + n + 1, sizeof(*ids));
	for (i = 0; i < nlost; i++)
		ids[nids++] = lost[i].id;
	for (i = 0; i < n; i++) {
		if (ledger_run_exists(l, o[i].id, &exists, NULL) < 0 ||
		    exists)
			continue;
		ids[nids++] = o[i].id;
		o[k++] = o[i];
	}
	qsort(ids, nids, sizeof(*ids), record_id_cmp);
	t->orphans = orphans_kill(meta->instance, ids, nids);
	t->orphans += record_orphan_sessions(lost, nlost);
	record_orphan_rows(t, o, k);
	free(o);
	free(ids);
}

/* Worker thread: the instance, the lost rows and their orphans, and the
 * first block of ids. */
static int
record_open_ledger(struct record_task *t, struct ledger *l)
{
	struct ledger_meta meta = { 0 };
	struct ledger_lost *lost = NULL;
	uint64_t max_id = 0, next;
	int r;

	if ((r = ledger_meta_get(l, &meta, &t->cause)) < 0)
		return r;
	if ((r = ledger_mark_lost(l, LOST_REASON, &lost, &t->nlost,
	    &t->cause)) < 0 ||
	    (r = ledger_max_run_id(l, &max_id, &t->cause)) < 0) {
		ledger_meta_free_contents(&meta);
		return r;
	}
	/* At a reopen this daemon's runs carry its own instance, never the
	 * one on record: the sweep cannot touch them. */
	record_orphans(t, l, &meta, lost, t->nlost);
	ledger_lost_free(lost, t->nlost);
	if (t->reopen)
		t->reserve_r = ledger_set_instance(l, t->instance, NULL);
	else
		snprintf(t->instance, sizeof(t->instance), "%s",
		    meta.instance);
	next = MAX(MAX(max_id, meta.reserved), t->last_id);
	if (!t->reopen)
		t->base = next;
	if (t->reserve_r == 0)
		t->reserve_r = ledger_ids_begin(l, t->base, next + t->id,
		    NULL);
	t->last_id = next;
	t->reserved = t->reserve_r == 0 ? next + t->id : 0;
	ledger_meta_free_contents(&meta);
	return 0;
}

void
record_open_work(struct record_task *t)
{
	struct ledger *l = NULL;

	if ((t->r = record_mkdir_p(t->record->state_dir)) < 0) {
		xasprintf(&t->cause, "cannot create state directory '%s': %s",
		    t->record->state_dir, strerror(-t->r));
		return;
	}
	record_secure_state_dir(t->record->state_dir, &t->notes);
	t->boot_first = record_boot_first(t->record->state_dir);
	t->r = ledger_open(t->record->state_dir, t->record->sync_full, &l,
	    &t->cause);
	if (t->r < 0)
		return;
	if ((t->r = record_open_ledger(t, l)) < 0) {
		ledger_close(l);
		return;
	}
	t->runs = (struct ledger_run *)l;	/* handed to the loop */
}

static void record_reopen_cb(uv_timer_t *);

/* The ledger could not be opened.  A file that is not ours stays alone
 * for good; a read-only or full directory is tried again, with the rows
 * queued meanwhile.  Run ids then start from a time-based floor so that
 * they cannot collide with ids already on record. */
static void
record_open_failed(struct record *rec, struct record_task *t)
{
	bool foreign = t->r == -EBADMSG || t->r == -EPROTONOSUPPORT;

	if (rec->error != t->r)
		log_error("ledger %s: %s", foreign ? "disabled" :
		    "unavailable, retrying", t->cause ? t->cause :
		    strerror(-t->r));
	rec->error = t->r;
	free(rec->error_text);
	rec->error_text = t->cause ? xstrdup(t->cause) :
	    xstrdup(strerror(-t->r));
	if (t->open_done) {
		rec->last_id = MAX(rec->last_id, record_id_floor());
		rec->id_base = rec->last_id;
	}
	if (rec->closing) {
		record_end(rec);
		return;
	}
	if (foreign)
		return;
	uv_timer_start(&rec->retry, record_reopen_cb,
	    record_backoff(rec) / USEC_PER_MSEC, 0);
}

void
record_open_done(struct record *rec, struct record_task *t)
{
	struct ledger *l = (struct ledger *)t->runs;
	size_t i;

	t->runs = NULL;
	rec->boot_first = rec->boot_first || t->boot_first;
	for (i = 0; t->notes && t->notes[i]; i++)
		log_notice("state directory: %s", t->notes[i]);
	if (t->r < 0) {
		record_open_failed(rec, t);
	} else {
		rec->ledger = l;
		if (rec->error)
			log_notice("ledger '%s/%s' is writable again",
			    rec->state_dir, LEDGER_FILE);
		rec->error = 0;
		free(rec->error_text);
		rec->error_text = NULL;
		rec->retry_delay = 0;
		record_ids_opened(rec, t);
		if (t->nlost || t->nops)
			log_warning("%zu runs were in flight when the last "
			    "jobd stopped, %zu of them not yet on record; "
			    "recorded as lost (%zu orphaned processes killed)",
			    t->nlost + t->nops, t->nops, t->orphans);
		for (i = 0; i < t->nops; i++)
			record_enqueue(rec, &t->ops[i]);
		free(t->ops);
		t->ops = NULL;
		t->nops = 0;
		if (rec->closing)
			record_push_close(rec);
	}
	if (t->open_done)
		t->open_done(rec->owner, t->r);
}

/* A job's user, for record_orphan_trusted. */
static void
record_open_users(struct record *rec, struct record_task *t)
{
	const struct job_config *jc;
	size_t n = 0;

	t->users = xcalloc(rec->runs->config->njobs + 1, sizeof(*t->users));
	TAILQ_FOREACH(jc, &rec->runs->config->jobs, entry) {
		t->users[n].job = xstrdup(jc->name);
		t->users[n].user = jc->user ? xstrdup(jc->user) : NULL;
		n++;
	}
	t->nusers = n;
}

struct record_task *
record_open_task(struct record *rec, bool reopen)
{
	struct record_task *t = xcalloc(1, sizeof(*t));

	t->type = TASK_OPEN;
	t->record = rec;
	t->reopen = reopen;
	t->last_id = rec->last_id;
	t->base = rec->id_base;
	t->id = record_id_block(rec);
	if (reopen)
		snprintf(t->instance, sizeof(t->instance), "%s",
		    record_instance_env(rec) + strlen("JOBD_INSTANCE="));
	record_open_users(rec, t);
	return t;
}

/* Open again.  The orphans of the daemon before are stopped now (this
 * daemon's runs carry another instance), and the instance on record
 * becomes this daemon's. */
static void
record_reopen_cb(uv_timer_t *timer)
{
	struct record *rec = timer->data;

	if (rec->busy || rec->closing || rec->ledger)
		return;
	record_submit(rec, record_open_task(rec, true));
}

void
record_open(struct record *rec, const struct run_ctx *runs,
    const char *state_dir, bool sync_full, void (*done)(void *, int),
    void (*idle)(void *), void *owner)
{
	struct record_task *t;

	*rec = (struct record){ .runs = runs, .idle_cb = idle, .owner = owner,
	    .state_dir = xstrdup(state_dir), .sync_full = sync_full };
	uv_timer_init(runs->loop, &rec->retry);
	rec->retry.data = rec;
	record_ids_set_instance(rec, NULL);
	executor_lane_start(&rec->lane, runs->loop, runs->executor);
	t = record_open_task(rec, false);
	t->open_done = done;
	record_submit(rec, t);
}
