/* [cluster]: the PostgreSQL database several jobd nodes share (database=,
 * a libpq connection string or URI), this node's name, the lease, the
 * cluster's name; and each unit's run_on=.  A password in database= is
 * refused in a file others may read: libpq's password file (passfile=,
 * PGPASSFILE, ~/.pgpass) is where it belongs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-load.h"
#include "strv.h"
#include "xmalloc.h"

/* Whether a conninfo string or URI carries a password. */
static bool
has_password(const char *v)
{
	const char *at, *colon, *slashes;

	if (!strncmp(v, "postgres://", 11) || !strncmp(v, "postgresql://",
	    13)) {
		slashes = strstr(v, "://") + 3;
		at = strchr(slashes, '@');
		colon = strchr(slashes, ':');
		if (at && colon && colon < at)
			return true;
		return strstr(v, "password=") != NULL;
	}
	for (; (v = strstr(v, "password")); v += 8) {
		const char *p = v + 8;

		while (*p == ' ')
			p++;
		if (*p == '=')
			return true;
	}
	return false;
}

int
config_parse_database(const char *value, void *dst, const char *dir,
    char **cause)
{
	struct config_cluster *c = dst;

	(void)dir;
	if (!*value)
		return config_fail(cause, xstrdup("empty value"));
	free(c->database);
	c->database = xstrdup(value);
	c->database_password = has_password(value);
	return 0;
}

int
config_parse_node(const char *value, void *dst, const char *dir,
    char **cause)
{
	return config_parse_name(value, dst, dir, cause);
}

/* A lease shorter than 3s would be renewed more often than a second. */
int
config_parse_lease(const char *value, void *dst, const char *dir,
    char **cause)
{
	usec_t *lease = dst, v;
	int r;

	if ((r = config_parse_timespan(value, &v, dir, cause)) < 0)
		return r;
	if (v < 3 * USEC_PER_SEC || v > 3600 * USEC_PER_SEC)
		return config_fail(cause, xstrfmt("invalid lease '%s': from 3s "
		    "to 1h", value));
	*lease = v;
	return 0;
}

/* run_on=any, all, or node names. */
int
config_parse_run_on(const char *value, void *dst, const char *dir,
    char **cause)
{
	_cleanup_(strv_freep) char **words = NULL;
	char ***list = dst;
	size_t i, n;

	(void)dir;
	if (config_split_words(value, &words, cause) < 0)
		return -EINVAL;
	n = strv_length(words);
	if (n == 0)
		return config_fail(cause, xstrdup("empty value: expected any, "
		    "all or node names"));
	for (i = 0; i < n; i++) {
		if ((!strcmp(words[i], "any") || !strcmp(words[i], "all")) &&
		    n > 1)
			return config_fail(cause, xstrfmt("'%s' goes alone, "
			    "not with node names", words[i]));
		_cleanup_free_ char *why = NULL;

		if (config_job_name_check(words[i], &why) < 0)
			return config_fail(cause, xstrfmt("invalid node name "
			    "'%s'", words[i]));
	}
	strv_free(*list);
	*list = TAKE_PTR(words);
	return 0;
}

/* scope=, lock_scope=: local (this node) or cluster (the database). */
int
config_parse_scope(const char *value, void *dst, const char *dir,
    char **cause)
{
	bool *cluster = dst;

	(void)dir;
	if (strcmp(value, "local") && strcmp(value, "cluster"))
		return config_fail(cause, xstrfmt("invalid value '%s': "
		    "expected local or cluster", value));
	*cluster = !strcmp(value, "cluster");
	return 0;
}

void
parser_end_cluster(struct parser *p, unsigned database_line)
{
	struct config_cluster *c = &p->cfg->cluster;
	struct stat st;

	char host[256] = "";
	_cleanup_free_ char *why = NULL;

	if (!c->database) {
		parser_error(p, p->section_line, "[cluster] needs database=");
		return;
	}
	/* The node's name is known from here on (services ask run_on=). */
	if (!c->node) {
		if (gethostname(host, sizeof(host) - 1) < 0 ||
		    config_job_name_check(host, &why) < 0) {
			parser_error(p, p->section_line, "[cluster]: the host "
			    "name '%s' is no valid node name: set node=", host);
			return;
		}
		c->node = xstrdup(host);
	}
	if (c->database_password && p->file && stat(p->file, &st) == 0 &&
	    (st.st_mode & (S_IRGRP | S_IROTH)))
		parser_error(p, database_line, "database: a password in a "
		    "file others may read (mode %03o): put it in libpq's "
		    "password file (passfile=, PGPASSFILE or ~/.pgpass, mode "
		    "0600) instead", (unsigned)(st.st_mode & 0777));
}

bool
config_runs_here(const struct config *cfg, const struct job_config *jc)
{
	char *const *on = jc->run_on;

	if (!cfg->cluster.database || !on || !strcmp(on[0], "any") ||
	    !strcmp(on[0], "all"))
		return true;
	return strv_contains(on, cfg->cluster.node);
}

void
config_cluster_free(struct config_cluster *c)
{
	free(c->database);
	free(c->node);
	free(c->name);
}
