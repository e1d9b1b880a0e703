/* Shared by the record's files.  Each call on the ledger thread is a task:
 * a struct of its own per kind (write, close, query, get, prune, states,
 * open, reserve) that begins with struct record_task, whose type says what
 * runs on the thread, what runs on the loop after and what the task owns.
 * record.c queues the tasks and runs them one at a time. */
#ifndef JOBD_RECORD_INTERNAL_H
#define JOBD_RECORD_INTERNAL_H

#include "record.h"

struct config;
struct ledger_lost;
struct ledger_meta;

struct record_task_type {
	/* On the ledger thread: the task's ledger calls. */
	void (*work)(struct record_task *);
	/* On the loop once work returned; the task is freed after. */
	void (*done)(struct record_task *);
	/* Frees what the task owns, not the task itself; NULL: nothing. */
	void (*clear)(struct record_task *);
};

/* The first member of every task, so that a task is one allocation that
 * record_task_free frees whatever its kind. */
struct record_task {
	const struct record_task_type *type;
	struct record *record;
	struct record_task *next;	/* in record->tasks */
	int r;				/* what work returned */
	char *cause;			/* why, when r < 0 */
};

/* Rows taken off the queue into a task (write, close). */
struct record_rows {
	struct ledger_op *ops;		/* owned */
	size_t n;
	uint64_t seq;		/* rows queued up to here are in ops, or
				 * were in an earlier task */
};

/* Run ids at an open, from the loop (in) and the ledger (out). */
struct record_ids_open {
	bool reopen;
	char instance[RECORD_INSTANCE_MAX + 1];	/* ours at a reopen; out */
	uint64_t last_id;	/* in: handed out so far; out: continue here */
	uint64_t base;		/* this daemon's ids are above: in at a
				 * reopen, else out */
	uint64_t block;		/* in: how many to reserve */
	uint64_t reserved;	/* out: reserved up to here, 0: not */
	int reserve_r;		/* out: why not */
};

/* A job's name and user= (NULL: jobd's own), to tell which orphan may
 * speak for which job. */
struct record_job_user {
	char *job;
	char *user;
};

/* What the last daemon's runs left behind, swept at an open. */
struct record_orphans {
	struct record_job_user *users;	/* in: every configured job */
	size_t nusers;
	struct ledger_op *ops;		/* out: rows of runs found running
					 * but not on record */
	size_t nops;
	size_t killed;			/* out: processes stopped */
};

/* record.c: the task queue. */
void *record_task_new(size_t size, const struct record_task_type *);
void record_task_free(struct record_task *);
void record_push_task(struct record *, struct record_task *);
/* Ahead of every queued task (the next one to run). */
void record_push_front(struct record *, struct record_task *);
/* Runs t on the ledger thread (it is not queued). */
void record_submit(struct record *, struct record_task *);
void record_pump(struct record *);
usec_t record_backoff(struct record *);

/* record-rows.c: the queue of rows. */
void record_enqueue(struct record *, struct ledger_op *);
void record_ops_free(struct ledger_op *, size_t n);
/* Frees what one op owns. */
void record_op_free(struct ledger_op *);
/* Drops the oldest queued row and counts it. */
void record_drop_oldest(struct record *);
int record_id_cmp(const void *, const void *);

/* record-write.c: writing them. */
void record_rows_take(struct record *, struct record_rows *);
/* A write task of every queued row. */
struct record_task *record_write_new(struct record *);
/* Wakes record_flush's waiters of rows up to settled (all: every one). */
void record_wake(struct record *, uint64_t settled, int r, bool all);

/* record-close.c */
void record_push_close(struct record *);
/* Every handle and the thread closed: the record is idle. */
void record_end(struct record *);

/* record-orphans.c: on the loop, then on the ledger thread. */
void record_orphans_init(struct record_orphans *, const struct config *);
void record_orphans_sweep(struct record_orphans *, struct ledger *,
    const struct ledger_meta *, const struct ledger_lost *, size_t nlost,
    char ***notes);
void record_orphans_free(struct record_orphans *);

/* record-ids.c */
void record_ids_set_instance(struct record *, const char *instance);
void record_ids_prepare(struct record *, bool reopen,
    struct record_ids_open *);
/* On the ledger thread: the instance and the first block of ids. */
void record_ids_begin(struct ledger *, const struct ledger_meta *,
    uint64_t max_id, struct record_ids_open *);
void record_ids_opened(struct record *, const struct record_ids_open *);
uint64_t record_id_floor(void);

#endif
