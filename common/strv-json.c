/* String vectors as JSON arrays, for jobd's protocol layer and jobctl
 * alike; strv.c stays free of jansson for jobd-exec. */
#include <stddef.h>

#include "strv-json.h"
#include "strv.h"

json_t *
strv_json(char *const *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

char **
json_strv(const json_t *a)
{
	char **v = NULL;
	json_t *e;
	size_t i;

	json_array_foreach(a, i, e)
		v = strv_append(v, json_string_value(e));
	return v;
}
