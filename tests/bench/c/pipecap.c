/* The machine's limit for output capture: runs CMD with its stdout on a
 * pipe and copies the pipe to FILE with read()/write() of 64 KiB.
 * Prints "BYTES SECONDS MB/s". */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	static char buf[65536];
	struct timespec a, b;
	long long total = 0;
	int p[2], fd, st;
	ssize_t r, w, off;
	pid_t pid;
	double dt;

	if (argc < 3) {
		fprintf(stderr, "usage: pipecap FILE CMD...\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || pipe2(p, O_CLOEXEC) < 0) {
		perror(argv[1]);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execv(argv[2], argv + 2);
		_exit(127);
	}
	close(p[1]);
	while ((r = read(p[0], buf, sizeof(buf))) > 0) {
		for (off = 0; off < r; off += w) {
			w = write(fd, buf + off, r - off);
			if (w < 0) {
				perror("write");
				return 1;
			}
		}
		total += r;
	}
	waitpid(pid, &st, 0);
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &b);
	dt = b.tv_sec - a.tv_sec + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%lld %.6f %.1f\n", total, dt, total / dt / 1e6);
	return 0;
}
