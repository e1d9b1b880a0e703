/* Time zones: TZif v1-v3 files from /usr/share/zoneinfo read into a table
 * of transitions (the 64-bit section when there is one) plus the POSIX TZ
 * footer rule for instants past the last transition; conversions between
 * instants and local wall times, and the civil date arithmetic they need.
 * No localtime(), no TZ juggling: a struct tz is immutable once loaded. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "floor-div.h"
#include "tz.h"
#include "xmalloc.h"

#define TZ_DIR		"/usr/share/zoneinfo"
#define TZ_LOCALTIME	"/etc/localtime"
#define TZ_FILE_MAX	(1024 * 1024)
#define TZ_NAME_MAX	255
#define SEC_PER_DAY	86400

struct tz_type {
	int32_t gmtoff;
	bool isdst;
};

/* One end of a DST period in a POSIX TZ rule. */
struct tz_rule_date {
	char kind;		/* 'J': 1-365 without Feb 29, 'D': 0-365, 'M' */
	int day;		/* J/D: the day; M: weekday 0-6 */
	int week, month;	/* M only: week 1-5 (5 = last), month 1-12 */
	int32_t time;		/* local seconds after midnight, may be < 0 */
};

struct tz_rule {
	bool has_dst;
	int32_t std_off, dst_off;	/* seconds east of UTC */
	struct tz_rule_date start, end;
};

struct tz {
	char *name;
	int64_t *trans;			/* ascending instants */
	uint8_t *trans_type;
	size_t ntrans;
	struct tz_type *types;		/* types[0] also before trans[0] */
	size_t ntypes;
	bool has_rule;			/* footer, for t >= last transition */
	struct tz_rule rule;
};

/* Howard Hinnant's days_from_civil and civil_from_days. */
int64_t
tz_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
tz_civil_from_days(int64_t z, int64_t *ret_year, int *ret_month,
    int *ret_day)
{
	int64_t era, doe, yoe, y, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*ret_day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*ret_month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*ret_year = y + (*ret_month <= 2);
}

static bool
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
tz_days_in_month(int64_t y, int m)
{
	static const int len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && is_leap(y))
		return 29;
	return len[m - 1];
}

int
tz_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday. */
	return (int)(days - floor_div(days + 4, 7) * 7 + 4);
}

/* The day (days since the epoch) a rule date falls on in year y. */
static int64_t
rule_date_days(const struct tz_rule_date *d, int64_t y)
{
	int64_t jan1 = tz_days_from_civil(y, 1, 1), first;
	int mday;

	switch (d->kind) {
	case 'J':
		return jan1 + d->day - 1 + (is_leap(y) && d->day >= 60);
	case 'D':
		return jan1 + d->day;
	default:
		first = tz_days_from_civil(y, d->month, 1);
		mday = 1 + (d->day - tz_weekday(first) + 7) % 7 +
		    (d->week - 1) * 7;
		while (mday > tz_days_in_month(y, d->month))
			mday -= 7;
		return first + mday - 1;
	}
}

/* The instants DST starts and ends in year y. */
static void
rule_year(const struct tz_rule *r, int64_t y, int64_t *start, int64_t *end)
{
	*start = rule_date_days(&r->start, y) * SEC_PER_DAY + r->start.time -
	    r->std_off;
	*end = rule_date_days(&r->end, y) * SEC_PER_DAY + r->end.time -
	    r->dst_off;
}

static int64_t
year_of(int64_t t)
{
	int64_t y;
	int m, d;

	tz_civil_from_days(floor_div(t, SEC_PER_DAY), &y, &m, &d);
	return y;
}

static struct tz_type
rule_type_at(const struct tz_rule *r, int64_t t)
{
	int64_t start, end;
	bool dst;

	if (!r->has_dst)
		return (struct tz_type){ .gmtoff = r->std_off };
	rule_year(r, year_of(t + r->std_off), &start, &end);
	if (start < end)
		dst = t >= start && t < end;
	else
		dst = !(t >= end && t < start);
	if (dst)
		return (struct tz_type){ .gmtoff = r->dst_off, .isdst = true };
	return (struct tz_type){ .gmtoff = r->std_off };
}

/* The first rule transition after t, if the rule has DST. */
static bool
rule_next(const struct tz_rule *r, int64_t t, int64_t *ret)
{
	int64_t y = year_of(t), s, e, best = INT64_MAX;
	int i;

	if (!r->has_dst)
		return false;
	for (i = -1; i <= 1; i++) {
		rule_year(r, y + i, &s, &e);
		if (s > t && s < best)
			best = s;
		if (e > t && e < best)
			best = e;
	}
	*ret = best;
	return best != INT64_MAX;
}

