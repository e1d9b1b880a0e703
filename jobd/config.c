/* Loading the configuration: the main file, the include directory, sections
 * and error collection, and the lifetime of struct config.  inih routes the
 * lines, but our reader reads the physical lines itself and hands inih only
 * tokens, so values may be long and hold ';' and '#' (see parser_reader).
 * What a key means lives in config-keys.c. */
#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <search.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config-internal.h"
#include "tz.h"
#include "strv.h"
#include "xmalloc.h"

#define CONFIG_DEFAULT_DRAIN_TIMEOUT (5 * USEC_PER_SEC)

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

enum parser_section {
	PARSER_NONE,			/* before the first section */
	PARSER_JOBD,
	PARSER_JOB,
	PARSER_SEMAPHORE,
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
	struct job_config *job;
	bool job_kept;
	size_t sem;			/* PARSER_SEMAPHORE: its index */
	unsigned *seen;			/* per key: line given, 0 if not */
};

static void parser_error(struct parser *, unsigned, const char *, ...)
    PRINTF_LIKE(3, 4);

/* Makes room for one more element, doubling so that long files stay
 * linear (ASan's realloc always copies). */
static void *
grow(void *array, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return array;
	*cap = *cap ? *cap * 2 : 16;
	return xreallocarray(array, *cap, size);
}

static void
parser_error(struct parser *p, unsigned line, const char *fmt, ...)
{
	struct config_error *e;
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	p->errors = grow(p->errors, p->nerrors, &p->errors_cap,
	    sizeof(*p->errors));
	e = &p->errors[p->nerrors];
	*e = (struct config_error){ .file = p->fileno, .line = line,
	    .seq = p->nerrors };
	if (line > 0)
		e->msg = xstrfmt("%s:%u: %s", p->file, line, msg);
	else
		e->msg = xstrfmt("%s: %s", p->file, msg);
	p->nerrors++;
}

