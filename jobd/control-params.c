/* Table-driven checking of a call's parameters (control.h, ctl_params):
 * unknown names, wrong types and lists longer than VARLINK_MAX_NAMES are
 * answered with InvalidParameter before a method looks at them, so that no
 * method pays per entry for a list a client made as long as a message
 * allows. */
#include <errno.h>
#include <string.h>

#include "control.h"
#include "macro.h"
#include "params.h"

/* The type check; a list is checked after its length (ctl_params). */
static bool
ctl_param_ok(json_t *v, enum ctl_param_type type)
{
	size_t i;
	json_t *e;

	switch (type) {
	case CTL_STRING:
		return json_is_string(v);
	case CTL_INT:
		return json_is_integer(v) && json_integer_value(v) >= 0;
	case CTL_BOOL:
		return json_is_boolean(v);
	case CTL_STRINGS:
	case CTL_ARGV:
	case CTL_INTS:
		if (!json_is_array(v))
			return false;
		json_array_foreach(v, i, e)
			if (type != CTL_INTS ? !json_is_string(e) :
			    !(json_is_integer(e) && json_integer_value(e) >= 0))
				return false;
		return true;
	}
	return false;
}

static void
ctl_param_store(json_t *v, const struct ctl_param *p, void *out)
{
	char *dst = (char *)out + p->offset;

	switch (p->type) {
	case CTL_STRING:
		*(const char **)dst = v ? json_string_value(v) : NULL;
		break;
	case CTL_INT:
		*(int64_t *)dst = v ? json_integer_value(v) : -1;
		break;
	case CTL_BOOL:
		*(bool *)dst = v ? json_is_true(v) : false;
		break;
	default:
		*(json_t **)dst = v;
		break;
	}
}

int
ctl_params(struct conn *c, json_t *params, const struct ctl_param *spec,
    size_t n, void *out)
{
	const char *key;
	json_t *v;
	size_t i, limit;

	json_object_foreach(params, key, v) {
		for (i = 0; i < n; i++)
			if (!strcmp(spec[i].name, key))
				break;
		if (i == n) {
			ctl_error_invalid_parameter(c, key);
			return -EINVAL;
		}
	}
	for (i = 0; i < n; i++) {
		v = json_object_get(params, spec[i].name);
		if (v && json_is_null(v))
			v = NULL;
		/* The length first: a list is not even walked past it. */
		limit = spec[i].type == CTL_ARGV ? ARGS_MAX :
		    VARLINK_MAX_NAMES;
		if (v && json_is_array(v) && json_array_size(v) > limit) {
			ctl_error(c, "org.varlink.service.InvalidParameter",
			    json_pack("{s:s, s:i}", "parameter", spec[i].name,
			    "limit", (int)limit));
			return -EINVAL;
		}
		if ((!v && spec[i].required) ||
		    (v && !ctl_param_ok(v, spec[i].type))) {
			ctl_error_invalid_parameter(c, spec[i].name);
			return -EINVAL;
		}
		ctl_param_store(v, &spec[i], out);
	}
	return 0;
}

