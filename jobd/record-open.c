/* Opening the ledger, on the ledger thread: the state directory (created
 * private, and made private again when others could read it), whether
 * this is the first start since boot, the rows the last daemon left
 * unfinished (marked lost, their processes swept: record-orphans.c) and
 * the first block of run ids; on the loop, reopening after a failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "record-internal.h"
#include "run-ctx.h"
#include "strv.h"
#include "xmalloc.h"

#define LOST_REASON "jobd stopped while the run was in flight"

/* What others may not do: in the state directory and STATE/logs, write
 * or anything as "other" (the group may read logs); on the ledger's files
 * (every run's output tail), anything. */
#define STATE_DIR_DENY 0027
#define LEDGER_FILE_DENY 0077

struct record_open_task {
	struct record_task task;
	struct ledger *ledger;		/* out: open, handed to the loop */
	bool boot_first;		/* out */
	struct record_ids_open ids;
	struct record_orphans orphans;
	struct ledger_lost *lost;	/* out: rows marked lost */
	size_t nlost;
	char **notes;			/* out: logged on the loop (notice) */
	void (*open_done)(void *owner, int);	/* the first open only */
};

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

/* Worker thread: the lost rows and their orphans, the instance and the
 * first block of ids. */
static int
record_open_ledger(struct record_open_task *o, struct ledger *l)
{
	struct record_task *t = &o->task;
	struct ledger_meta meta = { 0 };
	uint64_t max_id = 0;
	int r;

	if ((r = ledger_meta_get(l, &meta, &t->cause)) < 0)
		return r;
	if ((r = ledger_mark_lost(l, LOST_REASON, &o->lost, &o->nlost,
	    &t->cause)) < 0 ||
	    (r = ledger_max_run_id(l, &max_id, &t->cause)) < 0) {
		ledger_meta_free_contents(&meta);
		return r;
	}
	/* At a reopen this daemon's runs carry its own instance, never the
	 * one on record: the sweep cannot touch them. */
	record_orphans_sweep(&o->orphans, l, &meta, o->lost, o->nlost,
	    &o->notes);
	record_ids_begin(l, &meta, max_id, &o->ids);
	ledger_meta_free_contents(&meta);
	return 0;
}

/* Worker thread. */
static void
record_open_work(struct record_task *t)
{
	struct record_open_task *o = (struct record_open_task *)t;
	const char *dir = t->record->state_dir;
	struct ledger *l = NULL;

	if ((t->r = record_mkdir_p(dir)) < 0) {
		xasprintf(&t->cause, "cannot create state directory '%s': %s",
		    dir, strerror(-t->r));
		return;
	}
	record_secure_state_dir(dir, &o->notes);
	o->boot_first = record_boot_first(dir);
	t->r = ledger_open(dir, t->record->sync_full, &l, &t->cause);
	if (t->r < 0)
		return;
	if ((t->r = record_open_ledger(o, l)) < 0) {
		ledger_close(l);
		return;
	}
	o->ledger = l;
}

static void record_reopen_cb(uv_timer_t *);

/* The ledger could not be opened.  A file that is not ours stays alone
 * for good; a read-only or full directory is tried again, with the rows
 * queued meanwhile.  Run ids then start from a time-based floor so that
 * they cannot collide with ids already on record. */