/* Index of the last transition <= t, or -1 before the first. */
static ssize_t
trans_index(const struct tz *z, int64_t t)
{
	size_t lo = 0, hi = z->ntrans;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ssize_t)lo - 1;
}

static struct tz_type
type_at(const struct tz *z, int64_t t)
{
	ssize_t i;

	if (!z)
		return (struct tz_type){ 0 };
	if (z->has_rule && (z->ntrans == 0 || t >= z->trans[z->ntrans - 1]))
		return rule_type_at(&z->rule, t);
	i = trans_index(z, t);
	if (i < 0)
		return z->types[0];
	return z->types[z->trans_type[i]];
}

int
tz_next_transition(const struct tz *z, int64_t t, int64_t *ret)
{
	int32_t off = type_at(z, t).gmtoff;
	size_t i;
	int n;

	if (!z)
		return 0;
	/* Skip transitions that change only the name or isdst. */
	for (i = (size_t)(trans_index(z, t) + 1); i < z->ntrans; i++) {
		if (z->types[z->trans_type[i]].gmtoff != off) {
			*ret = z->trans[i];
			return 1;
		}
	}
	if (!z->has_rule)
		return 0;
	if (z->ntrans > 0 && t < z->trans[z->ntrans - 1])
		t = z->trans[z->ntrans - 1];
	for (n = 0; n < 8 && rule_next(&z->rule, t, &t); n++) {
		if (rule_type_at(&z->rule, t).gmtoff != off) {
			*ret = t;
			return 1;
		}
	}
	return 0;
}

int32_t
tz_offset(const struct tz *z, int64_t t, bool *ret_isdst)
{
	struct tz_type ty = type_at(z, t);

	if (ret_isdst)
		*ret_isdst = ty.isdst;
	return ty.gmtoff;
}

void
tz_to_local(const struct tz *z, int64_t t, struct tz_local *ret)
{
	struct tz_type ty = type_at(z, t);
	int64_t local = t + ty.gmtoff, days, rem, y;

	days = floor_div(local, SEC_PER_DAY);
	rem = local - days * SEC_PER_DAY;
	tz_civil_from_days(days, &y, &ret->month, &ret->day);
	ret->year = (int)y;
	ret->hour = (int)(rem / 3600);
	ret->minute = (int)(rem / 60 % 60);
	ret->second = (int)(rem % 60);
	ret->wday = tz_weekday(days);
	ret->gmtoff = ty.gmtoff;
	ret->isdst = ty.isdst;
}

static void
add_unique(int64_t *v, int *n, int64_t t)
{
	int i;

	for (i = 0; i < *n; i++)
		if (v[i] == t)
			return;
	v[(*n)++] = t;
}

int
tz_from_local(const struct tz *z, const struct tz_local *w, int64_t ret[2],
    int64_t *ret_gap_end)
{
	int64_t local, cand[4], found[4], maxoff;
	int ncand = 0, nfound = 0, i, j;

	local = tz_days_from_civil(w->year, w->month, w->day) * SEC_PER_DAY +
	    w->hour * 3600 + w->minute * 60 + w->second;
	/* UTC offsets stay within +-26 h, so the offsets in force a day
	 * either side are the only ones this wall time can use. */
	add_unique(cand, &ncand, type_at(z, local - 93600).gmtoff);
	add_unique(cand, &ncand, type_at(z, local + 93600).gmtoff);
	for (i = 0, j = ncand; i < j; i++)
		add_unique(cand, &ncand, type_at(z, local - cand[i]).gmtoff);
	maxoff = cand[0];
	for (i = 0; i < ncand; i++) {
		if (cand[i] > maxoff)
			maxoff = cand[i];
		if (type_at(z, local - cand[i]).gmtoff == cand[i])
			add_unique(found, &nfound, local - cand[i]);
	}
	if (nfound == 0) {
		if (ret_gap_end && !tz_next_transition(z, local - maxoff,
		    ret_gap_end))
			*ret_gap_end = local - maxoff;
		return 0;
	}
	ret[0] = ret[1] = found[0];
	for (i = 1; i < nfound; i++) {
		if (found[i] < ret[0])
			ret[0] = found[i];
		if (found[i] > ret[1])
			ret[1] = found[i];
	}
	return ret[0] == ret[1] ? 1 : 2;
}

/* POSIX TZ footer: "CET-1CEST,M3.5.0,M10.5.0/3", "<+0530>-5:30". */
static bool
posix_name(const char **p)
{
	const char *s = *p;

	if (*s == '<') {
		s = strchr(s, '>');
		if (!s)
			return false;
		*p = s + 1;
		return true;
	}
	while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
		s++;
	if (s - *p < 3)
		return false;
	*p = s;
	return true;
}

