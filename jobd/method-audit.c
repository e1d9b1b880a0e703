/* Who asked, as the methods record it and the Run shape shows it: the
 * peer's uid and user name from the socket (SO_PEERCRED, the name looked
 * up by control.c), and the user a client such as jobd-web says it acts
 * for (on_behalf_of: its claim, which jobd cannot check, so it is kept
 * apart from the peer's own identity).  Also a run's parameters and
 * appended arguments in the Run shape. */
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "control.h"
#include "ledger.h"
#include "method.h"
#include "params.h"
#include "run.h"

#define ON_BEHALF_OF_MAX 256

/* Printable, bounded: it goes into log lines and the ledger. */
static bool
on_behalf_of_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > ON_BEHALF_OF_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

int
method_who(struct conn *c, const char *on_behalf_of, struct run_who *ret)
{
	const struct access_peer *p = ctl_peer(c);

	if (on_behalf_of && !on_behalf_of_valid(on_behalf_of)) {
		ctl_error_invalid_parameter(c, "on_behalf_of");
		return -1;
	}
	*ret = (struct run_who){ .set = true, .uid = p->uid,
	    .user = p->name, .on_behalf_of = (char *)on_behalf_of };
	return 0;
}

const char *
method_who_text(const struct run_who *w, char *buf, size_t n)
{
	snprintf(buf, n, "uid %u (%s)%s%s", (unsigned)w->uid,
	    w->user ? w->user : "?", w->on_behalf_of ? " for " : "",
	    w->on_behalf_of ? w->on_behalf_of : "");
	return buf;
}

static void
who_write(struct json_writer *w, const char *key, bool set, uint32_t uid,
    const char *user, const char *obo)
{
	if (!set)
		return;
	jw_key(w, key);
	jw_open(w, '{');
	jw_kint(w, "uid", uid);
	if (user)
		jw_kstr(w, "user", user);
	if (obo)
		jw_kstr(w, "on_behalf_of", obo);
	jw_close(w, '}');
}

static void
params_write(struct json_writer *w, char **params, char **args)
{
	char name[PARAM_MAX_NAME + 1];
	const char *eq;
	size_t i;

	if (params) {
		jw_key(w, "params");
		jw_open(w, '{');
		for (i = 0; params[i]; i++) {
			eq = strchr(params[i], '=');
			if (!eq)
				continue;
			snprintf(name, sizeof(name), "%.*s",
			    (int)(eq - params[i]), params[i]);
			jw_key(w, name);
			jw_string(w, eq + 1);
		}
		jw_close(w, '}');
	}
	if (args) {
		jw_key(w, "args");
		jw_open(w, '[');
		for (i = 0; args[i]; i++)
			jw_string(w, args[i]);
		jw_close(w, ']');
	}
}

void
method_run_audit_write(struct json_writer *w, const struct run *r)
{
	params_write(w, r->params, r->args);
	who_write(w, "requested_by", r->requested_by.set, r->requested_by.uid,
	    r->requested_by.user, r->requested_by.on_behalf_of);
	who_write(w, "cancelled_by", r->cancelled_by.set, r->cancelled_by.uid,
	    r->cancelled_by.user, r->cancelled_by.on_behalf_of);
}

static json_t *
who_json(const struct ledger_who *w)
{
	json_t *o = json_pack("{s:I}", "uid", (json_int_t)w->uid);

	if (w->user)
		json_object_set_new(o, "user", json_string(w->user));
	if (w->on_behalf_of)
		json_object_set_new(o, "on_behalf_of",
		    json_string(w->on_behalf_of));
	return o;
}

void
method_row_audit_json(json_t *o, const struct ledger_run *r)
{
	json_t *p, *a;
	const char *eq;
	size_t i;

	if (r->params) {
		p = json_object();
		for (i = 0; r->params[i]; i++)
			if ((eq = strchr(r->params[i], '=')))
				json_object_setn_new_nocheck(p, r->params[i],
				    (size_t)(eq - r->params[i]),
				    json_string(eq + 1) ?: json_string(""));
		json_object_set_new(o, "params", p);
	}
	if (r->args) {
		a = json_array();
		for (i = 0; r->args[i]; i++)
			json_array_append_new(a, json_string(r->args[i]));
		json_object_set_new(o, "args", a);
	}
	if (r->requested_by.set)
		json_object_set_new(o, "requested_by",
		    who_json(&r->requested_by));
	if (r->cancelled_by.set)
		json_object_set_new(o, "cancelled_by",
		    who_json(&r->cancelled_by));
}
