/* The daemon-free setting of the unit tests that start real runs: one
 * copy of the wiring daemon.c does for runs (loop, executor, registry,
 * run context, the jobs' subscriber), with the test as the owner of the
 * callbacks a run makes upward. */
#include <stdlib.h>

#include "job.h"
#include "run-fixture.h"
#include "run.h"
#include "runner.h"
#include "exec-context.h"

const char *
test_child(void)
{
	const char *p = getenv("JOBD_TEST_CHILD");

	if (!p)
		test_fail(__FILE__, __LINE__, "JOBD_TEST_CHILD is not set");
	return p;
}

static void
fixture_escaped(void *ctx, uint64_t run, int sig, pid_t pid,
    const char *comm)
{
	(void)ctx;
	(void)run;
	(void)sig;
	(void)pid;
	(void)comm;
}

static uint64_t
fixture_next_id(void *ctx)
{
	return ++((struct run_fixture *)ctx)->last_id;
}

static const char *
fixture_instance(void *ctx)
{
	(void)ctx;
	return "JOBD_INSTANCE=test";
}

/* No locks or limits: every run is admitted at once. */
static void
fixture_admit(void *owner, struct run *r)
{
	(void)owner;
	run_admitted(r);
}

void
run_fixture_init(struct run_fixture *f, const char *conf,
    void (*admit)(void *, struct run *),
    void (*freeing)(void *, struct job *))
{
	char **errors = NULL;

	*f = (struct run_fixture){ 0 };
	if (config_load_string(conf, "test.conf", &f->config, &errors) < 0)
		test_fail(__FILE__, __LINE__, "config: %s",
		    errors && errors[0] ? errors[0] : "?");
	ASSERT_OK(uv_loop_init(&f->loop));
	executor_init(&f->executor, &f->loop);
	escape_init(&f->escape, &f->executor, NULL, fixture_escaped, NULL);
	units_init(&f->units);
	run_ctx_init(&f->runs);
	f->runs.loop = &f->loop;
	f->runs.executor = &f->executor;
	f->runs.config = f->config;
	f->runs.units = &f->units;
	f->runs.heap = &f->heap;
	f->runs.escape = &f->escape;
	f->runs.cgroup = &f->cgroup;
	f->runs.state_dir = "/tmp";
	/* The id counter is ours; the rest answer to the test. */
	f->runs.next_id = fixture_next_id;
	f->runs.instance_env = fixture_instance;
	f->runs.admit = admit ? admit : fixture_admit;
	f->runs.freeing = freeing;
	f->runs.owner = f;
	job_subscribe(&f->runs);
	/* jobd's own HOME, USER, ... known, as they are once jobd runs. */
	spawn_identity_init(&f->executor);
	uv_run(&f->loop, UV_RUN_DEFAULT);
}

void
run_fixture_done(struct run_fixture *f)
{
	units_free(&f->units);
	run_ctx_close(&f->runs);
	/* Freeing a service closes its timers: let them close. */
	uv_run(&f->loop, UV_RUN_DEFAULT);
	spawn_identity_free();
	config_free(f->config);
	ASSERT_OK(uv_loop_close(&f->loop));
}
