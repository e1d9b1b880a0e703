/* A program's log keys (stdout_logfile, stderr_logfile, redirect_stderr,
 * their _maxbytes, _backups and _syslog) mapped together: supervisord
 * keeps a file per stream, jobd one destination for both (output=
 * journal, file, inherit or null).  The stream that has somewhere to go
 * decides (stdout's first); /dev/stdout and /dev/stderr, as containers
 * use them, are jobd's own (inherit); a file gets supervisord's rotation
 * (50MB, 10 backups) unless the keys say otherwise.  Notes say what
 * differs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import-sv.h"
#include "xmalloc.h"

enum dest {
	DEST_AUTO,		/* not given: supervisord's own file */
	DEST_AUTO_GIVEN,	/* AUTO written */
	DEST_NONE,
	DEST_SYSLOG,
	DEST_INHERIT,		/* /dev/stdout, /dev/stderr, /dev/fd/1-2 */
	DEST_FILE,
	DEST_BAD,		/* not a path jobd takes */
};

static const char *const log_keys[] = {
	"stdout_logfile", "stderr_logfile", "redirect_stderr",
	"stdout_logfile_maxbytes", "stdout_logfile_backups",
	"stderr_logfile_maxbytes", "stderr_logfile_backups",
	"stdout_syslog", "stderr_syslog",
};

bool
sv_output_key(const char *name)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(log_keys); i++)
		if (!strcmp(log_keys[i], name))
			return true;
	return false;
}

struct outmap {
	struct sv_conf *c;
	struct sv_section *s;
	const struct sv_exp *e;
	char *path[2];		/* the expanded logfile values */
	enum dest dest[2];
	int redirect;		/* -1: bad value */
	int syslog[2];
};

/* The key's value expanded, or NULL (absent, or listed as bad). */
static char *
value_of(struct outmap *m, const char *name)
{
	struct sv_key *k = sv_key_find(m->s, name);
	char *v, *why = NULL;

	if (!k)
		return NULL;
	if (!(v = sv_expand(k->value, m->e, &why))) {
		sv_unmapped(m->c, m->s, k, "%s", why);
		free(why);
	}
	return v;
}

static enum dest
classify(const char *v)
{
	static const char *const mine[] = { "/dev/stdout", "/dev/stderr",
	    "/dev/fd/1", "/dev/fd/2" };
	size_t i;

	if (!v)
		return DEST_AUTO;
	if (!strcasecmp(v, "none") || !strcasecmp(v, "off") ||
	    !strcmp(v, "/dev/null"))
		return DEST_NONE;
	if (!strcasecmp(v, "auto"))
		return DEST_AUTO_GIVEN;
	if (!strcasecmp(v, "syslog"))
		return DEST_SYSLOG;
	for (i = 0; i < ELEMENTSOF(mine); i++)
		if (!strcmp(v, mine[i]))
			return DEST_INHERIT;
	return v[0] == '/' && !strchr(v, '\n') ? DEST_FILE : DEST_BAD;
}

static void
read_keys(struct outmap *m)
{
	static const char *const names[2][2] = {
		{ "stdout_logfile", "stdout_syslog" },
		{ "stderr_logfile", "stderr_syslog" },
	};
	char *v;
	int i;

	v = value_of(m, "redirect_stderr");
	m->redirect = v ? sv_bool(v) : 0;
	free(v);
	for (i = 0; i < 2; i++) {
		m->path[i] = value_of(m, names[i][0]);
		m->dest[i] = classify(m->path[i]);
		v = value_of(m, names[i][1]);
		m->syslog[i] = v ? sv_bool(v) : 0;
		free(v);
	}
	if (m->redirect == 1) {
		free(m->path[1]);
		m->path[1] = m->path[0] ? xstrdup(m->path[0]) : NULL;
		m->dest[1] = m->dest[0];
		m->syslog[1] = m->syslog[0];
	}
}

/* Whether a _maxbytes or _backups key (expanded) reads. */
static bool
rotation_ok(struct outmap *m, struct sv_key *k)
{
	_cleanup_free_ char *v = value_of(m, k->name);
	long long max;
	long keep;

	if (!v)
		return !k->done;
	if (strstr(k->name, "_maxbytes"))
		return sv_bytes(v, &max);
	return sv_int(v, &keep) && keep >= 0 && keep <= 1000000;
}

