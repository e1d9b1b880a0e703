/* Loading the configuration: the main file and the include directory
 * (and who may change them), the result handed on (jobs in name order,
 * after the checks across units) or the errors, and the lifetime of struct
 * config.  config-read.c reads the lines of each file, config-section.c
 * applies its sections and keys, config-error.c keeps the errors. */
#include <dirent.h>
#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-load.h"
#include "strv.h"
#include "tz.h"
#include "xmalloc.h"

#define CONFIG_DEFAULT_DRAIN_TIMEOUT (5 * USEC_PER_SEC)

/* Whether a file or directory may only be changed by root or jobd's own
 * user (sshd's StrictModes). */
static bool
config_file_secure(const struct stat *st)
{
	uid_t me = geteuid();

	if (st->st_uid != 0 && st->st_uid != me)
		return false;
	if (st->st_mode & S_IWOTH)
		return false;
	/* Group-writable is fine only for root's group or jobd's own. */
	if ((st->st_mode & S_IWGRP) && st->st_gid != 0 &&
	    st->st_gid != getegid())
		return false;
	return true;
}

/* scandir helpers for the include directory: *.conf, not hidden, in
 * strcmp order. */
static int
config_include_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 &&
	    !strcmp(d->d_name + n - 5, ".conf");
}

static int
config_include_compare(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The directory of a path ("." if none). */
static char *
config_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static int
jobs_compare(const void *a, const void *b)
{
	return parser_job_compare(*(struct job_config *const *)a,
	    *(struct job_config *const *)b);
}

/* Returns 0, or -errno (reported) when the file cannot be read. */
static int
parser_run_file(struct parser *p, const char *path)
{
	struct stat st;
	int r;

	p->f = fopen(path, "re");
	if (!p->f) {
		r = -errno;
		p->file = path;
		parser_error(p, 0, "%s", strerror(-r));
		p->fileno++;
		return r;
	}
	if (fstat(fileno(p->f), &st) == 0 && !config_file_secure(&st)) {
		p->file = path;
		parser_error(p, 0, "refusing to read it: mode %04o owner %u "
		    "lets others change jobd's jobs (make it writable only by "
		    "root or jobd's user)", (unsigned)(st.st_mode & 07777),
		    (unsigned)st.st_uid);
		p->fileno++;
		fclose(p->f);
		p->f = NULL;
		return -EPERM;
	}
	if (p->main) {
		p->main_dev = st.st_dev;
		p->main_ino = st.st_ino;
	}
	p->read_error = 0;
	parser_run(p, path);
	fclose(p->f);
	p->f = NULL;
	return p->read_error;
}

/* Reads every regular *.conf file of the include directory, in strcmp
 * order, skipping hidden files. */
static void
parser_run_include_dir(struct parser *p, const char *dir)
{
	struct dirent **names;
	struct stat st;
	char *path;
	int i, n;

	if (stat(dir, &st) == 0 && !config_file_secure(&st)) {
		p->file = dir;
		parser_error(p, 0, "refusing to read it: mode %04o owner %u "
		    "lets others add jobs (make it writable only by root or "
		    "jobd's user)", (unsigned)(st.st_mode & 07777),
		    (unsigned)st.st_uid);
		p->fileno++;
		return;
	}
	n = scandir(dir, &names, config_include_filter,
	    config_include_compare);
	if (n < 0) {
		p->file = dir;
		parser_error(p, 0, "%s", strerror(errno));
		p->fileno++;
		return;
	}
	p->main = false;
	for (i = 0; i < n; i++) {
		path = xstrfmt("%s/%s", dir, names[i]->d_name);
		if (stat(path, &st) < 0) {
			p->file = path;
			parser_error(p, 0, "%s", strerror(errno));
			p->fileno++;
		} else if (S_ISREG(st.st_mode) && (st.st_dev != p->main_dev ||
		    st.st_ino != p->main_ino))
			parser_run_file(p, path);
		p->file = NULL;
		free(path);
		free(names[i]);
	}
	free(names);
}

static void
parser_init(struct parser *p, const char *path)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));

	cfg->path = xstrdup(path);
	cfg->tail_size = CONFIG_DEFAULT_TAIL_SIZE;
	cfg->drain_timeout = CONFIG_DEFAULT_DRAIN_TIMEOUT;
	cfg->control_idle_timeout = CONFIG_DEFAULT_IDLE_TIMEOUT;
	cfg->history_max_runs = CONFIG_DEFAULT_HISTORY_MAX_RUNS;
	cfg->socket_group = xstrdup("jobd");
	TAILQ_INIT(&cfg->jobs);
	*p = (struct parser){
		.cfg = cfg,
		.dir = config_dir_of(path),
		.main = true,
		.pending = -1,
		.seen = xcalloc(config_nkeys, sizeof(*p->seen)),
	};
}