/* [+-]hh[:mm[:ss]], hours up to 167 (TZif v3). */
static bool
posix_hms(const char **p, int32_t *ret)
{
	const char *s = *p;
	int sign = 1, part = 0, n;
	long v, total = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	for (part = 0; part < 3; part++) {
		if (*s < '0' || *s > '9')
			return false;
		for (v = 0, n = 0; *s >= '0' && *s <= '9' && n < 3; s++, n++)
			v = v * 10 + (*s - '0');
		if (v > (part == 0 ? 167 : 59))
			return false;
		total += v * (part == 0 ? 3600 : part == 1 ? 60 : 1);
		if (*s != ':')
			break;
		s++;
	}
	*p = s;
	*ret = (int32_t)(sign * total);
	return true;
}

static bool
posix_num(const char **p, int lo, int hi, int *ret)
{
	const char *s = *p;
	int v = 0;

	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9' && v <= hi)
		v = v * 10 + (*s++ - '0');
	if (v < lo || v > hi)
		return false;
	*p = s;
	*ret = v;
	return true;
}

static bool
posix_date(const char **p, struct tz_rule_date *d)
{
	const char *s = *p;

	d->time = 7200;
	if (*s == 'J') {
		s++;
		d->kind = 'J';
		if (!posix_num(&s, 1, 365, &d->day))
			return false;
	} else if (*s == 'M') {
		s++;
		d->kind = 'M';
		if (!posix_num(&s, 1, 12, &d->month) || *s++ != '.' ||
		    !posix_num(&s, 1, 5, &d->week) || *s++ != '.' ||
		    !posix_num(&s, 0, 6, &d->day))
			return false;
	} else {
		d->kind = 'D';
		if (!posix_num(&s, 0, 365, &d->day))
			return false;
	}
	if (*s == '/') {
		s++;
		if (!posix_hms(&s, &d->time))
			return false;
	}
	*p = s;
	return true;
}

static bool
posix_parse(const char *s, struct tz_rule *r)
{
	int32_t west;

	memset(r, 0, sizeof *r);
	if (!posix_name(&s) || !posix_hms(&s, &west))
		return false;
	r->std_off = -west;
	if (*s == '\0')
		return true;
	if (!posix_name(&s))
		return false;
	r->dst_off = r->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if (!posix_hms(&s, &west))
			return false;
		r->dst_off = -west;
	}
	/* A DST name without rules: no rule we could apply; keep std. */
	if (*s == '\0')
		return true;
	if (*s++ != ',' || !posix_date(&s, &r->start) || *s++ != ',' ||
	    !posix_date(&s, &r->end) || *s != '\0')
		return false;
	r->has_dst = true;
	return true;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Counts of a TZif header, in file order. */
enum { TZH_UTC, TZH_STD, TZH_LEAP, TZH_TIME, TZH_TYPE, TZH_CHAR, TZH_N };

static bool
tzif_header(const unsigned char *p, size_t len, uint32_t c[TZH_N])
{
	int i;

	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return false;
	for (i = 0; i < TZH_N; i++)
		c[i] = be32(p + 20 + 4 * i);
	return c[TZH_TYPE] > 0 && c[TZH_TYPE] <= 256 && c[TZH_TIME] < 65536 &&
	    c[TZH_LEAP] < 65536 && c[TZH_CHAR] < 65536 &&
	    (c[TZH_UTC] == 0 || c[TZH_UTC] == c[TZH_TYPE]) &&
	    (c[TZH_STD] == 0 || c[TZH_STD] == c[TZH_TYPE]);
}

static size_t
tzif_block_len(const uint32_t c[TZH_N], size_t tsize)
{
	return c[TZH_TIME] * (tsize + 1) + c[TZH_TYPE] * 6 + c[TZH_CHAR] +
	    c[TZH_LEAP] * (tsize + 4) + c[TZH_STD] + c[TZH_UTC];
}

/* Reads one data block (tsize 4 or 8 bytes per time) into z. */
static bool
tzif_block(struct tz *z, const unsigned char *p, const uint32_t c[TZH_N],
    size_t tsize)
{
	size_t i;

	z->ntrans = c[TZH_TIME];
	z->ntypes = c[TZH_TYPE];
	z->trans = xcalloc(z->ntrans + 1, sizeof *z->trans);
	z->trans_type = xcalloc(z->ntrans + 1, 1);
	z->types = xcalloc(z->ntypes, sizeof *z->types);
	for (i = 0; i < z->ntrans; i++) {
		z->trans[i] = tsize == 8 ? be64(p + i * 8) :
		    (int32_t)be32(p + i * 4);
		if (i > 0 && z->trans[i] <= z->trans[i - 1])
			return false;
	}
	p += z->ntrans * tsize;
	for (i = 0; i < z->ntrans; i++) {
		z->trans_type[i] = p[i];
		if (p[i] >= z->ntypes)
			return false;
	}
	p += z->ntrans;
	for (i = 0; i < z->ntypes; i++, p += 6) {
		z->types[i].gmtoff = (int32_t)be32(p);
		z->types[i].isdst = p[4] != 0;
		if (z->types[i].gmtoff < -93600 || z->types[i].gmtoff > 93600)
			return false;
	}
	return true;
}

