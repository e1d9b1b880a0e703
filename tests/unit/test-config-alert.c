/* Unit tests for the [alert NAME] sections and [jobd] sendmail=: every key
 * with good values (what lands in struct config_alert and in the command's
 * job alert:NAME) and each bad value with its error text, a section
 * without a sink, keys without the sink they belong to, duplicates, the
 * name rules and the bound on the number of alerts. */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "runner.h"
#include "strv.h"
#include "xmalloc.h"

/* All errors joined with newlines, or "" when the text loads. */
static char *
load_errors(const char *text)
{
	_cleanup_(strv_freep) char **errors = NULL;
	struct config *cfg = NULL;
	int r;

	r = config_load_string(text, "a.conf", &cfg, &errors);
	if (r == 0) {
		config_free(cfg);
		return xstrdup("");
	}
	ASSERT_EQ(r, -EINVAL);
	ASSERT_NULL(cfg);
	return test_join_lines(errors);
}

static struct config *
load_ok(const char *text)
{
	struct config *cfg = NULL;
	char **errors = NULL;
	int r;

	r = config_load_string(text, "a.conf", &cfg, &errors);
	if (r < 0)
		test_fail(__FILE__, __LINE__, "load failed: %s", errors[0]);
	return cfg;
}

/* One alert's fields as text. */
static char *
alert_dump(const struct config_alert *a)
{
	_cleanup_free_ char *headers = strv_join_quoted(a->webhook_headers);
	_cleanup_free_ char *mail = strv_join_quoted(a->mail);

	return xstrfmt("webhook=%s format=%s headers=[%s] timeout=%llu "
	    "mail=[%s] command_job=%s", a->webhook ? a->webhook : "-",
	    webhook_format_name[a->webhook_format], headers,
	    (unsigned long long)a->webhook_timeout, mail,
	    a->command_job ? a->command_job : "-");
}

TEST(defaults)
{
	struct config *cfg = load_ok("[alert ops]\n"
	    "webhook = http://127.0.0.1:8080/hook\n");
	_cleanup_free_ char *dump = NULL;

	ASSERT_EQ(cfg->nalerts, 1);
	ASSERT_STREQ(cfg->alerts[0].name, "ops");
	ASSERT_STREQ(cfg->alerts[0].file, "a.conf");
	ASSERT_EQ(cfg->alerts[0].line, 1);
	dump = alert_dump(&cfg->alerts[0]);
	ASSERT_STREQ(dump, "webhook=http://127.0.0.1:8080/hook format=json "
	    "headers=[] timeout=10000000 mail=[] command_job=-");
	/* No command=: no job. */
	ASSERT_EQ(cfg->njobs, 0);
	ASSERT_NULL(cfg->sendmail);
	ASSERT_NOT_NULL(config_find_alert(cfg, "ops"));
	ASSERT_NULL(config_find_alert(cfg, "other"));
	config_free(cfg);
}

static const struct {
	const char *lines;		/* after "[alert a]" */
	const char *want;		/* alert_dump() */
} alert_good[] = {
	{ "webhook = https://hooks.slack.com/services/T0/B0/XyZ?a=1&b=%20#f",
	    "webhook=https://hooks.slack.com/services/T0/B0/XyZ?a=1&b=%20#f "
	    "format=json headers=[] timeout=10000000 mail=[] command_job=-" },
	{ "webhook = HTTP://h", "webhook=HTTP://h format=json" },
	{ "webhook = http://u:p@[::1]:80/x", "webhook=http://u:p@[::1]:80/x " },
	{ "webhook = http://h\nwebhook_format = slack", "format=slack " },
	{ "webhook = http://h\nwebhook_format = json", "format=json " },
	{ "webhook = http://h\nwebhook_header = Authorization: Bearer a.b=c",
	    "headers=['Authorization: Bearer a.b=c'] " },
	{ "webhook = http://h\nwebhook_header = X-A:1\n"
	    "webhook_header = X-B:   two words\t", "headers=['X-A: 1' "
	    "'X-B: two words'] " },
	{ "webhook = http://h\nwebhook_header = Content-Type: text/plain",
	    "headers=['Content-Type: text/plain'] " },
	{ "webhook = http://h\nwebhook_timeout = 1s", "timeout=1000000 " },
	{ "webhook = http://h\nwebhook_timeout = 5min", "timeout=300000000 " },
	{ "mail = root", "mail=[root] " },
	{ "mail = ops@example.com root b+tag@mail.example.org",
	    "mail=[ops@example.com root b+tag@mail.example.org] " },
	{ "mail = a@x\nmail = b@y a@x", "mail=[a@x b@y] " },
	{ "command = /bin/true", "command_job=alert:a" },
	{ "webhook = http://h\nmail = root\ncommand = /bin/true",
	    "webhook=http://h format=json headers=[] timeout=10000000 "
	    "mail=[root] command_job=alert:a" },
};

