/* The machine's limit for spawning: posix_spawn (glibc: CLONE_VM|CLONE_VFORK)
 * or fork+exec of CMD (default /bin/true), N times, with up to PAR children
 * in flight, each reaped with wait().  Prints "N SECONDS RATE". */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *true_argv[] = { (char *)"/bin/true", NULL };

static pid_t
spawn_one(int use_fork, char **argv)
{
	pid_t pid;

	if (use_fork) {
		pid = fork();
		if (pid == 0) {
			execv(argv[0], argv);
			_exit(127);
		}
		return pid;
	}
	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
		return -1;
	return pid;
}

int
main(int argc, char **argv)
{
	long n, par, started = 0, done = 0;
	int use_fork, status;
	char **cmd;
	double t0, dt;

	if (argc < 4) {
		fprintf(stderr, "usage: spawnloop posix|fork N PAR [CMD...]\n");
		return 2;
	}
	use_fork = strcmp(argv[1], "fork") == 0;
	n = atol(argv[2]);
	par = atol(argv[3]);
	cmd = argc > 4 ? argv + 4 : true_argv;
	t0 = now();
	while (done < n) {
		while (started < n && started - done < par) {
			if (spawn_one(use_fork, cmd) < 0) {
				perror("spawn");
				return 1;
			}
			started++;
		}
		if (wait(&status) < 0) {
			perror("wait");
			return 1;
		}
		done++;
	}
	dt = now() - t0;
	printf("%ld %.6f %.1f\n", n, dt, n / dt);
	return 0;
}
