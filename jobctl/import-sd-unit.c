/* The [Unit] section: Documentation= kept as a comment, Condition*= and
 * Assert*= as jobd's conditions (condition_path_exists=,
 * condition_directory_not_empty=, or a test in condition_command=, one
 * key for all of them), ordering and requirement directives listed with
 * why.  Description= is import-systemd.c's (it picks the service's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import-sd.h"
#include "strv.h"
#include "xmalloc.h"

/* The tools a condition may need; missing, a positive test is false. */
#define AC_POWER "/lib/systemd/systemd-ac-power"
#define DETECT_VIRT "systemd-detect-virt"

void
sd_condition_add(struct sd_ctx *c, struct sd_line *l, char *part,
    const char *note)
{
	if (note && !strv_contains(c->cond_notes, note))
		c->cond_notes = strv_append(c->cond_notes, note);
	c->cond_parts = strv_push(c->cond_parts, part);
	c->cond_lines = xreallocarray(c->cond_lines, c->ncond + 1,
	    sizeof(*c->cond_lines));
	c->cond_lines[c->ncond++] = l;
	l->done = true;
}

void
sd_conditions_flush(struct sd_ctx *c)
{
	char *line = NULL, *t;
	size_t i, j;

	for (i = 0; i < c->ncond; i++)
		import_origin(c->o, c->cond_lines[i]->file,
		    c->cond_lines[i]->line, c->cond_lines[i]->text);
	for (i = 0; c->cond_notes && c->cond_notes[i]; i++)
		import_note(c->o, "%s", c->cond_notes[i]);
	for (i = 0; i < c->ncond; i++) {
		const char *p = c->cond_parts[i];
		bool wrap = c->ncond > 1 && (strstr(p, "&&") ||
		    strstr(p, "||"));

		/* The timer and its service often test the same. */
		for (j = 0; j < i && strcmp(c->cond_parts[j], p); j++)
			;
		if (j < i)
			continue;
		t = xstrfmt(wrap ? "%s%s{ %s; }" : "%s%s%s", line ? line : "",
		    line ? " && " : "", p);
		free(line);
		line = t;
	}
	if (line)
		import_key(c->o, "condition_command", "%s", line);
	free(line);
}

/* Path tests: the jobd key when jobd has one (not negated), else the
 * shell test, "%1$s" the quoted path. */
static const struct {
	const char *name;
	const char *key;
	const char *test;
} path_conditions[] = {
	{ "PathExists", "condition_path_exists", "test -e %1$s" },
	{ "DirectoryNotEmpty", "condition_directory_not_empty",
	    "test -d %1$s && test -n \"$(ls -A %1$s)\"" },
	{ "PathIsDirectory", NULL, "test -d %1$s" },
	{ "PathIsSymbolicLink", NULL, "test -h %1$s" },
	{ "PathIsMountPoint", NULL, "mountpoint -q %1$s" },
	{ "FileNotEmpty", NULL, "test -f %1$s && test -s %1$s" },
	{ "FileIsExecutable", NULL, "test -f %1$s && test -x %1$s" },
	{ "PathExistsGlob", NULL, "set -- %1$s && test -e \"$1\"" },
};

/* The shell test for ConditionACPower= and ConditionVirtualization=,
 * allocated, or NULL for a value it cannot test. */
static char *
special_test(const char *name, const char *v)
{
	int b = sd_bool(v);

	if (!strcmp(name, "ACPower") && b >= 0)
		/* systemd-ac-power says yes with no power supply known. */
		return xstrdup(b ? "! test -x " AC_POWER " || " AC_POWER :
		    "test -x " AC_POWER " && ! " AC_POWER);
	if (strcmp(name, "Virtualization"))
		return NULL;
	if (b >= 0)
		return xstrfmt("%s" DETECT_VIRT " -q", b ? "" : "! ");
	if (!strcmp(v, "vm") || !strcmp(v, "container"))
		return xstrfmt(DETECT_VIRT " --%s -q", v);
	if (v[strspn(v, "abcdefghijklmnopqrstuvwxyz-")] == '\0' &&
	    strcmp(v, "private-users"))
		return xstrfmt("test \"$(" DETECT_VIRT ")\" = %s", v);
	return NULL;
}