TEST(alert_good)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(alert_good); i++) {
		_cleanup_free_ char *text = NULL, *dump = NULL;
		struct config *cfg;

		CASE("alert_good row %zu", i);
		text = xstrfmt("[alert a]\n%s\n", alert_good[i].lines);
		cfg = load_ok(text);
		ASSERT_EQ(cfg->nalerts, 1);
		dump = alert_dump(&cfg->alerts[0]);
		if (!strstr(dump, alert_good[i].want))
			test_fail(__FILE__, __LINE__, "'%s' not in '%s'",
			    alert_good[i].want, dump);
		config_free(cfg);
	}
}

/* Each line goes at line 3, after "[alert a]" and "webhook = http://h"
 * (or "mail = root" for webhook= itself). */
static const struct {
	const char *line;
	const char *error;
} alert_bad[] = {
	{ "webhook = ftp://h/x", "webhook: invalid URL 'ftp://h/x': expected "
	    "http:// or https://" },
	{ "webhook = file:///etc/passwd", "webhook: invalid URL "
	    "'file:///etc/passwd': expected http:// or https://" },
	{ "webhook = h/x", "webhook: invalid URL 'h/x': expected http:// or "
	    "https://" },
	{ "webhook = http://", "webhook: invalid URL 'http://': no host" },
	{ "webhook = https:///x", "webhook: invalid URL 'https:///x': no "
	    "host" },
	{ "webhook = http://h/a b", "webhook: invalid URL 'http://h/a b': "
	    "spaces, control characters and non-ASCII bytes must be "
	    "percent-encoded" },
	{ "webhook = http://h/\x01", "webhook: invalid URL 'http://h/\x01': "
	    "spaces, control characters and non-ASCII bytes must be "
	    "percent-encoded" },
	{ "webhook = http://h/\xc3\xa9", "webhook: invalid URL "
	    "'http://h/\xc3\xa9': spaces, control characters and non-ASCII "
	    "bytes must be percent-encoded" },
	{ "webhook =", "webhook: invalid URL '': expected http:// or "
	    "https://" },
	{ "webhook_format = xml", "webhook_format: invalid value 'xml': "
	    "expected json or slack" },
	{ "webhook_header = NoColon", "webhook_header: invalid header "
	    "'NoColon': expected 'Name: value', the name 1-64 of A-Z a-z 0-9 "
	    "!#$%&'*+-.^_`|~" },
	{ "webhook_header = Bad Name: x", "webhook_header: invalid header "
	    "'Bad Name: x': expected 'Name: value', the name 1-64 of A-Z a-z "
	    "0-9 !#$%&'*+-.^_`|~" },
	{ "webhook_header = : x", "webhook_header: invalid header ': x': "
	    "expected 'Name: value', the name 1-64 of A-Z a-z 0-9 "
	    "!#$%&'*+-.^_`|~" },
	{ "webhook_header = X-Empty:", "webhook_header: invalid header "
	    "'X-Empty:': empty value" },
	{ "webhook_header = X-Ctl: a\x01z", "webhook_header: invalid header "
	    "'X-Ctl': control characters in its value" },
	{ "webhook_header = X-Cr: a\rBcc: x", "webhook_header: invalid header "
	    "'X-Cr': control characters in its value" },
	{ "webhook_header = Content-Length: 5", "webhook_header: invalid "
	    "header 'Content-Length': jobd sets it" },
	{ "webhook_header = transfer-encoding: chunked", "webhook_header: "
	    "invalid header 'transfer-encoding': jobd sets it" },
	{ "webhook_timeout = 500ms", "webhook_timeout: invalid time span "
	    "'500ms': expected 1s to 5min" },
	{ "webhook_timeout = 6min", "webhook_timeout: invalid time span "
	    "'6min': expected 1s to 5min" },
	{ "webhook_timeout = infinity", "webhook_timeout: invalid time span "
	    "'infinity': expected 1s to 5min" },
	{ "webhook_timeout = soon", "webhook_timeout: invalid time span "
	    "'soon': expected a number at 'soon'" },
	{ "mail = a@b,c@d", "mail: invalid address 'a@b,c@d': expected "
	    "user@domain or a local user, of A-Z a-z 0-9 and "
	    "._%+-=!#$&'*/?^`{|}~" },
	{ "mail = <a@b>", "mail: invalid address '<a@b>': expected "
	    "user@domain or a local user, of A-Z a-z 0-9 and "
	    "._%+-=!#$&'*/?^`{|}~" },
	{ "mail = -oQ/tmp", "mail: invalid address '-oQ/tmp': expected "
	    "user@domain or a local user, of A-Z a-z 0-9 and "
	    "._%+-=!#$&'*/?^`{|}~" },
	{ "mail = a@@b", "mail: invalid address 'a@@b': expected "
	    "user@domain or a local user, of A-Z a-z 0-9 and "
	    "._%+-=!#$&'*/?^`{|}~" },
	{ "mail = a@", "mail: invalid address 'a@': expected user@domain or "
	    "a local user, of A-Z a-z 0-9 and ._%+-=!#$&'*/?^`{|}~" },
	{ "mail = @b", "mail: invalid address '@b': expected user@domain or "
	    "a local user, of A-Z a-z 0-9 and ._%+-=!#$&'*/?^`{|}~" },
	{ "mail = a@.b", "mail: invalid address 'a@.b': expected user@domain "
	    "or a local user, of A-Z a-z 0-9 and ._%+-=!#$&'*/?^`{|}~" },
	{ "mail = a@b_c", "mail: invalid address 'a@b_c': expected "
	    "user@domain or a local user, of A-Z a-z 0-9 and "
	    "._%+-=!#$&'*/?^`{|}~" },
	{ "mail = \"a b\"@c", "mail: invalid address in '\"a b\"@c': no "
	    "quotes" },
	{ "mail = 'a", "mail: invalid value ''a': unterminated single quote" },
	{ "mail =", "mail: empty value" },
	{ "command =", "command: empty command" },
	{ "command = 'x", "command: invalid command ''x': unterminated single "
	    "quote" },
	{ "command = /bin/true\nuser = bad user", "user: invalid user name "
	    "'bad user'" },
	{ "command = /bin/true\ngroup = a:b", "group: invalid group name "
	    "'a:b'" },
	{ "command = /bin/true\ntimeout = 0", "timeout: invalid time span "
	    "'0': expected 1s to 1h" },
	{ "command = /bin/true\ntimeout = 2h", "timeout: invalid time span "
	    "'2h': expected 1s to 1h" },
	{ "webhook_format = json\nwebhook_format = slack", "duplicate key "
	    "'webhook_format' in [alert a], first given at line 3" },
	{ "schedule = daily", "unknown key 'schedule' in [alert a]" },
	{ "shell = yes", "unknown key 'shell' in [alert a]" },
	{ "sendmail = /bin/x", "unknown key 'sendmail' in [alert a]" },
};

