/* The machine's limit for spawning through libuv: uv_spawn of /bin/true,
 * N times, up to PAR in flight, each closed from its exit callback.
 * Prints "N SECONDS RATE". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <uv.h>

static long n, par, started, done;
static uv_loop_t *loop;

static void start_more(void);

static void
on_close(uv_handle_t *h)
{
	free(h);
}

static void
on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	(void)status;
	(void)sig;
	done++;
	uv_close((uv_handle_t *)p, on_close);
	start_more();
}

static void
start_more(void)
{
	char *args[] = { (char *)"/bin/true", NULL };
	uv_process_options_t o = { 0 };
	uv_process_t *p;
	int r;

	o.file = args[0];
	o.args = args;
	o.exit_cb = on_exit_cb;
	while (started < n && started - done < par) {
		p = calloc(1, sizeof(*p));
		r = uv_spawn(loop, p, &o);
		if (r < 0) {
			fprintf(stderr, "uv_spawn: %s\n", uv_strerror(r));
			exit(1);
		}
		started++;
	}
}

int
main(int argc, char **argv)
{
	struct timespec a, b;
	double dt;

	if (argc != 3) {
		fprintf(stderr, "usage: uvspawn N PAR\n");
		return 2;
	}
	n = atol(argv[1]);
	par = atol(argv[2]);
	loop = uv_default_loop();
	clock_gettime(CLOCK_MONOTONIC, &a);
	start_more();
	uv_run(loop, UV_RUN_DEFAULT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	dt = b.tv_sec - a.tv_sec + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%ld %.6f %.1f\n", n, dt, n / dt);
	return done == n ? 0 : 1;
}
