/* Run ids and this state directory's instance id.  An id is handed out
 * only below a reservation already committed to the ledger, so that a
 * daemon killed with SIGKILL, which had handed out ids whose rows were
 * not yet written, is never followed by one that hands them out again: a
 * new daemon continues above the reservation.  The next block is reserved
 * on the ledger thread when half of the current one is left. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "macro.h"
#include "record-internal.h"
#include "run-ctx.h"

/* A failed reservation is tried again at the next id after this. */
#define RECORD_RESERVE_RETRY USEC_PER_SEC

struct record_reserve_task {
	struct record_task task;
	uint64_t upto;
};

/* Ids for a daemon without a reservation: from the clock (seconds times
 * 1000), above any id a reserving daemon would reach in practice. */
uint64_t
record_id_floor(void)
{
	return now_realtime() / USEC_PER_SEC * 1000;
}

/* The block to reserve: RECORD_ID_BLOCK plus one id per configured job. */
static uint64_t
record_id_block(const struct record *rec)
{
	const struct config *c = rec->runs ? rec->runs->config : NULL;

	return RECORD_ID_BLOCK + (c ? c->njobs : 0);
}

const char *
record_instance_env(const struct record *rec)
{
	/* Unit tests build runs without a ledger. */
	return rec->instance_env[0] ? rec->instance_env : "JOBD_INSTANCE=";
}

/* instance NULL: a random one of our own, until the ledger's is known
 * (and for good if the ledger cannot be opened). */
void
record_ids_set_instance(struct record *rec, const char *instance)
{
	unsigned char b[16];
	char hex[sizeof(b) * 2 + 1];
	size_t i;

	if (!instance) {
		if (getrandom(b, sizeof(b), GRND_NONBLOCK) != sizeof(b)) {
			uint64_t x = now_realtime() ^
			    ((uint64_t)getpid() << 32);

			for (i = 0; i < sizeof(b); i++)
				b[i] = (unsigned char)(x >> (8 * (i % 8)) ^ i);
		}
		for (i = 0; i < sizeof(b); i++)
			snprintf(hex + 2 * i, 3, "%02x", b[i]);
		instance = hex;
	}
	snprintf(rec->instance_env, sizeof(rec->instance_env),
	    "JOBD_INSTANCE=%.*s", RECORD_INSTANCE_MAX, instance);
}

/* What an open takes along: at a reopen, this daemon's instance and the
 * base its ids are above. */
void
record_ids_prepare(struct record *rec, bool reopen,
    struct record_ids_open *ids)
{
	*ids = (struct record_ids_open){ .reopen = reopen,
	    .last_id = rec->last_id, .base = rec->id_base,
	    .block = record_id_block(rec) };
	if (reopen)
		snprintf(ids->instance, sizeof(ids->instance), "%s",
		    record_instance_env(rec) + strlen("JOBD_INSTANCE="));
}

/* Worker thread: at a reopen the instance on record becomes ours (this
 * daemon's runs carry it); at the first open, ours becomes the one on
 * record.  Ids continue above every row, the last reservation and what
 * was handed out, and the first block is reserved. */
void
record_ids_begin(struct ledger *l, const struct ledger_meta *meta,
    uint64_t max_id, struct record_ids_open *ids)
{
	uint64_t next;

	if (ids->reopen)
		ids->reserve_r = ledger_set_instance(l, ids->instance, NULL);
	else
		snprintf(ids->instance, sizeof(ids->instance), "%s",
		    meta->instance);
	next = MAX(MAX(max_id, meta->reserved), ids->last_id);
	if (!ids->reopen)
		ids->base = next;
	if (ids->reserve_r == 0)
		ids->reserve_r = ledger_ids_begin(l, ids->base,
		    next + ids->block, NULL);
	ids->last_id = next;
	ids->reserved = ids->reserve_r == 0 ? next + ids->block : 0;
}

/* The ledger is open: continue above everything it knows. */
void
record_ids_opened(struct record *rec, const struct record_ids_open *ids)
{
	if (!ids->reopen && ids->instance[0])
		record_ids_set_instance(rec, ids->instance);
	rec->last_id = MAX(rec->last_id, ids->last_id);
	rec->id_reserved = ids->reserved;
	if (ids->reserve_r < 0)
		log_warning("ledger: cannot reserve run ids: %s; ids continue "
		    "from a number derived from the clock",
		    strerror(-ids->reserve_r));
}

/* Worker thread. */
static void
record_reserve_work(struct record_task *t)
{
	struct record_reserve_task *v = (struct record_reserve_task *)t;

	t->r = ledger_reserve_ids(t->record->ledger, v->upto, false,
	    &t->cause);
}

static void
record_reserve_done(struct record_task *t)
{
	struct record_reserve_task *v = (struct record_reserve_task *)t;
	struct record *rec = t->record;

	rec->id_reserving = 0;
	if (t->r < 0) {
		rec->id_retry_at = now_monotonic() + RECORD_RESERVE_RETRY;
		if (!rec->ids_unreserved)
			log_warning("ledger: cannot reserve run ids up to "
			    "%llu: %s", (unsigned long long)v->upto, t->cause ?
			    t->cause : strerror(-t->r));
		return;
	}
	rec->id_reserved = MAX(rec->id_reserved, v->upto);
	if (rec->ids_unreserved && rec->last_id <= rec->id_reserved) {
		log_notice("ledger: run ids reserved again up to %llu",
		    (unsigned long long)rec->id_reserved);
		rec->ids_unreserved = false;
	}
}

static const struct record_task_type record_reserve_type = {
	.work = record_reserve_work,
	.done = record_reserve_done,
};

static void
record_reserve(struct record *rec, uint64_t upto)
{
	struct record_reserve_task *v = record_task_new(sizeof(*v),
	    &record_reserve_type);

	v->upto = upto;
	rec->id_reserving = upto;
	/* Ahead of queued writes and queries: ids must not run out. */
	record_push_front(rec, &v->task);
	record_pump(rec);
}

/* Past the reservation: the ledger did not keep up, or cannot write.
 * Rather than hand out an id a restart could hand out again, continue
 * from the clock's floor (when it is higher). */
static void
record_ids_past(struct record *rec)
{
	uint64_t floor = record_id_floor();

	if (!rec->ids_unreserved)
		log_warning("ledger: run ids past %llu are not reserved yet "
		    "(%s); continuing from %llu", (unsigned long long)
		    rec->id_reserved, rec->error_text ? rec->error_text :
		    "the ledger is busy", (unsigned long long)MAX(floor,
		    rec->last_id));
	rec->ids_unreserved = true;
	if (floor > rec->last_id)
		rec->last_id = floor;
}

uint64_t
record_next_run_id(struct record *rec)
{
	uint64_t block = record_id_block(rec);

	++rec->last_id;
	/* Without a ledger (not openable, or closing) nothing is reserved:
	 * the floor was taken when the open failed. */
	if (!rec->ledger || rec->closing)
		return rec->last_id;
	if (rec->last_id > rec->id_reserved && !rec->ids_unreserved)
		record_ids_past(rec);
	if (!rec->id_reserving && rec->id_reserved < rec->last_id +
	    block / 2 && now_monotonic() >= rec->id_retry_at)
		record_reserve(rec, MAX(rec->last_id, rec->id_reserved) +
		    block);
	return rec->last_id;
}
