/* jobctl import systemd, inside: a unit file read into its directives
 * (import-sd-read.c), systemd's value syntax (import-sd-value.c: quoting,
 * specifiers, time spans), and the mapping of each directive onto jobd's
 * keys (import-sd-timer.c, import-sd-exec.c, import-sd-service.c,
 * import-sd-unit.c, with the reasons for what is not mapped in
 * import-sd-table.c).  import-systemd.c pairs timers with services. */
#ifndef JOBCTL_IMPORT_SD_H
#define JOBCTL_IMPORT_SD_H

#include <stdbool.h>
#include <stddef.h>

#include "import.h"
#include "macro.h"
#include "timeutil.h"

/* One directive of a unit file (a KEY=VALUE line, continuation lines
 * joined), or a line that is not one. */
struct sd_line {
	const char *file;	/* the unit's path, as shown */
	unsigned line;
	char *text;		/* the source text, for comments */
	char *section;		/* "Timer", "Service", ...; NULL before any */
	char *key;		/* NULL: not KEY=VALUE */
	char *value;		/* raw: quotes and specifiers as written */
	bool done;		/* mapped, or listed as not mapped */
};

struct sd_unit {
	char *path;
	char *name;		/* fstrim.timer, foo@bar.service */
	char *type;		/* "timer", "service" */
	char *prefix;		/* %p: the name before '@' or the suffix */
	char *instance;		/* %i: after '@', NULL for no instance */
	char **dropins;		/* the .conf files of NAME.d read after it */
	bool system_dirs;	/* found in systemd's unit directories */
	struct sd_line *lines;
	size_t n;
};

/* import-sd-read.c */
/* Reads path (shown as shown) as unit name; returns NULL after printing
 * "jobctl: import: PATH: ..." when the file cannot be read. */
struct sd_unit *sd_unit_read(const char *path, const char *shown,
    const char *name);
struct sd_unit *sd_unit_free(struct sd_unit *);
/* Reads the drop-ins of u (the .conf files of DIR/NAME.d, and for an
 * instance its template's) from each directory, in systemd's order: a file masks one of
 * the same name in a later directory, and all are read sorted by name, so
 * that their directives come after the unit's own.  Returns 0, or -1
 * after printing why one cannot be read. */
int sd_unit_read_dropins(struct sd_unit *, const char *const *dirs);
/* The last directive KEY in SECTION, or NULL. */
struct sd_line *sd_unit_find(struct sd_unit *, const char *section,
    const char *key);

/* What is being built: one [job NAME] or [service NAME] from a timer
 * (may be NULL) and its service. */
struct sd_ctx {
	struct import_out *o;
	struct sd_unit *timer;
	struct sd_unit *service;
	const char *name;	/* the jobd unit's name */
	bool job;		/* [job NAME]; else [service NAME] */
	bool oneshot;		/* the service's Type=oneshot */
	bool elevated;		/* a command runs with '+'/'!' as root */
	/* condition_command= is one key: the parts of every line that
	 * becomes a piece of it, joined with " && " at the end. */
	char **cond_parts;
	char **cond_notes;	/* what differs, said once above the key */
	struct sd_line **cond_lines;
	size_t ncond;
	unsigned schedules;
	bool every_set, boot_set, timeout_set, reload_set, stop_signal_set;
};

/* The outcome of one line (import-systemd.c). */
void sd_key(struct sd_ctx *, struct sd_line *, const char *key,
    const char *fmt, ...) PRINTF_LIKE(4, 5);
void sd_note(struct sd_ctx *, struct sd_line *, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
void sd_unmapped(struct sd_ctx *, struct sd_line *, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
/* Kept as a comment above the next key, without a key of its own. */
void sd_origin(struct sd_ctx *, struct sd_line *);
/* Where l is, said to the reader of from: "line 12", or "FILE:12" when
 * l is in another file (a drop-in).  Allocated. */
char *sd_line_ref(const struct sd_line *l, const struct sd_line *from);
/* The unit a line belongs to. */
struct sd_unit *sd_line_unit(struct sd_ctx *, const struct sd_line *);

/* import-sd-value.c */
/* The value with systemd's specifiers (%n, %i, %t, ...) replaced, as for
 * a system unit; NULL with *cause when one depends on the machine the
 * unit runs on (%H, %m, %b) or is unknown. */
char *sd_specifiers(const struct sd_unit *, const char *value,
    char **cause);
/* Splits a value into words as systemd does (quotes, C escapes); with
 * raw, each word's source form too (for "\;" and ";").  Returns 0, or
 * -EINVAL with *cause. */
int sd_words(const char *value, char ***ret, char ***ret_raw, char **cause);
/* A systemd time span ("5min 20s", "6000", "infinity"); -EINVAL. */
int sd_timespan(const char *value, usec_t *ret);
/* A systemd boolean; -EINVAL. */
int sd_bool(const char *value);
/* jobd's form of a span: "1h 40min", "infinity". */
char *sd_span_text(usec_t span);
/* A size with K, M, G, T (powers of 1024); -EINVAL. */
int sd_size(const char *value, unsigned long long *ret);

/* The mappings; each takes the line it is handed and marks it done. */
typedef void (*sd_map_fn)(struct sd_ctx *, struct sd_line *);
struct sd_directive {
	const char *section;
	const char *key;
	sd_map_fn fn;
};
/* Finds the mapping of a directive in the tables of import-sd-timer.c,
 * import-sd-service.c and import-sd-unit.c; NULL if none. */
sd_map_fn sd_directive_find(const char *section, const char *key);
/* The reason a directive jobd has no key for is not mapped (the table of
 * import-sd-table.c), or NULL for a directive the importer does not know. */
const char *sd_unmapped_reason(const char *section, const char *key);
/* How the reasons for sandboxing directives begin: such a directive
 * turned off is what jobd does anyway. */
#define SD_SANDBOX "jobd does not sandbox a job: "
/* Whether a directive adds up when repeated; the others: systemd uses
 * the last one given. */
bool sd_repeatable(const char *key);

extern const struct sd_directive sd_timer_directives[];
extern const struct sd_directive sd_service_directives[];
extern const struct sd_directive sd_unit_directives[];
extern const struct sd_directive sd_proc_directives[];

/* import-sd-exec.c: command= (and shell=, user=) from ExecStart=,
 * ExecStartPre= and ExecStartPost=; ExecStop, ExecReload, ... */
void sd_exec_map(struct sd_ctx *);
/* ExecReload= and ExecStop= that only send a signal to $MAINPID become
 * reload_signal= and stop_signal=; ExecCondition= a condition. */
void sd_exec_reload(struct sd_ctx *, struct sd_line *);
void sd_exec_stop(struct sd_ctx *, struct sd_line *);
void sd_exec_condition(struct sd_ctx *, struct sd_line *);

/* import-sd-service.c: the section itself (from the timer's Unit= and
 * the service's Type=), output= from StandardOutput= and StandardError=,
 * and what a service gets where systemd's default differs from jobd's. */
void sd_type_map(struct sd_ctx *, struct sd_line *unit_line);
void sd_output_map(struct sd_ctx *);
void sd_service_finish(struct sd_ctx *);

/* import-sd-unit.c: the condition_command= collected, at the end. */
void sd_conditions_flush(struct sd_ctx *);
/* Adds part (taken) to condition_command=, with a note or NULL. */
void sd_condition_add(struct sd_ctx *, struct sd_line *, char *part,
    const char *note);

#endif