TEST(alert_bad)
{
	_cleanup_free_ char *headers = NULL, *mails = NULL, *err = NULL;
	size_t i;

	for (i = 0; i < ELEMENTSOF(alert_bad); i++) {
		_cleanup_free_ char *text = NULL, *want = NULL;
		const char *line = alert_bad[i].line ? alert_bad[i].line : "",
		    *pre;

		CASE("alert_bad row %zu", i);
		pre = strncmp(line, "webhook ", 8) ? "webhook = http://h" :
		    "mail = root";
		text = xstrfmt("[alert a]\n%s\n%s\n", pre, line);
		want = xstrfmt("a.conf:%d: %s", strchr(line, '\n') ? 4 : 3,
		    alert_bad[i].error);
		err = load_errors(text);
		ASSERT_STREQ(err, want);
		free(err);
		err = NULL;
	}
	/* 33 headers, 33 addresses. */
	for (i = 0; i < 33; i++) {
		char *t = xstrfmt("%swebhook_header = X-%zu: v\n",
		    headers ? headers : "", i);

		free(headers);
		headers = t;
		t = xstrfmt("%s a%zu@x", mails ? mails : "", i);
		free(mails);
		mails = t;
	}
	err = xstrfmt("[alert a]\nwebhook = http://h\n%s", headers);
	free(headers);
	headers = load_errors(err);
	ASSERT_STREQ(headers, "a.conf:35: webhook_header: too many headers "
	    "(max 32)");
	free(err);
	err = xstrfmt("[alert a]\nmail =%s\n", mails);
	free(mails);
	mails = load_errors(err);
	ASSERT_STREQ(mails, "a.conf:2: mail: too many addresses (max 32)");
}

