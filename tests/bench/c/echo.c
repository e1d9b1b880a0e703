/* The machine's limit for a control call: a bare Unix stream socket echo.
 * "echo serve SOCK" answers each message with itself; "echo call SOCK N
 * SIZE" sends N messages of SIZE bytes, one at a time, and prints the
 * round trips in microseconds, one per line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int
sock_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", path);
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static int
serve(const char *path)
{
	struct sockaddr_un sa;
	char buf[65536];
	int s, c;
	ssize_t r;

	s = sock_addr(path, &sa);
	unlink(path);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s, 16) < 0) {
		perror(path);
		return 1;
	}
	for (;;) {
		c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		while ((r = read(c, buf, sizeof(buf))) > 0)
			if (write(c, buf, r) != r)
				break;
		close(c);
	}
}

static int
call(const char *path, long n, size_t size)
{
	struct sockaddr_un sa;
	struct timespec a, b;
	char *buf = calloc(1, size);
	size_t got;
	ssize_t r;
	long i;
	int s;

	s = sock_addr(path, &sa);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(path);
		return 1;
	}
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (write(s, buf, size) != (ssize_t)size)
			return 1;
		for (got = 0; got < size; got += r)
			if ((r = read(s, buf + got, size - got)) <= 0)
				return 1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%.1f\n", (b.tv_sec - a.tv_sec) * 1e6 +
		    (b.tv_nsec - a.tv_nsec) / 1e3);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "call"))
		return call(argv[2], atol(argv[3]), strtoul(argv[4], NULL, 10));
	fprintf(stderr, "usage: echo serve SOCK | echo call SOCK N SIZE\n");
	return 2;
}
