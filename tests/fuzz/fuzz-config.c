/* libFuzzer harness for the config parser: any bytes as the text of one
 * configuration file, through config_load_string() as jobd --check reads
 * it.  Checks the result's contract: a config and no errors, or -EINVAL
 * and at least one "file:line: message" error; every job found by name
 * and equal to itself. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "strv.h"
#include "xmalloc.h"

#define FUZZ_FILE	"fuzz.conf"
#define FUZZ_MAX_INPUT	(64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz-config: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static void
fuzz_check_config(const struct config *cfg)
{
	const struct job_config *j;
	size_t n = 0;

	TAILQ_FOREACH(j, &cfg->jobs, entry) {
		n++;
		if (!j->name || config_find_job(cfg, j->name) != j)
			fuzz_die("a job is not found by its name", j->name);
		if (!job_config_equal(j, j) || !job_config_exec_equal(j, j))
			fuzz_die("a job differs from itself", j->name);
		(void)job_config_is_periodic(j);
	}
	if (n != cfg->njobs)
		fuzz_die("njobs does not count the jobs", NULL);
}

static void
fuzz_check_errors(char **errors)
{
	size_t i, len = strlen(FUZZ_FILE);

	if (!errors || !errors[0])
		fuzz_die("-EINVAL without an error message", NULL);
	for (i = 0; errors[i]; i++)
		if (strncmp(errors[i], FUZZ_FILE ":", len + 1) != 0)
			fuzz_die("an error does not start with the file name",
			    errors[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	char **errors = NULL;
	char *text;
	int r;

	if (size > FUZZ_MAX_INPUT)
		return -1;
	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';

	r = config_load_string(text, FUZZ_FILE, &cfg, &errors);
	if (r == 0) {
		if (!cfg || errors)
			fuzz_die("success without a config, or with errors",
			    NULL);
		fuzz_check_config(cfg);
		config_free(cfg);
	} else {
		if (r != -EINVAL || cfg)
			fuzz_die("failure other than -EINVAL, or with a config",
			    NULL);
		fuzz_check_errors(errors);
		strv_free(errors);
	}
	free(text);
	return 0;
}