static void
record_open_failed(struct record *rec, struct record_open_task *o)
{
	struct record_task *t = &o->task;
	bool foreign = t->r == -EBADMSG || t->r == -EPROTONOSUPPORT;

	if (rec->error != t->r)
		log_error("ledger %s: %s", foreign ? "disabled" :
		    "unavailable, retrying", t->cause ? t->cause :
		    strerror(-t->r));
	rec->error = t->r;
	free(rec->error_text);
	rec->error_text = t->cause ? xstrdup(t->cause) :
	    xstrdup(strerror(-t->r));
	if (o->open_done) {
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

/* The lost runs to the owner's callback: the rows marked lost and the
 * runs found running but not on record (borrowed: before they are
 * queued). */
static void
record_tell_lost(struct record *rec, struct record_open_task *o)
{
	size_t i, n = o->nlost;
	struct ledger_lost *v;
	struct ledger_run *row;

	if (!rec->lost_cb || o->nlost + o->orphans.nops == 0)
		return;
	v = xcalloc(o->nlost + o->orphans.nops, sizeof(*v));
	if (o->nlost)
		memcpy(v, o->lost, o->nlost * sizeof(*v));
	for (i = 0; i < o->orphans.nops; i++) {
		row = &o->orphans.ops[i].run;
		v[n++] = (struct ledger_lost){ .id = row->id, .job = row->job,
		    .pid = row->pid, .started = row->started,
		    .trigger = row->trigger, .scheduled = row->scheduled };
	}
	rec->lost_cb(rec->owner, v, n);
	free(v);
}

/* The ledger is open: healthy again, ids continue above it, and the rows
 * of runs found running but not on record are queued. */
static void
record_opened(struct record *rec, struct record_open_task *o)
{
	size_t i;

	rec->ledger = o->ledger;
	o->ledger = NULL;
	if (rec->error)
		log_notice("ledger '%s/%s' is writable again",
		    rec->state_dir, LEDGER_FILE);
	rec->error = 0;
	free(rec->error_text);
	rec->error_text = NULL;
	rec->retry_delay = 0;
	record_ids_opened(rec, &o->ids);
	if (o->nlost || o->orphans.nops)
		log_warning("%zu runs were in flight when the last jobd "
		    "stopped, %zu of them not yet on record; recorded as lost "
		    "(%zu orphaned processes killed)", o->nlost +
		    o->orphans.nops, o->orphans.nops, o->orphans.killed);
	record_tell_lost(rec, o);
	for (i = 0; i < o->orphans.nops; i++)
		record_enqueue(rec, &o->orphans.ops[i]);
	free(o->orphans.ops);
	o->orphans.ops = NULL;
	o->orphans.nops = 0;
	if (rec->closing)
		record_push_close(rec);
}

static void
record_open_done(struct record_task *t)
{
	struct record_open_task *o = (struct record_open_task *)t;
	struct record *rec = t->record;
	size_t i;

	rec->boot_first = rec->boot_first || o->boot_first;
	for (i = 0; o->notes && o->notes[i]; i++)
		log_notice("state directory: %s", o->notes[i]);
	if (t->r < 0)
		record_open_failed(rec, o);
	else
		record_opened(rec, o);
	if (o->open_done)
		o->open_done(rec->owner, t->r);
}

static void
record_open_clear(struct record_task *t)
{
	struct record_open_task *o = (struct record_open_task *)t;

	ledger_close(o->ledger);
	record_orphans_free(&o->orphans);
	ledger_lost_free(o->lost, o->nlost);
	strv_free(o->notes);
}

static const struct record_task_type record_open_type = {
	.work = record_open_work,
	.done = record_open_done,
	.clear = record_open_clear,
};

static struct record_open_task *
record_open_task(struct record *rec, bool reopen)
{
	struct record_open_task *o = record_task_new(sizeof(*o),
	    &record_open_type);

	record_ids_prepare(rec, reopen, &o->ids);
	record_orphans_init(&o->orphans, rec->runs->config);
	return o;
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
	record_submit(rec, &record_open_task(rec, true)->task);
}

void
record_open(struct record *rec, const struct run_ctx *runs,
    const char *state_dir, bool sync_full, void (*done)(void *, int),
    void (*idle)(void *), void *owner)
{
	struct record_open_task *o;

	*rec = (struct record){ .runs = runs, .idle_cb = idle, .owner = owner,
	    .state_dir = xstrdup(state_dir), .sync_full = sync_full };
	uv_timer_init(runs->loop, &rec->retry);
	rec->retry.data = rec;
	record_ids_set_instance(rec, NULL);
	executor_lane_start(&rec->lane, runs->loop, runs->executor);
	o = record_open_task(rec, false);
	o->open_done = done;
	record_submit(rec, &o->task);
}

void
record_on_lost(struct record *rec,
    void (*cb)(void *owner, const struct ledger_lost *, size_t n))
{
	rec->lost_cb = cb;
}