static bool
tzif_parse(struct tz *z, const unsigned char *buf, size_t len)
{
	uint32_t c[TZH_N];
	size_t off, n;
	const char *foot, *nl;
	char *rule;
	bool ok;

	if (!tzif_header(buf, len, c))
		return false;
	n = tzif_block_len(c, 4);
	if (buf[4] == '\0')
		return 44 + n <= len && tzif_block(z, buf + 44, c, 4);
	off = 44 + n;
	if (off > len || !tzif_header(buf + off, len - off, c))
		return false;
	n = tzif_block_len(c, 8);
	if (off + 44 + n > len || !tzif_block(z, buf + off + 44, c, 8))
		return false;
	foot = (const char *)buf + off + 44 + n;
	if (foot >= (const char *)buf + len || *foot != '\n')
		return true;
	foot++;
	nl = memchr(foot, '\n', (const char *)buf + len - foot);
	if (!nl)
		return false;
	if (nl == foot)
		return true;
	rule = xstrndup(foot, nl - foot);
	ok = posix_parse(rule, &z->rule);
	free(rule);
	z->has_rule = ok;
	return ok;
}

/* An IANA name: letters, digits, '_', '-', '+', '/' and '.', no empty,
 * "." or ".." component, not absolute. */
static bool
name_valid(const char *name)
{
	const char *s, *comp = name;
	size_t n = strlen(name);

	if (n == 0 || n > TZ_NAME_MAX || name[0] == '/')
		return false;
	for (s = name;; s++) {
		if (*s == '/' || *s == '\0') {
			if (s == comp || (s - comp == 1 && comp[0] == '.') ||
			    (s - comp == 2 && comp[0] == '.' && comp[1] == '.'))
				return false;
			if (*s == '\0')
				return true;
			comp = s + 1;
		} else if (!((*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    strchr("_-+.", *s)))
			return false;
	}
}

/* Reads a whole regular file of at most TZ_FILE_MAX bytes. */
static int
read_file(const char *path, unsigned char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	unsigned char *buf;
	struct stat st;
	size_t len = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOENT;
	if (st.st_size > TZ_FILE_MAX)
		return -EBADMSG;
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* The zone name of /etc/localtime, from its symlink when there is one. */
static char *
system_zone_name(void)
{
	char target[PATH_MAX];
	const char *s;
	ssize_t n;

	n = readlink(TZ_LOCALTIME, target, sizeof target - 1);
	if (n <= 0)
		return xstrdup("localtime");
	target[n] = '\0';
	s = strstr(target, "zoneinfo/");
	if (s && name_valid(s + 9))
		return xstrdup(s + 9);
	return xstrdup("localtime");
}

static struct tz *
tz_utc(void)
{
	struct tz *z = xcalloc(1, sizeof *z);

	z->name = xstrdup("UTC");
	z->types = xcalloc(1, sizeof *z->types);
	z->ntypes = 1;
	return z;
}

int
tz_load(const char *name, struct tz **ret, char **cause)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ unsigned char *buf = NULL;
	struct tz *z;
	size_t len = 0;
	int r;

	if (name && strcmp(name, "UTC") == 0) {
		*ret = tz_utc();
		return 0;
	}
	if (name && *name && !name_valid(name)) {
		*cause = xstrfmt("unknown time zone '%s'", name);
		return -ENOENT;
	}
	if (name && *name)
		path = xstrfmt("%s/%s", TZ_DIR, name);
	r = read_file(path ? path : TZ_LOCALTIME, &buf, &len);
	if (r < 0 && !path) {
		/* No /etc/localtime: the system zone is UTC. */
		*ret = tz_utc();
		return 0;
	}
	if (r < 0) {
		*cause = xstrfmt("unknown time zone '%s'", name);
		return -ENOENT;
	}
	z = xcalloc(1, sizeof *z);
	z->name = path ? xstrdup(name) : system_zone_name();
	if (!tzif_parse(z, buf, len)) {
		*cause = xstrfmt("time zone file of '%s' is damaged",
		    z->name);
		tz_free(z);
		return -EBADMSG;
	}
	*ret = z;
	return 0;
}

struct tz *
tz_free(struct tz *z)
{
	if (!z)
		return NULL;
	free(z->name);
	free(z->trans);
	free(z->trans_type);
	free(z->types);
	free(z);
	return NULL;
}

const char *
tz_name(const struct tz *z)
{
	return z ? z->name : "UTC";
}
