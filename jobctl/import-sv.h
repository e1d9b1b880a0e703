/* jobctl import supervisord, its parts: the reader of supervisord's ini
 * dialect (import-sv-ini.c: Python's RawConfigParser as supervisord sets
 * it up), its value syntax (import-sv-values.c: %(name)s expansions,
 * environment= pairs, command words, booleans, sizes), a [program:x]'s
 * processes (import-sv-program.c), its keys (import-sv-keys.c) and its
 * log keys (import-sv-output.c); import-supervisord.c reads the files
 * and maps the other sections.  Not for the rest of jobctl. */
#ifndef JOBCTL_IMPORT_SV_H
#define JOBCTL_IMPORT_SV_H

#include <stdbool.h>
#include <stddef.h>

#include "import.h"
#include "macro.h"

/* One key of a section: its value as supervisord reads it (continuation
 * lines joined with '\n', inline comments gone), and the physical lines
 * it was written on. */
struct sv_key {
	char *name;		/* lower case, as ConfigParser's optionxform */
	char *value;
	const char *file;	/* where it is (a merged section's keys may
				 * be in several files) */
	char **raw;		/* the key's line, then its continuations */
	unsigned *lines;	/* their numbers */
	size_t nraw;
	bool done;		/* mapped or listed */
};

/* One [section]; a second header with the same name adds to it, as
 * supervisord (strict=False) merges them. */
struct sv_section {
	char *name;		/* between the brackets, as written */
	const char *file;	/* one of sv_conf's files */
	char *here;		/* that file's directory, for %(here)s */
	unsigned line;
	char *raw;		/* the header line */
	bool main;		/* in a file named on the command line */
	struct sv_key *keys;
	size_t nkeys;
};

/* What a [program:x] became: its processes' service names. */
struct sv_program {
	struct sv_section *s;
	char *name;		/* x */
	char *group;		/* the [group:g] it is in (%(group_name)s) */
	char **units;		/* service names, one per process */
	long first;		/* numprocs_start */
	bool failed;		/* listed as not mapped as a whole */
};

struct sv_conf {
	struct sv_section *sections;	/* in the order first read */
	size_t nsections;
	char **files;		/* read so far; sections point into it */
	struct import_out *o;
	struct import_names *names;
	struct sv_program *programs;
	size_t nprograms;
	char **env;		/* [supervisord] environment=, as ENV_ */
	bool quiet;		/* a program's later processes: origins and
				 * unmapped keys were written for the first */
};

/* import-sv-ini.c: reads path (or "-": stdin) into c's sections.
 * Returns 0, or -errno when it cannot be read at all (nothing said). */
int sv_read_file(struct sv_conf *c, const char *path, bool main);
void sv_conf_free(struct sv_conf *c);
/* The section named name, or NULL. */
struct sv_section *sv_section_find(struct sv_conf *c, const char *name);
/* The key of s named name (lower case), or NULL. */
struct sv_key *sv_key_find(struct sv_section *s, const char *name);
/* "# FILE:LINE: TEXT" for each of the key's lines, above what follows. */
void sv_origin(struct sv_conf *c, struct sv_section *s, struct sv_key *k);
/* The key listed as not mapped (each of its lines), marked done. */
void sv_unmapped(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *fmt, ...) PRINTF_LIKE(4, 5);
/* The header and every key not yet done listed, with why. */
void sv_section_unmapped(struct sv_conf *c, struct sv_section *s,
    const char *why);

/* import-sv-values.c. */
/* What %(name)s may name, besides ENV_X. */
struct sv_exp {
	const char *here, *program_name, *group_name, *host_node_name;
	long process_num, numprocs;
	bool process;		/* process_num and numprocs are set */
	char **program_env;	/* [program:x] environment=: ENV_ first */
	char **env;		/* [supervisord] environment= */
	char ***from_environ;	/* NULL, or where to add the names of
				 * ENV_X taken from jobctl's environment */
};
/* s % expansions as Python does it; NULL with *why when supervisord
 * would refuse it (an unknown name, a lone '%'). */
char *sv_expand(const char *s, const struct sv_exp *e, char **why);
/* environment= (KEY=val,KEY2="v 2") as supervisord's
 * dict_of_key_value_pairs reads it: "KEY=VALUE" strings, later keys
 * replacing earlier ones; NULL with *why. */
char **sv_env_pairs(const char *s, char **why);
/* A command split as Python's shlex.split; NULL with *why. */
char **sv_split_command(const char *s, char **why);
/* "a, b,c" as supervisord's list_of_strings: split at ',', each
 * stripped (empty: none). */
char **sv_list(const char *s);
/* yes/true/on/1, no/false/off/0 in any case: 1, 0, or -1. */
int sv_bool(const char *s);
/* A whole number as Python's int() reads it; false when not one. */
bool sv_int(const char *s, long *ret);
/* 50MB, 1KB, 1024 (supervisord's byte_size); false when not one. */
bool sv_bytes(const char *s, long long *ret);

/* import-sv-program.c: names first (every program, so that groups and
 * later names know them), then each program's services. */
void sv_programs_name(struct sv_conf *c);
void sv_program_map(struct sv_conf *c, struct sv_program *p);
/* The process names' group: [group g] for a program whose numprocs > 1
 * and which no [group:x] takes (supervisorctl's "x:*"). */
void sv_program_group(struct sv_conf *c, struct sv_program *p);

/* import-sv-keys.c: one key of a [program:x] mapped into the service
 * being written (the log keys go to sv_output_map()). */
void sv_program_key(struct sv_conf *c, struct sv_section *s,
    struct sv_key *k, const struct sv_exp *e);
/* Writes key=value with the key's origins, or lists it when the value
 * would not fit one line (a newline in it). */
void sv_put(struct sv_conf *c, struct sv_section *s, struct sv_key *k,
    const char *key, const char *value);

/* import-sv-output.c: the log keys of one process, mapped together at
 * the first of them; first: write the origins and list what is not
 * mapped (the first process of a program). */
void sv_output_map(struct sv_conf *c, struct sv_section *s,
    const struct sv_exp *e, bool first);
/* Whether a key is one sv_output_map() handles. */
bool sv_output_key(const char *name);

#endif
