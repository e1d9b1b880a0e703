/* Unit tests for [cluster] and the cluster keys of units: what is read,
 * the defaults, every error (no database=, a bad lease, a password in a
 * file others may read, the section twice or in a conf.d file), run_on=,
 * lock_scope= and scope= (and their need of [cluster]), which units run
 * on this node, and the definitions' hash nodes compare. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

/* Errors of text as one string ("" when it loads), the config kept in
 * *ret when wanted. */
static char *
load(const char *text, struct config **ret)
{
	_cleanup_(strv_freep) char **errors = NULL;
	struct config *cfg = NULL;

	if (config_load_string(text, "t.conf", &cfg, &errors) < 0)
		return test_join_lines(errors);
	if (ret)
		*ret = cfg;
	else
		config_free(cfg);
	return xstrdup("");
}

#define ERR(text, want) do {						\
	char *got_ = load(text, NULL);					\
	ASSERT_STREQ(got_, want);					\
	free(got_);							\
} while (0)

static const char DB[] = "[cluster]\ndatabase=host=/run/pg dbname=jobd\n";

TEST(cluster_keys)
{
	struct config *cfg = NULL;
	char *e;

	e = load("[cluster]\ndatabase=host=/run/pg dbname=jobd\nnode=web-1\n"
	    "lease=30s\ncluster=prod\n", &cfg);
	ASSERT_STREQ(e, "");
	free(e);
	ASSERT_STREQ(cfg->cluster.database, "host=/run/pg dbname=jobd");
	ASSERT_STREQ(cfg->cluster.node, "web-1");
	ASSERT_STREQ(cfg->cluster.name, "prod");
	ASSERT_EQ(cfg->cluster.lease, 30 * USEC_PER_SEC);
	config_free(cfg);
	/* Defaults: a 10s lease, the host name as node. */
	cfg = NULL;
	e = load(DB, &cfg);
	ASSERT_STREQ(e, "");
	free(e);
	ASSERT_EQ(cfg->cluster.lease, 10 * USEC_PER_SEC);
	ASSERT_NOT_NULL(cfg->cluster.node);
	ASSERT_NULL(cfg->cluster.name);
	config_free(cfg);
	/* Without [cluster]: off. */
	cfg = NULL;
	e = load("[job a]\ncommand=x\n", &cfg);
	free(e);
	ASSERT_NULL(cfg->cluster.database);
	config_free(cfg);
}

TEST(cluster_errors)
{
	ERR("[cluster]\nnode=a\n", "t.conf:1: [cluster] needs database=");
	ERR("[cluster]\ndatabase=\n", "t.conf:1: [cluster] needs database=\n"
	    "t.conf:2: database: empty value");
	ERR("[cluster]\ndatabase=x\nlease=1s\n", "t.conf:3: lease: invalid "
	    "lease '1s': from 3s to 1h");
	ERR("[cluster]\ndatabase=x\nlease=2h\n", "t.conf:3: lease: invalid "
	    "lease '2h': from 3s to 1h");
	ERR("[cluster]\ndatabase=x\nnode=-bad\n", "t.conf:3: node: invalid "
	    "name '-bad'");
	ERR("[cluster]\ndatabase=x\nport=5\n", "t.conf:3: unknown key 'port' "
	    "in [cluster]");
	ERR("[cluster]\ndatabase=x\n[cluster]\ndatabase=y\n",
	    "t.conf:3: section [cluster] given twice");
}

/* A password in database= only in a file nobody else may read. */
TEST(cluster_password)
{
	char dir[] = "/tmp/test-cluster-XXXXXX";
	_cleanup_(strv_freep) char **errors = NULL;
	_cleanup_free_ char *path = NULL, *got = NULL;
	static const char *const texts[] = {
		"[cluster]\ndatabase=host=db user=j password=s3cret\n",
		"[cluster]\ndatabase=host=db password = s3cret\n",
		"[cluster]\ndatabase=postgresql://j:s3cret@db/jobd\n",
	};
	struct config *cfg = NULL;
	size_t i;
	int fd;

	ASSERT_NOT_NULL(mkdtemp(dir));
	path = xstrfmt("%s/jobd.conf", dir);
	for (i = 0; i < ELEMENTSOF(texts); i++) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		ASSERT(fd >= 0);
		ASSERT_EQ(write(fd, texts[i], strlen(texts[i])),
		    (ssize_t)strlen(texts[i]));
		close(fd);
		ASSERT_OK(chmod(path, 0644));
		ASSERT_EQ(config_load(path, &cfg, &errors), -EINVAL);
		free(got);
		got = test_join_lines(errors);
		ASSERT_NOT_NULL(strstr(got, ":2: database: a password in a file "
		    "others may read (mode 644)"));
		errors = strv_free(errors);
		ASSERT_OK(chmod(path, 0600));
		ASSERT_OK(config_load(path, &cfg, &errors));
		cfg = config_free(cfg);
	}
	/* No password: any mode. */
	fd = open(path, O_WRONLY | O_TRUNC);
	ASSERT_EQ(write(fd, DB, strlen(DB)), (ssize_t)strlen(DB));
	close(fd);
	ASSERT_OK(chmod(path, 0644));
	ASSERT_OK(config_load(path, &cfg, &errors));
	config_free(cfg);
	unlink(path);
	rmdir(dir);
}