static bool
glob_safe(const char *p)
{
	return p[strspn(p, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-*?[]")] == '\0';
}

static char *
path_test(const char *name, const char *path, const char **ret_key)
{
	_cleanup_free_ char *q = NULL;
	size_t i;

	*ret_key = NULL;
	for (i = 0; i < ELEMENTSOF(path_conditions); i++)
		if (!strcmp(path_conditions[i].name, name))
			break;
	if (i == ELEMENTSOF(path_conditions) || path[0] != '/')
		return NULL;
	if (!strcmp(name, "PathExistsGlob")) {
		if (!glob_safe(path))
			return NULL;
		q = xstrdup(path);
	} else
		q = import_quote_word(path);
	*ret_key = path_conditions[i].key;
	return xstrfmt(path_conditions[i].test, q);
}

/* ConditionX= and AssertX=. */
static void
map_condition(struct sd_ctx *c, struct sd_line *l)
{
	bool assert = !strncmp(l->key, "Assert", 6), neg;
	const char *name = l->key + (assert ? 6 : 9), *key = NULL;
	_cleanup_free_ char *cause = NULL, *v = NULL, *test = NULL;
	const char *p, *note = NULL;

	if (!*l->value) {
		sd_unmapped(c, l, "an empty value resets the conditions "
		    "before it; jobd's cannot be reset: remove those lines");
		return;
	}
	if (!(v = sd_specifiers(sd_line_unit(c, l), l->value, &cause))) {
		sd_unmapped(c, l, "%s", cause);
		return;
	}
	if (v[0] == '|') {
		sd_unmapped(c, l, "a '|' condition holds when any of them "
		    "does; jobd's conditions must all hold");
		return;
	}
	neg = v[0] == '!';
	p = v + neg;
	if (!(test = special_test(name, p)) &&
	    !(test = path_test(name, p, &key))) {
		sd_unmapped(c, l, "jobd has no condition that tests this: the "
		    "run happens whatever it says");
		return;
	}
	if (c->timer && sd_line_unit(c, l) == c->timer)
		note = "(systemd tests a timer's conditions once, when the "
		    "timer starts; jobd at each run)";
	else if (assert)
		note = "(a false assertion fails the unit in systemd; in jobd "
		    "the run is skipped)";
	if (!neg && key && !special_test(name, p)) {
		if (note)
			sd_note(c, l, "%s", note);
		sd_key(c, l, key, "%s", p);
		return;
	}
	sd_condition_add(c, l, neg ? (strstr(test, "&&") || strstr(test,
	    "||") ? xstrfmt("! { %s; }", test) : xstrfmt("! %s", test)) :
	    TAKE_PTR(test), note);
}

static void
map_documentation(struct sd_ctx *c, struct sd_line *l)
{
	sd_note(c, l, "(kept as this comment: jobd has no documentation "
	    "key)");
}

/* Description= lines import-systemd.c did not take (the timer's when
 * the service has one, an empty one). */
static void
map_description(struct sd_ctx *c, struct sd_line *l)
{
	sd_unmapped(c, l, "the description= is the service's Description=");
}

static void
map_start_limit(struct sd_ctx *c, struct sd_line *l)
{
	usec_t span;
	char *s;

	if (c->job) {
		sd_unmapped(c, l, "a job is not restarted, so it has no start "
		    "limit (retry= counts a job's attempts)");
		return;
	}
	if (!strcmp(l->key, "StartLimitBurst")) {
		if (l->value[strspn(l->value, "0123456789")] || !*l->value ||
		    atol(l->value) < 1 || atol(l->value) > 100000)
			sd_unmapped(c, l, "not a count from 1 to 100000");
		else
			sd_key(c, l, "start_limit_burst", "%s", l->value);
		return;
	}
	if (sd_timespan(l->value, &span) < 0) {
		sd_unmapped(c, l, "not a time span");
		return;
	}
	s = sd_span_text(span);
	sd_key(c, l, "start_limit_interval", "%s", s);
	free(s);
}

/* [Install]: jobd enables nothing; what it does instead depends on what
 * the unit became. */
static void
map_install(struct sd_ctx *c, struct sd_line *l)
{
	if (c->timer)
		sd_unmapped(c, l, "jobd has no enabling or targets: the job's "
		    "schedule is active as soon as jobd reads this file "
		    "(jobctl pause stops it)");
	else if (c->job)
		sd_unmapped(c, l, "jobd has no enabling or targets: the job "
		    "runs when started (on_boot=0 would run it at boot)");
	else
		sd_unmapped(c, l, "jobd has no enabling or targets: the "
		    "service starts with jobd (autostart=yes, the default)");
}

const struct sd_directive sd_unit_directives[] = {
	{ "Install", "WantedBy", map_install },
	{ "Install", "RequiredBy", map_install },
	{ "Unit", "Documentation", map_documentation },
	{ "Unit", "Description", map_description },
	{ "Unit", "StartLimitBurst", map_start_limit },
	{ "Unit", "StartLimitIntervalSec", map_start_limit },
	{ "Unit", "ConditionPathExists", map_condition },
	{ "Unit", "ConditionPathExistsGlob", map_condition },
	{ "Unit", "ConditionPathIsDirectory", map_condition },
	{ "Unit", "ConditionPathIsSymbolicLink", map_condition },
	{ "Unit", "ConditionPathIsMountPoint", map_condition },
	{ "Unit", "ConditionDirectoryNotEmpty", map_condition },
	{ "Unit", "ConditionFileNotEmpty", map_condition },
	{ "Unit", "ConditionFileIsExecutable", map_condition },
	{ "Unit", "ConditionACPower", map_condition },
	{ "Unit", "ConditionVirtualization", map_condition },
	{ "Unit", "AssertPathExists", map_condition },
	{ "Unit", "AssertPathExistsGlob", map_condition },
	{ "Unit", "AssertPathIsDirectory", map_condition },
	{ "Unit", "AssertPathIsSymbolicLink", map_condition },
	{ "Unit", "AssertPathIsMountPoint", map_condition },
	{ "Unit", "AssertDirectoryNotEmpty", map_condition },
	{ "Unit", "AssertFileNotEmpty", map_condition },
	{ "Unit", "AssertFileIsExecutable", map_condition },
	{ "Unit", "AssertACPower", map_condition },
	{ "Unit", "AssertVirtualization", map_condition },
	{ NULL, NULL, NULL },
};
