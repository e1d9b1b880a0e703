/* The state of one load, shared by the files that read the configuration:
 * config.c (the files, the result), config-read.c (lines for inih),
 * config-section.c (sections and keys) and config-error.c (errors).  Not
 * for other modules. */
#ifndef JOBD_CONFIG_LOAD_H
#define JOBD_CONFIG_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "config-internal.h"
#include "macro.h"
#include "xmalloc.h"

/* One error; sorted by file, then line, then the order it was found. */
struct config_error {
	unsigned file;
	unsigned line;
	size_t seq;
	char *msg;
};

/* One line the reader has handed inih as a token: a key and its raw
 * value, or (key NULL) a continuation of the previous value. */
struct config_entry {
	char *key;
	char *value;
	unsigned line;
	bool continuation;
};

/* One key=value of a [defaults] section, as written. */
struct config_default {
	char *key, *value, *file;
	unsigned line, fileno;
	bool reported;			/* its value failed: said once */
};

struct config_defaults {
	struct config_default *v;
	size_t n, cap;
};

enum parser_section {
	PARSER_NONE,			/* before the first section */
	PARSER_JOBD,
	PARSER_JOB,
	PARSER_SEMAPHORE,
	PARSER_ALERT,
	PARSER_DEFAULTS,
	PARSER_CLUSTER,
	PARSER_GROUP,
	PARSER_IGNORED,			/* a section already reported bad */
};

/* The state of one config_load: the config being built, the errors, and
 * the file being read (which inih passes back to the reader and handler). */
struct parser {
	struct config *cfg;
	char *dir;			/* the main file's directory */
	bool main;			/* reading the main file */

	struct config_error *errors;
	size_t nerrors, errors_cap;

	struct job_config **jobs;	/* kept jobs, in definition order */
	size_t njobs, jobs_cap;
	void *names;			/* tsearch tree of jobs by name */
	bool too_many;

	const char *file;
	unsigned fileno;
	dev_t main_dev;			/* the main file, so that an include */
	ino_t main_ino;			/* dir holding it skips it */
	FILE *f;
	const char *mem;		/* or a string being read */
	size_t memlen, mempos;
	unsigned lineno;
	int read_error;			/* -errno once reading failed */
	char line[CONFIG_MAX_LINE + 1];
	struct config_entry *entries;
	size_t nentries, entries_cap;
	bool prev_key;			/* a continuation would be valid */
	ssize_t pending;		/* key entry not yet applied, or -1 */

	enum parser_section section;
	char *title;			/* "jobd", "job NAME" */
	unsigned section_line;		/* its header's line */
	struct job_config *job;
	bool job_kept;
	size_t sem;			/* PARSER_SEMAPHORE: its index */
	size_t alert;			/* PARSER_ALERT: its index; p->job
					 * is its command's job */
	size_t group;			/* PARSER_GROUP: its index */
	size_t group_lined;		/* its units with a line so far */
	unsigned *seen;			/* per key: line given, 0 if not */
	/* [defaults]: [0] the main file's, [1] the current file's. */
	struct config_defaults defaults[2];
};

/* Makes room for one more element, doubling so that long files stay
 * linear (ASan's realloc always copies). */
static inline void *
grow(void *array, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return array;
	*cap = *cap ? *cap * 2 : 16;
	return xreallocarray(array, *cap, size);
}

/* config-error.c: an error at line of the file being read (0: the file
 * itself), as "file:line: msg"; and all of them, sorted, as a vector. */
void parser_error(struct parser *, unsigned line, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
char **parser_take_errors(struct parser *);

/* config-section.c: a section begins (title NULL for a malformed
 * header), the key pending is applied, the section ends. */
void parser_begin_section(struct parser *, const char *title,
    unsigned line);
void parser_flush(struct parser *);
/* config-cluster.c: [cluster] ends (database= given, and no password
 * in a file others may read). */
void parser_end_cluster(struct parser *, unsigned database_line);
void parser_end_section(struct parser *);
/* Orders two struct job_config by name. */
int parser_job_compare(const void *, const void *);

/* config-defaults.c: a key of [defaults] is kept; a [job] or [service]
 * that ends gets the defaults it did not set; a file's are dropped at its
 * end. */
void parser_defaults_key(struct parser *, const struct config_entry *);
void parser_defaults_apply(struct parser *);
void parser_defaults_clear(struct config_defaults *);

/* config-group.c: [group NAME] begins, a units= line was parsed (its
 * new names get that line), the section ends; once every file is read,
 * the groups are checked against the units, which learn their groups. */
void parser_begin_group(struct parser *, const char *name, unsigned line);
void parser_group_units(struct parser *, unsigned line);
void parser_end_group(struct parser *);
void parser_check_groups(struct parser *);

/* config-read.c: reads one file (p->f) or string (p->mem) through inih;
 * errors go to the parser. */
void parser_run(struct parser *, const char *file);

#endif