TEST(cluster_unit_keys)
{
	_cleanup_free_ char *text = NULL;
	struct config *cfg = NULL;
	struct job_config *j;
	char *e;

	text = xstrfmt("%s[semaphore db]\nlimit=2\nscope=cluster\n"
	    "[job a]\ncommand=x\nrun_on=any\nlock=l\nlock_scope=cluster\n"
	    "semaphore=db\n[job b]\ncommand=x\nrun_on=n1 n2\n"
	    "[job c]\ncommand=x\nrun_on=all\n", DB);
	e = load(text, &cfg);
	ASSERT_STREQ(e, "");
	free(e);
	j = config_find_job(cfg, "a");
	ASSERT_STREQ(j->run_on[0], "any");
	ASSERT(j->policy.locks_cluster);
	ASSERT(config_find_semaphore(cfg, "db")->cluster);
	ASSERT(config_runs_here(cfg, j));
	ASSERT(config_runs_here(cfg, config_find_job(cfg, "c")));
	ASSERT(!config_runs_here(cfg, config_find_job(cfg, "b")));
	config_free(cfg);
	ERR("[job a]\ncommand=x\nrun_on=any n1\n", "t.conf:3: run_on 'any' "
	    "goes alone, not with node names");
	ERR("[job a]\ncommand=x\nrun_on=\n", "t.conf:3: run_on: empty value: "
	    "expected any, all or node names");
	ERR("[job a]\ncommand=x\nrun_on=a/b\n", "t.conf:3: run_on: invalid "
	    "node name 'a/b'");
	ERR("[job a]\ncommand=x\nlock_scope=world\n", "t.conf:3: lock_scope: "
	    "invalid value 'world': expected local or cluster");
	/* Cluster-wide needs [cluster]. */
	ERR("[job a]\ncommand=x\nlock=l\nlock_scope=cluster\n", "t.conf:1: "
	    "job 'a': lock_scope=cluster needs a [cluster] section with database= in "
	    "the main file");
	ERR("[semaphore s]\nscope=cluster\n[job a]\ncommand=x\nsemaphore=s\n",
	    "t.conf:3: job 'a': semaphore s has scope=cluster, which needs a [cluster] "
	    "section with database= in the main file");
}

/* What nodes compare: the definitions, not [jobd] or [cluster]. */
TEST(definitions_hash)
{
	struct config *a = NULL, *b = NULL, *c = NULL;
	_cleanup_free_ char *t1 = xstrfmt("[jobd]\nmax_running=3\n%s"
	    "[job a]\ncommand=x\n", DB);
	_cleanup_free_ char *t2 = xstrfmt("[jobd]\nmax_running=9\n[cluster]\n"
	    "database=y\nnode=other\n[job a]\ncommand=x\n");
	_cleanup_free_ char *t3 = xstrfmt("%s[job a]\ncommand=y\n", DB);
	char *e;

	free(load(t1, &a));
	free(load(t2, &b));
	e = load(t3, &c);
	free(e);
	ASSERT(a->units_hash != 0);
	ASSERT_EQ(a->units_hash, b->units_hash);
	ASSERT(a->units_hash != c->units_hash);
	config_free(a);
	config_free(b);
	config_free(c);
}

static const struct test tests[] = {
	TEST_ENTRY(cluster_keys),
	TEST_ENTRY(cluster_errors),
	TEST_ENTRY(cluster_password),
	TEST_ENTRY(cluster_unit_keys),
	TEST_ENTRY(definitions_hash),
};

TEST_MAIN(tests)