TEST(long_values)
{
	_cleanup_free_ char *url = xmalloc(CONFIG_MAX_URL + 2), *text = NULL,
	    *err = NULL, *value = NULL;
	struct config *cfg;

	memcpy(url, "http://h/", 9);
	memset(url + 9, 'a', CONFIG_MAX_URL - 9);
	url[CONFIG_MAX_URL] = '\0';
	text = xstrfmt("[alert a]\nwebhook = %s\n", url);
	cfg = load_ok(text);
	ASSERT_EQ(strlen(cfg->alerts[0].webhook), CONFIG_MAX_URL);
	config_free(cfg);
	free(text);
	url[CONFIG_MAX_URL] = 'a';
	url[CONFIG_MAX_URL + 1] = '\0';
	text = xstrfmt("[alert a]\nwebhook = %s\n", url);
	err = load_errors(text);
	ASSERT_STREQ(err, "a.conf:2: webhook: invalid URL: longer than 2048 "
	    "bytes");
	free(err);
	free(text);
	value = xmalloc(CONFIG_MAX_HEADER + 2);
	memset(value, 'v', CONFIG_MAX_HEADER + 1);
	value[CONFIG_MAX_HEADER + 1] = '\0';
	text = xstrfmt("[alert a]\nwebhook = http://h\nwebhook_header = X: "
	    "%s\n", value);
	err = load_errors(text);
	ASSERT_STREQ(err, "a.conf:3: webhook_header: invalid header 'X': "
	    "value longer than 1024 bytes");
}

TEST(command_job)
{
	struct config *cfg = load_ok("[alert pager]\n"
	    "command = /usr/local/bin/page --team 'on call'\n"
	    "user = nobody\ngroup = nogroup\ntimeout = 30s\n"
	    "[job backup]\ncommand = /bin/true\n");
	const struct job_config *jc;
	_cleanup_free_ char *argv = NULL;

	ASSERT_STREQ(cfg->alerts[0].command_job, "alert:pager");
	ASSERT_EQ(cfg->njobs, 2);
	jc = config_find_job(cfg, "alert:pager");
	ASSERT_NOT_NULL(jc);
	argv = strv_join_quoted(jc->command);
	ASSERT_STREQ(argv, "/usr/local/bin/page --team 'on call'");
	ASSERT_STREQ(jc->user, "nobody");
	ASSERT_STREQ(jc->group, "nogroup");
	ASSERT_EQ(jc->timeout, 30 * USEC_PER_SEC);
	ASSERT_STREQ(jc->description, "command of [alert pager]");
	ASSERT(!jc->service);
	ASSERT(!job_config_is_periodic(jc));
	ASSERT_STREQ(jc->file, "a.conf");
	ASSERT_EQ(jc->line, 1);
	config_free(cfg);
	/* The default timeout. */
	cfg = load_ok("[alert p]\ncommand = /bin/true\n");
	ASSERT_EQ(config_find_job(cfg, "alert:p")->timeout,
	    CONFIG_DEFAULT_ALERT_COMMAND_TIMEOUT);
	ASSERT_NULL(config_find_job(cfg, "alert:p")->user);
	config_free(cfg);
}