/* Origins of every log key the program has; a bad one listed. */
static void
origins(struct outmap *m)
{
	struct sv_key *k;
	size_t i;

	for (i = 0; i < ELEMENTSOF(log_keys); i++) {
		if (!(k = sv_key_find(m->s, log_keys[i])) || k->done)
			continue;
		if ((strstr(k->name, "_maxbytes") || strstr(k->name,
		    "_backups")) && !rotation_ok(m, k)) {
			if (!k->done)
				sv_unmapped(m->c, m->s, k, "not %s: "
				    "supervisord refuses it", strstr(k->name,
				    "_maxbytes") ? "a size (50MB, 1KB, 1024)" :
				    "a whole number");
		} else if (k->done)
			continue;
		else if ((!strcmp(k->name, "redirect_stderr") &&
		    m->redirect < 0) ||
		    (strstr(k->name, "_syslog") && m->syslog[k->name[3] ==
		    'e'] < 0))
			sv_unmapped(m->c, m->s, k, "not a boolean: supervisord "
			    "refuses it");
		else if (!strcmp(k->name + 6, "_logfile") &&
		    m->dest[k->name[3] == 'e'] == DEST_BAD)
			sv_unmapped(m->c, m->s, k, "not an absolute path");
		else
			sv_origin(m->c, m->s, k);
	}
}

/* Rotation of the file of stream i: supervisord's 50MB and 10 backups
 * unless its keys say otherwise. */
static void
rotation(struct outmap *m, int i)
{
	const char *names[2][2] = {
		{ "stdout_logfile_maxbytes", "stdout_logfile_backups" },
		{ "stderr_logfile_maxbytes", "stderr_logfile_backups" },
	};
	long long max = 50LL * 1024 * 1024;
	long keep = 10;
	char *v;

	if ((v = value_of(m, names[i][0])) && !sv_bytes(v, &max))
		max = 50LL * 1024 * 1024;
	free(v);
	if ((v = value_of(m, names[i][1])) && (!sv_int(v, &keep) ||
	    keep < 0 || keep > 1000000))
		keep = 10;
	free(v);
	import_key(m->c->o, "output_file_max", "%lld", max);
	import_key(m->c->o, "output_file_keep", "%ld", keep);
}

/* Which stream decides: the first with somewhere to go. */
static int
primary(const struct outmap *m)
{
	if (m->dest[0] == DEST_NONE && m->dest[1] != DEST_NONE)
		return 1;
	return 0;
}

static void
note(struct outmap *m, const char *text)
{
	if (!m->c->quiet)
		import_note(m->c->o, "%s", text);
}

void
sv_output_map(struct sv_conf *c, struct sv_section *s,
    const struct sv_exp *e, bool first)
{
	struct outmap m = { .c = c, .s = s, .e = e };
	int p;

	(void)first;
	read_keys(&m);
	origins(&m);
	p = primary(&m);
	if (m.syslog[0] == 1 || m.syslog[1] == 1 || m.dest[p] == DEST_SYSLOG) {
		import_key(c->o, "output", "journal");
		note(&m, "syslog: jobd's journal (one entry per line)");
	} else if (m.dest[p] == DEST_INHERIT) {
		import_key(c->o, "output", "inherit");
		note(&m, "jobd's own stdout and stderr (no tail for jobctl "
		    "logs)");
	} else if (m.dest[p] == DEST_FILE) {
		import_key(c->o, "output", "file");
		import_key(c->o, "output_file", "%s", m.path[p]);
		rotation(&m, p);
	} else if (m.dest[p] == DEST_AUTO_GIVEN || (m.dest[p] == DEST_AUTO &&
	    m.dest[!p] == DEST_AUTO_GIVEN)) {
		import_key(c->o, "output", "file");
		note(&m, "AUTO: jobd's file, STATE_DIR/logs/NAME.log");
		rotation(&m, p);
	} else if (m.dest[0] == DEST_NONE && m.dest[1] == DEST_NONE) {
		import_key(c->o, "output", "null");
	} else {
		note(&m, "jobd's journal, with the tail for jobctl logs");
	}
	if (m.dest[0] != m.dest[1] || (m.dest[0] == DEST_FILE &&
	    strcmp(m.path[0], m.path[1])))
		note(&m, "stdout and stderr go to one place in jobd (jobctl "
		    "logs tells them apart)");
	free(m.path[0]);
	free(m.path[1]);
}
