/* jobctl metrics: jobd's metrics text on stdout, or written for
 * node_exporter's textfile collector as DIR/jobd.prom, atomically (a
 * temporary file in DIR, fsync, rename), so that the collector never
 * reads half a file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobctl.h"
#include "print.h"
#include "varlink.h"
#include "xmalloc.h"

#define TEXTFILE_NAME "jobd.prom"

/* Before asking jobd: DIR is a directory jobctl may create files in. */
static int
textfile_check(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		fprintf(stderr, "jobctl: cannot write metrics into '%s': %s\n",
		    dir, strerror(errno));
		return EXIT_REFUSED;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "jobctl: cannot write metrics into '%s': not "
		    "a directory\n", dir);
		return EXIT_REFUSED;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		fprintf(stderr, "jobctl: cannot write metrics into '%s': %s\n",
		    dir, strerror(errno));
		return EXIT_REFUSED;
	}
	return -1;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The temporary file's name does not end in .prom: the collector reads
 * only *.prom files, so it never sees one being written. */
static int
textfile_fill(int fd, const char *text, size_t len)
{
	int r;

	if (fchmod(fd, 0644) < 0)
		return -errno;
	if ((r = write_all(fd, text, len)) < 0)
		return r;
	if (fsync(fd) < 0)
		return -errno;
	return 0;
}

/* The directory's entry is on disk too once rename returned. */
static void
textfile_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

static int
textfile_write(const char *dir, const char *text, size_t len)
{
	_cleanup_free_ char *tmp = xstrfmt("%s/.%s.XXXXXX", dir,
	    TEXTFILE_NAME);
	_cleanup_free_ char *path = xstrfmt("%s/%s", dir, TEXTFILE_NAME);
	int fd, r;

	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		fprintf(stderr, "jobctl: cannot create a file in '%s': %s\n",
		    dir, strerror(errno));
		return EXIT_REFUSED;
	}
	r = textfile_fill(fd, text, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		fprintf(stderr, "jobctl: cannot write '%s': %s\n", path,
		    strerror(-r));
		(void)unlink(tmp);
		return EXIT_REFUSED;
	}
	textfile_sync_dir(dir);
	return 0;
}

static int
reply_metrics(json_t *p, bool continues UNUSED, void *data)
{
	struct ctx *c = data;
	json_t *text = json_object_get(p, "text");

	if (!json_is_string(text))
		return client_mismatch("reply has no 'text' string");
	if (c->textfile)
		return textfile_write(c->textfile, json_string_value(text),
		    json_string_length(text));
	if (c->opts & OPT_JSON)
		print_json(p);
	else
		fwrite(json_string_value(text), 1, json_string_length(text),
		    stdout);
	return 0;
}

/* OpenMetrics unless asked otherwise; the textfile collector reads the
 * Prometheus 0.0.4 text. */
int
verbs_metrics(struct ctx *c)
{
	const char *format = c->format;
	int r;

	if (format && strcmp(format, "openmetrics") &&
	    strcmp(format, "prometheus"))
		return jobctl_usage_error(c->verb, "invalid format '%s': "
		    "expected openmetrics or prometheus", format);
	if (c->textfile && format && strcmp(format, "prometheus"))
		return jobctl_usage_error(c->verb, "--textfile writes the "
		    "prometheus format, which node_exporter reads");
	if (c->textfile) {
		if ((r = textfile_check(c->textfile)) >= 0)
			return r;
		format = "prometheus";
	}
	return jobctl_call(c, VARLINK_INTERFACE ".Metrics", format ?
	    json_pack("{s:s}", "format", format) : NULL, false,
	    reply_metrics);
}