static const struct {
	const char *text;
	const char *error;
} section_bad[] = {
	{ "[alert a]\n", "a.conf:1: alert 'a' has no sink: give it webhook=, "
	    "mail= or command=" },
	{ "[alert a]\n[job j]\ncommand = x\n", "a.conf:1: alert 'a' has no "
	    "sink: give it webhook=, mail= or command=" },
	{ "[alert a]\nmail = root\nwebhook_format = slack\n", "a.conf:3: "
	    "alert 'a': webhook_format=, webhook_header= and webhook_timeout= "
	    "need webhook=" },
	{ "[alert a]\nmail = root\nwebhook_timeout = 5s\n"
	    "webhook_header = A: b\n", "a.conf:3: alert 'a': webhook_format=, "
	    "webhook_header= and webhook_timeout= need webhook=" },
	{ "[alert a]\nmail = root\nuser = nobody\n", "a.conf:3: alert 'a': "
	    "user=, group= and timeout= are for command=, which it has not" },
	{ "[alert a]\nmail = root\ntimeout = 5s\n", "a.conf:3: alert 'a': "
	    "user=, group= and timeout= are for command=, which it has not" },
	{ "[alert a]\nmail = root\n[alert a]\nmail = b\n", "a.conf:3: alert "
	    "'a' already defined at a.conf:1" },
	{ "[alert a:b]\nmail = root\n", "a.conf:1: invalid alert name 'a:b': "
	    "expected 1-64 of A-Z a-z 0-9 _ . @ -, not starting with - or ." },
	{ "[alert -a]\nmail = root\n", "a.conf:1: invalid alert name '-a': "
	    "expected 1-64 of A-Z a-z 0-9 _ . @ -, not starting with - or ." },
	{ "[alert]\nmail = root\n", "a.conf:1: invalid alert name '': "
	    "expected 1-64 of A-Z a-z 0-9 _ . @ -, not starting with - or ." },
	/* A bad sink is reported once, not again as a missing one. */
	{ "[alert a]\nmail = <x>\n", "a.conf:2: mail: invalid address '<x>': "
	    "expected user@domain or a local user, of A-Z a-z 0-9 and "
	    "._%+-=!#$&'*/?^`{|}~" },
	/* A user's job can never take an alert command's name. */
	{ "[job alert:a]\ncommand = x\n", "a.conf:1: invalid job name "
	    "'alert:a': expected 1-64 of A-Z a-z 0-9 _ . @ -, not starting "
	    "with - or ." },
	{ "[jobd]\nsendmail = sendmail\n", "a.conf:2: sendmail: invalid path "
	    "'sendmail': not absolute" },
	{ "[job j]\ncommand = x\nwebhook = http://h\n", "a.conf:3: unknown "
	    "key 'webhook' in [job j]" },
};

TEST(section_bad)
{
	size_t i;

	for (i = 0; i < ELEMENTSOF(section_bad); i++) {
		_cleanup_free_ char *err = NULL;

		CASE("section_bad row %zu", i);
		err = load_errors(section_bad[i].text);
		ASSERT_STREQ(err, section_bad[i].error);
	}
}

TEST(sendmail_and_order)
{
	struct config *cfg = load_ok("[jobd]\nsendmail = /usr/lib/sendmail\n"
	    "[alert z]\nmail = root\n[alert a]\nmail = root\n");

	ASSERT_STREQ(cfg->sendmail, "/usr/lib/sendmail");
	/* In definition order. */
	ASSERT_EQ(cfg->nalerts, 2);
	ASSERT_STREQ(cfg->alerts[0].name, "z");
	ASSERT_STREQ(cfg->alerts[1].name, "a");
	config_free(cfg);
}

TEST(too_many)
{
	_cleanup_free_ char *text = xstrdup(""), *err = NULL;
	size_t i;

	for (i = 0; i <= CONFIG_MAX_ALERTS; i++) {
		char *t = xstrfmt("%s[alert a%zu]\nmail = root\n", text, i);

		free(text);
		text = t;
	}
	err = load_errors(text);
	ASSERT_STREQ(err, "a.conf:513: too many alerts (max 256)");
}

static const struct test tests[] = {
	TEST_ENTRY(defaults),
	TEST_ENTRY(alert_good),
	TEST_ENTRY(alert_bad),
	TEST_ENTRY(long_values),
	TEST_ENTRY(command_job),
	TEST_ENTRY(section_bad),
	TEST_ENTRY(sendmail_and_order),
	TEST_ENTRY(too_many),
};

TEST_MAIN(tests)