static int
error_compare(const void *a, const void *b)
{
	const struct config_error *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Hands the errors on as a vector in file and line order. */
static char **
parser_take_errors(struct parser *p)
{
	char **l;
	size_t i;

	qsort(p->errors, p->nerrors, sizeof(*p->errors), error_compare);
	l = xcalloc(p->nerrors + 1, sizeof(*l));
	for (i = 0; i < p->nerrors; i++)
		l[i] = p->errors[i].msg;
	free(p->errors);
	p->errors = NULL;
	p->nerrors = p->errors_cap = 0;
	return l;
}

static int
job_compare(const void *a, const void *b)
{
	const struct job_config *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int
jobs_compare(const void *a, const void *b)
{
	return job_compare(*(struct job_config *const *)a,
	    *(struct job_config *const *)b);
}

/* Applies one key and its (possibly continued) value to the section. */
static void
parser_apply(struct parser *p, const struct config_entry *e)
{
	const struct config_key *key;
	_cleanup_free_ char *cause = NULL;
	char *base;
	size_t i;

	if (p->section == PARSER_IGNORED)
		return;
	if (p->section == PARSER_NONE) {
		parser_error(p, e->line, "key '%s' outside of a section",
		    e->key);
		return;
	}
	key = config_key_find(p->section == PARSER_JOBD ? CONFIG_SECTION_JOBD :
	    p->section == PARSER_SEMAPHORE ? CONFIG_SECTION_SEMAPHORE :
	    p->job->service ? CONFIG_SECTION_SERVICE : CONFIG_SECTION_JOB,
	    e->key);
	if (!key) {
		parser_error(p, e->line, "unknown key '%s' in [%s]", e->key,
		    p->title);
		return;
	}
	i = (size_t)(key - config_keys);
	if (p->seen[i] && !key->repeatable) {
		parser_error(p, e->line, "duplicate key '%s' in [%s], first "
		    "given at line %u", e->key, p->title, p->seen[i]);
		return;
	}
	p->seen[i] = e->line;
	base = p->section == PARSER_JOBD ? (char *)p->cfg :
	    p->section == PARSER_SEMAPHORE ?
	    (char *)&p->cfg->semaphores[p->sem] : (char *)p->job;
	if (key->parse(e->value, base + key->offset, p->dir, &cause) < 0)
		/* "schedule 'EXPR': why" reads better than "schedule: ...". */
		parser_error(p, e->line, "%s%s%s", key->name,
		    cause[0] == '\'' ? " " : ": ", cause);
}

static void
parser_flush(struct parser *p)
{
	if (p->pending >= 0)
		parser_apply(p, &p->entries[p->pending]);
	p->pending = -1;
}

static unsigned
parser_seen(struct parser *p, enum config_section section, const char *name)
{
	return p->seen[config_key_find(section, name) - config_keys];
}

/* Finishes a job section: a job needs command=, and only now is shell=
 * known, whichever order the two keys came in. */
static void
parser_end_job(struct parser *p)
{
	struct job_config *job = p->job;
	_cleanup_free_ char *cause = NULL;

	if (!job->command_line) {
		/* An empty command= was reported already. */
		if (!parser_seen(p, CONFIG_SECTION_JOB, "command"))
			parser_error(p, job->line, "%s '%s' has no command",
			    job->service ? "service" : "job", job->name);
	} else if (config_job_build_command(job, &cause) < 0)
		parser_error(p, parser_seen(p, CONFIG_SECTION_JOB, "command"),
		    "command: %s", cause);
	if (!p->job_kept)
		job_config_free(job);
	p->job = NULL;
}

static void
parser_end_section(struct parser *p)
{
	size_t i;

	parser_flush(p);
	if (p->section == PARSER_JOB)
		parser_end_job(p);
	for (i = 0; i < config_nkeys; i++)
		if (config_keys[i].section & (CONFIG_SECTION_UNIT |
		    CONFIG_SECTION_SEMAPHORE))
			p->seen[i] = 0;
	free(p->title);
	p->title = NULL;
	p->section = PARSER_NONE;
}

static void
parser_begin_job(struct parser *p, const char *name, unsigned line,
    bool service)
{
	_cleanup_free_ char *cause = NULL;
	struct job_config *job, **found;

	job = job_config_new(name, p->file, line, service);
	p->job_kept = false;
	if (config_job_name_check(name, &cause) < 0)
		parser_error(p, line, "%s", cause);
	else if ((found = tfind(job, &p->names, job_compare)))
		parser_error(p, line, "%s '%s' already defined at %s:%u",
		    (*found)->service ? "service" : "job", name,
		    (*found)->file, (*found)->line);
	else if (p->njobs >= CONFIG_MAX_JOBS) {
		if (!p->too_many)
			parser_error(p, line, "too many jobs (max %d)",
			    CONFIG_MAX_JOBS);
		p->too_many = true;
	} else {
		if (!tsearch(job, &p->names, job_compare))
			abort();
		p->jobs = grow(p->jobs, p->njobs, &p->jobs_cap,
		    sizeof(*p->jobs));
		p->jobs[p->njobs++] = job;
		p->job_kept = true;
	}
	/* A rejected job is still read, so its keys are checked too. */
	p->job = job;
	p->title = xstrfmt("%s %s", service ? "service" : "job", name);
	p->section = PARSER_JOB;
}

/* [semaphore NAME]: limit= defaults to 1 (a lock by another name). */
static void
parser_begin_semaphore(struct parser *p, const char *name, unsigned line)
{
	struct config *c = p->cfg;
	_cleanup_free_ char *cause = NULL;
	const struct config_semaphore *old;

	if (config_job_name_check(name, &cause) < 0) {
		parser_error(p, line, "%s", cause);
		return;
	}
	if ((old = config_find_semaphore(c, name))) {
		parser_error(p, line, "semaphore '%s' already defined at %s:%u",
		    name, old->file, old->line);
		return;
	}
	if (c->nsemaphores >= CONFIG_MAX_SEMAPHORES) {
		parser_error(p, line, "too many semaphores (max %d)",
		    CONFIG_MAX_SEMAPHORES);
		return;
	}
	c->semaphores = xreallocarray(c->semaphores, c->nsemaphores + 1,
	    sizeof(*c->semaphores));
	c->semaphores[c->nsemaphores] = (struct config_semaphore){
		.name = xstrdup(name), .limit = 1, .file = xstrdup(p->file),
		.line = line,
	};
	p->sem = c->nsemaphores++;
	p->title = xstrfmt("semaphore %s", name);
	p->section = PARSER_SEMAPHORE;
}

/* "job NAME" or "service NAME": moves *title to NAME. */
static bool
parser_unit_title(const char **title, const char *kind)
{
	size_t n = strlen(kind);

	if (strncmp(*title, kind, n) ||
	    ((*title)[n] && !isspace((unsigned char)(*title)[n])))
		return false;
	*title += n;
	while (isspace((unsigned char)**title))
		(*title)++;
	return true;
}

/* Starts a section; title NULL for a malformed header. */
static void
parser_begin_section(struct parser *p, const char *title, unsigned line)
{
	parser_end_section(p);
	p->section = PARSER_IGNORED;
	if (!title)
		return;
	if (parser_unit_title(&title, "job"))
		parser_begin_job(p, title, line, false);
	else if (parser_unit_title(&title, "service"))
		parser_begin_job(p, title, line, true);
	else if (parser_unit_title(&title, "semaphore"))
		parser_begin_semaphore(p, title, line);
	else if (strcmp(title, "jobd") != 0)
		parser_error(p, line, "unknown section '%s'", title);
	else if (!p->main)
		parser_error(p, line, "section [jobd] is only allowed in "
		    "the main file");
	else {
		p->title = xstrdup(title);
		p->section = PARSER_JOBD;
	}
}

static size_t
parser_add_entry(struct parser *p, const char *key, const char *value,
    bool continuation)
{
	struct config_entry *e;

	p->entries = grow(p->entries, p->nentries, &p->entries_cap,
	    sizeof(*p->entries));
	e = &p->entries[p->nentries];
	*e = (struct config_entry){
		.key = key ? xstrdup(key) : NULL,
		.value = xstrdup(value),
		.line = p->lineno,
		.continuation = continuation,
	};
	return p->nentries++;
}

static char *
strip(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

/* Keys inih can carry unchanged (it would cut long names and split at
 * ':'); the handler takes the real key from the entry anyway. */
static const char *
plain_key(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > 40 || key[strspn(key, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")] != '\0')
		return "?";
	return key;
}

/* "[title]", optionally followed by a comment. */
static bool
parser_section_line(struct parser *p, char *s, char *out, size_t size)
{
	char *end = strchr(s, ']'), *rest;

	rest = end ? end + 1 + strspn(end + 1, " \t") : NULL;
	if (!end || (*rest && *rest != '#' && *rest != ';')) {
		parser_error(p, p->lineno, "invalid section header '%s'", s);
		parser_begin_section(p, NULL, p->lineno);
		p->prev_key = false;
		return false;
	}
	*end = '\0';
	parser_begin_section(p, strip(s + 1), p->lineno);
	p->prev_key = false;
	/* The section is ours already; inih only needs to know that a
	 * new one began (it ends continuations), and would cut long
	 * names. */
	snprintf(out, size, "[s]\n");
	return true;
}

/* Turns one physical line into what inih sees, or returns false when
 * inih need not see it (blank, comment, or an error already reported). */
static bool
parser_line(struct parser *p, char *out, size_t size)
{
	char *s = p->line, *eq;
	bool indented;
	size_t idx;

	if (p->lineno == 1 && !strncmp(s, "\xEF\xBB\xBF", 3))
		s += 3;
	indented = isspace((unsigned char)*s);
	s = strip(s);
	if (!*s || *s == '#' || *s == ';')
		return false;
	if (indented && p->prev_key) {
		/* inih calls the handler again with the previous key. */
		idx = parser_add_entry(p, NULL, s, true);
		snprintf(out, size, " \x01%zu\n", idx);
		return true;
	}
	if (*s == '[')
		return parser_section_line(p, s, out, size);
	eq = strchr(s, '=');
	if (!eq) {
		parser_error(p, p->lineno, "invalid line '%s': expected "
		    "'key = value' or '[section]'", s);
		return false;
	}
	*eq = '\0';
	idx = parser_add_entry(p, strip(s), strip(eq + 1), false);
	p->prev_key = true;
	snprintf(out, size, "%s=\x01%zu\n", plain_key(p->entries[idx].key),
	    idx);
	return true;
}

static int
parser_getc(struct parser *p)
{
	if (p->f)
		return getc_unlocked(p->f);
	if (p->mempos >= p->memlen)
		return EOF;
	return (unsigned char)p->mem[p->mempos++];
}

/* Reads one physical line into p->line without its newline.  Returns 1,
 * 0 at the end, -E2BIG for a line over CONFIG_MAX_LINE bytes (read past),
 * -EBADMSG for a NUL byte, or -errno on a read error. */
static int
parser_read_line(struct parser *p)
{
	size_t n = 0;
	bool nul = false;
	int c;

	while ((c = parser_getc(p)) != EOF && c != '\n') {
		if (n < CONFIG_MAX_LINE)
			p->line[n] = (char)c;
		nul |= c == '\0';
		n++;
	}
	if (c == EOF && p->f && ferror(p->f))
		return errno > 0 ? -errno : -EIO;
	if (c == EOF && n == 0)
		return 0;
	p->lineno++;
	if (n > CONFIG_MAX_LINE)
		return -E2BIG;
	p->line[n] = '\0';
	return nul ? -EBADMSG : 1;
}

static char *
parser_reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	int r;

	for (;;) {
		r = parser_read_line(p);
		if (r == 0)
			return NULL;
		if (r == -E2BIG)
			parser_error(p, p->lineno, "line too long (max %d "
			    "bytes)", CONFIG_MAX_LINE);
		else if (r == -EBADMSG)
			parser_error(p, p->lineno, "line contains a NUL byte");
		else if (r < 0) {
			parser_error(p, 0, "%s", strerror(-r));
			p->read_error = r;
			return NULL;
		} else if (parser_line(p, str, (size_t)num))
			return str;
	}
}

/* Maps the token "\x01N" back to its entry. */
static struct config_entry *
parser_entry(struct parser *p, const char *token)
{
	char *end;
	unsigned long idx;

	if (token[0] != '\x01')
		return NULL;
	idx = strtoul(token + 1, &end, 10);
	if (*end || idx >= p->nentries)
		return NULL;
	return &p->entries[idx];
}

static int
parser_handler(void *user, const char *section UNUSED,
    const char *name UNUSED, const char *value)
{
	struct parser *p = user;
	struct config_entry *e, *prev;
	char *joined;

	e = parser_entry(p, value);
	assert(e);
	if (e->continuation) {
		if (p->pending < 0)
			return 1;
		prev = &p->entries[p->pending];
		joined = xstrfmt("%s %s", prev->value, e->value);
		free(prev->value);
		prev->value = joined;
		return 1;
	}
	/* The previous key is complete now that another one started. */
	parser_flush(p);
	p->pending = e - p->entries;
	return 1;
}

/* Reads one file or string through inih; errors go to the parser. */
static void
parser_run(struct parser *p, const char *file)
{
	size_t i;
	int r;

	p->file = file;
	p->lineno = 0;
	p->prev_key = false;
	p->pending = -1;
	r = ini_parse_stream(parser_reader, p, parser_handler, p);
	if (r != 0)
		parser_error(p, r > 0 ? (unsigned)r : 0, "ini parser failed");
	parser_end_section(p);
	for (i = 0; i < p->nentries; i++) {
		free(p->entries[i].key);
		free(p->entries[i].value);
	}
	free(p->entries);
	p->entries = NULL;
	p->nentries = p->entries_cap = 0;
	p->fileno++;
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
	free(p->dir);
	if (p->njobs > 0)
		qsort(p->jobs, p->njobs, sizeof(*p->jobs), jobs_compare);
	config_check_deps(p->jobs, p->njobs, parser_dep_error, p);
	config_check_policy(p->cfg, p->jobs, p->njobs, parser_dep_error, p);
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