static void
names_free(void *node UNUSED)
{
}

static void
parser_dep_error(void *ctx, const struct job_config *u, const char *msg)
{
	struct parser *p = ctx;
	const char *file = p->file;

	/* Report at the unit's own section, which may be in another file. */
	p->file = u->file;
	parser_error(p, u->line, "%s '%s': %s", u->service ? "service" : "job",
	    u->name, msg);
	p->file = file;
}

/* Ends a load: on success hands on the config with its jobs in name
 * order, otherwise the errors. */
static int
parser_finish(struct parser *p, int r, struct config **ret,
    char ***ret_errors)
{
	char *why = NULL;
	size_t i;

	tdestroy(p->names, names_free);
	free(p->seen);
	parser_defaults_clear(&p->defaults[0]);
	parser_defaults_clear(&p->defaults[1]);
	free(p->dir);
	if (p->njobs > 0)
		qsort(p->jobs, p->njobs, sizeof(*p->jobs), jobs_compare);
	config_check_deps(p->jobs, p->njobs, parser_dep_error, p);
	config_check_policy(p->cfg, p->jobs, p->njobs, parser_dep_error, p);
	config_check_hook_cycles(p->jobs, p->njobs, parser_dep_error, p);
	parser_check_groups(p);
	if (p->nerrors > 0) {
		for (i = 0; i < p->njobs; i++)
			job_config_free(p->jobs[i]);
		free(p->jobs);
		config_free(p->cfg);
		*ret = NULL;
		*ret_errors = parser_take_errors(p);
		return r < 0 ? r : -EINVAL;
	}
	for (i = 0; i < p->njobs; i++)
		TAILQ_INSERT_TAIL(&p->cfg->jobs, p->jobs[i], entry);
	p->cfg->njobs = p->njobs;
	free(p->jobs);
	/* The system zone, read with the files (off the loop); a machine
	 * without one schedules in UTC, as tz_load() falls back. */
	if (tz_load(NULL, &p->cfg->local_tz, &why) < 0) {
		free(why);
		why = NULL;
		tz_load("UTC", &p->cfg->local_tz, &why);
	}
	free(why);
	*ret = p->cfg;
	*ret_errors = NULL;
	return 0;
}

int
config_load(const char *path, struct config **ret, char ***ret_errors)
{
	struct parser p;
	int r;

	parser_init(&p, path);
	r = parser_run_file(&p, path);
	if (r == 0 && p.cfg->include_dir)
		parser_run_include_dir(&p, p.cfg->include_dir);
	return parser_finish(&p, r, ret, ret_errors);
}

int
config_load_string(const char *text, const char *filename,
    struct config **ret, char ***ret_errors)
{
	struct parser p;

	parser_init(&p, filename);
	p.mem = text;
	p.memlen = strlen(text);
	parser_run(&p, filename);
	return parser_finish(&p, 0, ret, ret_errors);
}

struct job_config *
config_find_job(const struct config *cfg, const char *name)
{
	struct job_config *job;

	TAILQ_FOREACH(job, &cfg->jobs, entry)
		if (!strcmp(job->name, name))
			return job;
	return NULL;
}

struct config *
config_free(struct config *cfg)
{
	struct job_config *job, *tmp;

	if (!cfg)
		return NULL;
	TAILQ_FOREACH_SAFE(job, &cfg->jobs, entry, tmp)
		job_config_free(job);
	free(cfg->path);
	free(cfg->include_dir);
	free(cfg->socket_path);
	free(cfg->state_dir);
	tz_free(cfg->local_tz);
	config_semaphores_free(cfg);
	config_alerts_free(cfg);
	config_groups_free(cfg);
	free(cfg->sendmail);
	free(cfg->socket_group);
	free(cfg->admin_group);
	strv_free(cfg->pass_environment);
	config_cluster_free(&cfg->cluster);
	free(cfg);
	return NULL;
}
