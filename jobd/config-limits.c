/* The cgroup limit keys of a unit (memory_max=, cpu_quota=, ...): their
 * values, as systemd's MemoryMax=, CPUQuota=, TasksMax=, ... take them.
 * Whether jobd can apply them is not the parser's business: that depends
 * on the cgroup jobd runs in (cgroup-limits.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "macro.h"
#include "xmalloc.h"

const char *const job_limit_name[JOB_NLIMITS + 1] = {
	[JOB_LIMIT_MEMORY_MAX] = "memory_max",
	[JOB_LIMIT_MEMORY_HIGH] = "memory_high",
	[JOB_LIMIT_MEMORY_SWAP_MAX] = "memory_swap_max",
	[JOB_LIMIT_CPU_QUOTA] = "cpu_quota",
	[JOB_LIMIT_CPU_WEIGHT] = "cpu_weight",
	[JOB_LIMIT_TASKS_MAX] = "tasks_max",
	[JOB_LIMIT_IO_WEIGHT] = "io_weight",
};

/* Bytes with an optional K, M, G or T (powers of 1024), or infinity.
 * zero_ok: memory_swap_max=0 forbids swap; a memory_max=0 would only
 * kill the run at once. */
static int
limit_bytes(const char *value, uint64_t *ret, bool zero_ok, char **cause)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (!strcmp(value, "infinity")) {
		*ret = CONFIG_LIMIT_INFINITY;
		return 0;
	}
	errno = 0;
	v = strtoull(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || errno || end == value)
		goto bad;
	switch (*end) {
	case 'T': case 't': shift = 40; break;
	case 'G': case 'g': shift = 30; break;
	case 'M': case 'm': shift = 20; break;
	case 'K': case 'k': shift = 10; break;
	case '\0': break;
	default: goto bad;
	}
	if (*end && end[1])
		goto bad;
	if (shift && v > (UINT64_MAX >> shift) - 1)
		return config_fail(cause, xstrfmt("size '%s' is too large",
		    value));
	if (!v && !zero_ok)
		return config_fail(cause, xstrfmt("invalid size '%s': must "
		    "be above 0", value));
	*ret = (uint64_t)v << shift;
	return 0;
bad:
	return config_fail(cause, xstrfmt("invalid size '%s': expected bytes "
	    "with an optional K, M, G or T, or infinity", value));
}

/* A count in [min, max], or infinity where the kernel has "max". */
static int
limit_count(const char *value, uint64_t *ret, unsigned long min,
    unsigned long max, bool infinity_ok, char **cause)
{
	unsigned long v;
	char *end;

	if (infinity_ok && !strcmp(value, "infinity")) {
		*ret = CONFIG_LIMIT_INFINITY;
		return 0;
	}
	errno = 0;
	v = strtoul(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || errno || *end || v < min ||
	    v > max)
		return config_fail(cause, xstrfmt("invalid value '%s': "
		    "expected %lu to %lu%s", value, min, max, infinity_ok ?
		    " or infinity" : ""));
	*ret = v;
	return 0;
}

/* N% of one CPU (200% is two whole CPUs), as systemd's CPUQuota=. */
static int
limit_percent(const char *value, uint64_t *ret, char **cause)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || errno || strcmp(end, "%") ||
	    v < 1 || v > 100000)
		return config_fail(cause, xstrfmt("invalid CPU quota '%s': "
		    "expected a percentage of one CPU, 1%% to 100000%%",
		    value));
	*ret = v;
	return 0;
}

static int
limit_parse(const char *value, struct job_limits *l, enum job_limit k,
    char **cause)
{
	uint64_t v = 0;
	int r;

	switch (k) {
	case JOB_LIMIT_MEMORY_MAX:
	case JOB_LIMIT_MEMORY_HIGH:
		r = limit_bytes(value, &v, false, cause);
		break;
	case JOB_LIMIT_MEMORY_SWAP_MAX:
		r = limit_bytes(value, &v, true, cause);
		break;
	case JOB_LIMIT_CPU_QUOTA:
		r = limit_percent(value, &v, cause);
		break;
	case JOB_LIMIT_TASKS_MAX:
		/* The kernel's PID_MAX_LIMIT. */
		r = limit_count(value, &v, 1, 4194304, true, cause);
		break;
	default:
		/* cpu.weight and io.weight take 1 to 10000. */
		r = limit_count(value, &v, 1, 10000, false, cause);
		break;
	}
	if (r == 0) {
		l->v[k] = v;
		l->set |= 1u << k;
	}
	return r;
}

#define LIMIT_PARSER(fn, k)						\
int									\
fn(const char *value, void *dst, const char *dir UNUSED, char **cause)	\
{									\
	return limit_parse(value, dst, k, cause);			\
}

LIMIT_PARSER(config_parse_memory_max, JOB_LIMIT_MEMORY_MAX)
LIMIT_PARSER(config_parse_memory_high, JOB_LIMIT_MEMORY_HIGH)
LIMIT_PARSER(config_parse_memory_swap_max, JOB_LIMIT_MEMORY_SWAP_MAX)
LIMIT_PARSER(config_parse_cpu_quota, JOB_LIMIT_CPU_QUOTA)
LIMIT_PARSER(config_parse_cpu_weight, JOB_LIMIT_CPU_WEIGHT)
LIMIT_PARSER(config_parse_tasks_max, JOB_LIMIT_TASKS_MAX)
LIMIT_PARSER(config_parse_io_weight, JOB_LIMIT_IO_WEIGHT)

bool
job_limits_equal(const struct job_limits *a, const struct job_limits *b)
{
	size_t i;

	if (a->set != b->set)
		return false;
	for (i = 0; i < JOB_NLIMITS; i++)
		if ((a->set & (1u << i)) && a->v[i] != b->v[i])
			return false;
	return true;
}
