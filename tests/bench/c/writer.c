/* The child of the output-capture case: writes BYTES bytes to stdout as
 * lines of LINE bytes (the last one '\n'), in 64 KiB write() calls. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	static char buf[65536];
	long long total, left;
	size_t line, chunk, i;
	ssize_t w;

	if (argc != 3) {
		fprintf(stderr, "usage: writer BYTES LINE\n");
		return 2;
	}
	total = atoll(argv[1]);
	line = strtoul(argv[2], NULL, 10);
	if (line < 2 || line > sizeof(buf))
		return 2;
	chunk = sizeof(buf) / line * line;
	for (i = 0; i < chunk; i++)
		buf[i] = i % line == line - 1 ? '\n' : 'a' + i % 26;
	for (left = total; left > 0; left -= w) {
		w = write(1, buf, left < (long long)chunk ? (size_t)left : chunk);
		if (w < 0) {
			if (errno == EINTR) {
				w = 0;
				continue;
			}
			perror("write");
			return 1;
		}
	}
	return 0;
}
