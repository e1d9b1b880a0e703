/* What runs need, and nothing of a daemon, for the unit tests that start
 * real children (test-run, test-sync, test-service): a private loop, the
 * executor, the registry and a run context whose callbacks the test
 * owns.  Each test embeds a struct run_fixture in its own fixture. */
#ifndef JOBD_TEST_RUN_FIXTURE_H
#define JOBD_TEST_RUN_FIXTURE_H

#include <uv.h>

#include "cgroup.h"
#include "config.h"
#include "escape.h"
#include "executor.h"
#include "heap.h"
#include "run-ctx.h"
#include "units.h"

struct run_fixture {
	uv_loop_t loop;
	struct executor executor;
	struct heap heap;		/* never started: trims nothing */
	struct escape escape;
	struct cgroup cgroup;		/* disabled: process groups only */
	struct units units;
	struct run_ctx runs;
	struct config *config;
	uint64_t last_id;
};

/* The test child program (JOBD_TEST_CHILD); fails the test without it. */
const char *test_child(void);

/* Loads conf (fails the test on an error), makes the loop and the run
 * context with ids counting from 1, admit (NULL: every run at once) and
 * freeing (may be NULL), subscribes the jobs' own subscriber and learns
 * jobd's identity.  Adds no job.  The run context's owner is the
 * run_fixture: a test's callbacks find their fixture with container_of. */
void run_fixture_init(struct run_fixture *, const char *conf,
    void (*admit)(void *owner, struct run *),
    void (*freeing)(void *owner, struct job *));
/* Frees the registry (and what its freeing callback frees) and the
 * config; fails on a handle left open. */
void run_fixture_done(struct run_fixture *);

#endif
