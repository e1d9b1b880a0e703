/* Shared by record.c (the queue and the calls on the ledger thread),
 * record-open.c (opening: the state directory, lost runs, orphans) and
 * record-ids.c (run ids and their reservation). */
#ifndef JOBD_RECORD_INTERNAL_H
#define JOBD_RECORD_INTERNAL_H

#include "record.h"

enum record_task_type {
	TASK_OPEN,
	TASK_WRITE,
	TASK_QUERY,
	TASK_GET,
	TASK_CLOSE,
	TASK_PRUNE,
	TASK_STATES,
	TASK_RESERVE,
};

/* A job's name and user= (NULL: jobd's own), to tell which orphan may
 * speak for which job. */
struct record_job_user {
	char *job;
	char *user;
};

struct record_task {
	enum record_task_type type;
	struct record *record;
	struct record_task *next;
	/* TASK_WRITE, TASK_CLOSE, and TASK_OPEN's rows of runs found
	 * running but not on record: owned. */
	struct ledger_op *ops;
	size_t nops;
	uint64_t seq;		/* rows queued up to here are in ops, or
				 * were in an earlier task */
	int r;
	char *cause;
	/* TASK_OPEN */
	bool boot_first, reopen;
	char instance[RECORD_INSTANCE_MAX + 1];	/* ours at a reopen; out */
	uint64_t last_id;	/* in: handed out so far; out: continue here */
	uint64_t base;		/* this daemon's ids are above: in at a
				 * reopen, else out */
	uint64_t reserved;	/* out: reserved up to here, 0: not */
	int reserve_r;		/* out: why not */
	size_t nlost, orphans;
	struct record_job_user *users;
	size_t nusers;
	char **notes;		/* out: logged on the loop (notice) */
	void (*open_done)(void *owner, int);
	/* TASK_QUERY and TASK_GET */
	struct ledger_filter filter;
	char *filter_job;
	uint64_t id;		/* TASK_GET; TASK_RESERVE and TASK_CLOSE: up
				 * to here */
	struct ledger_run *runs;
	size_t nruns;
	record_query_cb cb;
	void *ctx;
	/* TASK_STATES: names in, states out (job NULL: none on record). */
	char **names;
	struct ledger_job_state *states;
	void (*states_cb)(void *, struct ledger_job_state *, size_t);
	/* TASK_PRUNE: one rule per job, names owned. */
	struct ledger_prune *rules;
	size_t nrules, pruned;
};

/* record.c */
void record_push_task(struct record *, struct record_task *);
/* Ahead of every queued task (the next one to run). */
void record_push_front(struct record *, struct record_task *);
/* Runs t on the ledger thread (it is not queued). */
void record_submit(struct record *, struct record_task *);
void record_pump(struct record *);
void record_enqueue(struct record *, struct ledger_op *);
struct record_task *record_take_queue(struct record *,
    enum record_task_type);
void record_push_close(struct record *);
void record_task_free(struct record_task *);
/* Every handle and the thread closed: the record is idle. */
void record_end(struct record *);
usec_t record_backoff(struct record *);

/* record-open.c */
void record_open_work(struct record_task *);
void record_open_done(struct record *, struct record_task *);
struct record_task *record_open_task(struct record *, bool reopen);

/* record-ids.c */
void record_ids_opened(struct record *, struct record_task *);
void record_ids_set_instance(struct record *, const char *instance);
void record_reserve_done(struct record *, struct record_task *);
uint64_t record_id_floor(void);
/* The block to reserve: RECORD_ID_BLOCK plus one id per configured job. */
uint64_t record_id_block(const struct record *);

#endif
