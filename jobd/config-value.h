/* The value parsers and errors every key uses (config-value.c): the
 * bottom of the config files, which the per-section parsers call down to.
 * Not for other modules. */
#ifndef JOBD_CONFIG_VALUE_H
#define JOBD_CONFIG_VALUE_H

/* Parses value into the field at dst.  dir is the directory of the main
 * file (for relative paths).  Returns 0, or -EINVAL with *cause such as
 * "invalid time span '5 parsecs': unknown unit 'parsecs'"; the caller
 * prefixes "file:line: key: ". */
typedef int config_parse_fn(const char *value, void *dst, const char *dir,
    char **cause);

/* For value parsers: *cause = msg, -EINVAL. */
int config_fail(char **cause, char *msg);
/* Splits value into shell-quoted words; a quoting error names value. */
int config_split_words(const char *value, char ***words, char **cause);
/* A decimal count in [min, max]: no sign, no space, no suffix. */
int config_parse_range(const char *value, unsigned *dst, unsigned long min,
    unsigned long max, char **cause);
int config_choice(const char *value, const char *const *names, int n,
    int *ret, char **cause);
/* Declares a parser for an enum key from a name table. */
#define CONFIG_ENUM_PARSER(fn, type, names, n)				\
int									\
fn(const char *value, void *dst, const char *dir, char **cause)	\
{									\
	int v, r;							\
									\
	(void)dir;							\
	if ((r = config_choice(value, names, n, &v, cause)) == 0)	\
		*(type *)dst = (type)v;					\
	return r;							\
}

/* Value types that keys of several sections share. */
config_parse_fn config_parse_string, config_parse_bool,
    config_parse_timespan, config_parse_timeout, config_parse_path,
    config_parse_signal, config_parse_user, config_parse_group,
    config_parse_max_runs, config_parse_max_age, config_parse_count,
    config_parse_small_count;

/* Checks a [job NAME] name; returns 0 or -EINVAL with *cause. */
int config_job_name_check(const char *name, char **cause);
/* Names (of units, locks, events, groups) and absolute paths. */
config_parse_fn config_parse_names, config_parse_name, config_parse_paths;

#endif
