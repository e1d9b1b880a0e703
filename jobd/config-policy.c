/* The keys of a unit's policy: locks, semaphores and limits, events, path
 * triggers and conditions, retries and hooks, alerts and the dead man's
 * switch, and who may start it; and
 * the [semaphore NAME] section.  Value parsers, and a unit's policy
 * compared and freed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alert-event.h"
#include "config-internal.h"
#include "macro.h"
#include "strv.h"
#include "xmalloc.h"

int
config_parse_retry_on(const char *value, void *dst, const char *dir,
    char **cause)
{
	_cleanup_free_ char *copy = xstrdup(value);
	struct job_policy *p = dst;
	char *w, *save = NULL;

	(void)dir;
	p->retry_on_failed = p->retry_on_timeout = false;
	for (w = strtok_r(copy, ", ", &save); w;
	    w = strtok_r(NULL, ", ", &save)) {
		if (!strcmp(w, "failed"))
			p->retry_on_failed = true;
		else if (!strcmp(w, "timeout"))
			p->retry_on_timeout = true;
		else
			return config_fail(cause, xstrfmt("invalid result "
			    "'%s': expected failed or timeout", w));
	}
	return 0;
}

static const char *const notify_on_name[] = { "always", "change" };

CONFIG_ENUM_PARSER(config_parse_notify_on, enum notify_on, notify_on_name, 2)

/* alert_on=: words from "failed recovered overdue missed always", comma
 * or space separated, into a bit per alert kind ("always" is the bit of
 * ALERT_FINISHED).  Empty: no alert at all. */
int
config_parse_alert_on(const char *value, void *dst, const char *dir,
    char **cause)
{
	static const struct {
		const char *name;
		enum alert_kind kind;
	} words[] = {
		{ "failed", ALERT_FAILED },
		{ "recovered", ALERT_RECOVERED },
		{ "overdue", ALERT_OVERDUE },
		{ "missed", ALERT_MISSED },
		{ "always", ALERT_FINISHED },
	};
	_cleanup_free_ char *copy = xstrdup(value);
	char *w, *save = NULL;
	unsigned mask = 0;
	size_t i;

	(void)dir;
	for (w = strtok_r(copy, ", ", &save); w;
	    w = strtok_r(NULL, ", ", &save)) {
		for (i = 0; i < ELEMENTSOF(words); i++)
			if (!strcmp(w, words[i].name))
				break;
		if (i == ELEMENTSOF(words))
			return config_fail(cause, xstrfmt("invalid event '%s': "
			    "expected failed, recovered, overdue, missed or "
			    "always", w));
		mask |= 1u << words[i].kind;
	}
	*(unsigned *)dst = mask;
	return 0;
}

/* expect_success_within=: the dead man's switch, at least a second;
 * infinity means none. */
int
config_parse_expect_within(const char *value, void *dst, const char *dir,
    char **cause)
{
	usec_t v = 0;
	int r;

	r = config_parse_timespan(value, &v, dir, cause);
	if (r < 0)
		return r;
	if (v == USEC_INFINITY)
		v = 0;
	else if (v < USEC_PER_SEC)
		return config_fail(cause, xstrfmt("invalid time span '%s': "
		    "at least 1s", value));
	*(usec_t *)dst = v;
	return 0;
}

int
config_parse_path_interval(const char *value, void *dst, const char *dir,
    char **cause)
{
	usec_t *p = dst;
	int r;

	r = config_parse_timespan(value, dst, dir, cause);
	if (r == 0 && (*p < CONFIG_MIN_PATH_INTERVAL ||
	    *p > CONFIG_MAX_PATH_INTERVAL))
		return config_fail(cause, xstrfmt("invalid interval '%s': "
		    "expected 100ms to 1d", value));
	return r;
}

/* allow_start=: user names and @group names, space separated. */
int
config_parse_principals(const char *value, void *dst, const char *dir,
    char **cause)
{
	_cleanup_(strv_freep) char **words = NULL;
	char ***list = dst;
	size_t i;

	(void)dir;
	if (config_split_words(value, &words, cause) < 0)
		return -EINVAL;
	for (i = 0; words[i]; i++) {
		const char *n = words[i][0] == '@' ? words[i] + 1 : words[i];

		if (!*n || strlen(n) > 64 || strspn(n, "abcdefghijklmnopqrstu"
		    "vwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
		    strlen(n))
			return config_fail(cause, xstrfmt("invalid user or "
			    "@group '%s'", words[i]));
		*list = strv_append(*list, words[i]);
	}
	return 0;
}

/* [semaphore NAME] */
int
config_parse_limit(const char *value, void *dst, const char *dir,
    char **cause)
{
	unsigned v = 0;
	int r = config_parse_count(value, &v, dir, cause);

	if (r == 0 && v == 0)
		return config_fail(cause,
		    xstrdup("invalid limit '0': at least 1"));
	if (r == 0)
		*(unsigned *)dst = v;
	return r;
}

const struct config_semaphore *
config_find_semaphore(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsemaphores; i++)
		if (!strcmp(c->semaphores[i].name, name))
			return &c->semaphores[i];
	return NULL;
}

void
config_semaphores_free(struct config *c)
{
	size_t i;

	for (i = 0; i < c->nsemaphores; i++) {
		free(c->semaphores[i].name);
		free(c->semaphores[i].file);
	}
	free(c->semaphores);
}

void
job_policy_free(struct job_policy *p)
{
	strv_free(p->locks);
	strv_free(p->semaphores);
	free(p->wait_event);
	strv_free(p->on_event);
	strv_free(p->on_path_changed);
	strv_free(p->on_path_exists);
	strv_free(p->on_directory_not_empty);
	strv_free(p->condition_path_exists);
	strv_free(p->condition_directory_not_empty);
	free(p->condition_command);
	strv_free(p->on_failure);
	strv_free(p->on_success);
	strv_free(p->alerts);
}

bool
job_policy_equal(const struct job_policy *a, const struct job_policy *b)
{
	return strv_equal(a->locks, b->locks) &&
	    a->locks_cluster == b->locks_cluster &&
	    strv_equal(a->semaphores, b->semaphores) &&
	    a->max_running == b->max_running &&
	    !strcmp(a->wait_event ? a->wait_event : "",
	    b->wait_event ? b->wait_event : "") &&
	    strv_equal(a->on_event, b->on_event) &&
	    a->pending_timeout == b->pending_timeout &&
	    strv_equal(a->on_path_changed, b->on_path_changed) &&
	    strv_equal(a->on_path_exists, b->on_path_exists) &&
	    strv_equal(a->on_directory_not_empty, b->on_directory_not_empty) &&
	    a->path_interval == b->path_interval &&
	    strv_equal(a->condition_path_exists, b->condition_path_exists) &&
	    strv_equal(a->condition_directory_not_empty,
	    b->condition_directory_not_empty) &&
	    !strcmp(a->condition_command ? a->condition_command : "",
	    b->condition_command ? b->condition_command : "") &&
	    a->retry == b->retry && a->retry_sec == b->retry_sec &&
	    a->retry_max_sec == b->retry_max_sec &&
	    a->retry_on_failed == b->retry_on_failed &&
	    a->retry_on_timeout == b->retry_on_timeout &&
	    strv_equal(a->on_failure, b->on_failure) &&
	    strv_equal(a->on_success, b->on_success) &&
	    a->notify_on == b->notify_on &&
	    strv_equal(a->alerts, b->alerts) &&
	    a->alert_on == b->alert_on &&
	    a->alert_repeat == b->alert_repeat &&
	    a->expect_success_within == b->expect_success_within;
}
