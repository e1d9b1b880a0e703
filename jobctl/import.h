/* jobctl import: one conf.d file written from another tool's files
 * (a crontab, supervisord.conf, systemd units).  Each importer reads its
 * source and describes what it became through struct import_out; every
 * source line is either mapped (kept as a comment above what it became)
 * or listed at the top as not mapped, with the reason.  import.c owns
 * the verb, import-out.c the writing, import-names.c names and quoting. */
#ifndef JOBCTL_IMPORT_H
#define JOBCTL_IMPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "macro.h"

struct ctx;
struct import_out;

/* What the importer was asked for (jobctl's options). */
struct import_args {
	char **files;		/* FILE... ("-": stdin) */
	const char *user;	/* --user NAME, or NULL */
	bool system;		/* --system: /etc/crontab format */
};

/* An importer: fills out from args; returns 0, or -1 after printing
 * "jobctl: import: ..." for a source it cannot read at all (a missing
 * file).  A line it does not understand is not an error: it is listed
 * with import_unmapped(). */
typedef int (*import_fn)(const struct import_args *, struct import_out *);

int import_crontab(const struct import_args *, struct import_out *);
int import_supervisord(const struct import_args *, struct import_out *);
int import_systemd(const struct import_args *, struct import_out *);

/* The verb: jobctl import KIND FILE... [-o FILE] [--user U] [--system]. */
int import_verb(struct ctx *);

/* import-out.c: the file being built. */
struct import_out *import_out_new(void);
void import_out_free(struct import_out *);
/* A line of the header (what was read, how): "# TEXT". */
void import_header(struct import_out *, const char *fmt, ...)
    PRINTF_LIKE(2, 3);
/* A source line that is not mapped, and why; listed at the top. */
void import_unmapped(struct import_out *, const char *file, unsigned line,
    const char *text, const char *reason_fmt, ...) PRINTF_LIKE(5, 6);
/* The source line(s) what follows comes from: written as
 * "# FILE:LINE: TEXT" just before the next section or key. */
void import_origin(struct import_out *, const char *file, unsigned line,
    const char *text);
/* Starts a section: import_section(o, "job %s", name) gives "[job NAME]".
 * Sections are written in the order they were begun. */
void import_section(struct import_out *, const char *fmt, ...)
    PRINTF_LIKE(2, 3);
/* key=VALUE in the current section.  A value with a newline is a bug of
 * the importer (jobd's values are one line): it aborts. */
void import_key(struct import_out *, const char *key, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
/* "# TEXT" in the current section, for what differs from the source. */
void import_note(struct import_out *, const char *fmt, ...)
    PRINTF_LIKE(2, 3);
/* Writes the file: the header, the unmapped lines, the sections; to
 * stdout when path is NULL or "-", else to path (replaced atomically).
 * Returns 0, or -1 after printing why. */
int import_out_write(struct import_out *, const char *path);
/* The same text to f: 0, or -1 when writing failed. */
int import_out_print(struct import_out *, FILE *f);

/* import-names.c: unit names and values in jobd's syntax. */
struct import_names;
struct import_names *import_names_new(void);
void import_names_free(struct import_names *);
/* A unit name made from want: characters jobd does not take become '-',
 * at most 64 characters, unique among the names given out so far (want,
 * want-2, want-3, ... in the order asked); never NULL. */
char *import_name(struct import_names *, const char *want);
/* Whether s is a valid jobd unit name as it is. */
bool import_name_valid(const char *s);
/* One word in jobd's words syntax ("words" values: command=,
 * environment=): as is when it needs no quoting, else in '...' with each
 * ' written '\''. */
char *import_quote_word(const char *s);
/* Words joined with spaces, each quoted as import_quote_word does. */
char *import_quote_words(char *const *v);

#endif
