/* jobctl nodes: the nodes of jobd's cluster, from the Nodes method; a
 * node whose job definitions differ from this node's is marked, since
 * it may run slots its own way. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jobctl.h"
#include "print.h"
#include "timeutil.h"
#include "varlink.h"

/* "in 4s", "3s ago" (lease expiry), to the second. */
static const char *
lease_text(char *buf, size_t len, json_int_t usec)
{
	json_int_t now = (json_int_t)now_realtime(), d = usec - now;

	if (d >= 0)
		snprintf(buf, len, "in %llds", (long long)((d + 999999) /
		    1000000));
	else
		snprintf(buf, len, "%llds ago", (long long)(-d / 1000000));
	return buf;
}

static const char *
field(json_t *n, const char *key)
{
	return json_string_value(json_object_get(n, key)) ?: "-";
}

static void
print_nodes(json_t *p)
{
	json_t *nodes = json_object_get(p, "nodes"), *n, *me = NULL;
	char lease[32], joined[32];
	size_t i;
	time_t t;

	json_array_foreach(nodes, i, n)
		if (json_is_true(json_object_get(n, "this")))
			me = n;
	printf("cluster %s, this node %s\n", field(p, "cluster"),
	    field(p, "node"));
	printf("%-16s %-8s %-10s %-7s %-8s %-11s %s\n", "NODE", "STATE",
	    "LEASE", "RUNNING", "VERSION", "DEFINITIONS", "JOINED");
	json_array_foreach(nodes, i, n) {
		t = (time_t)(json_integer_value(json_object_get(n,
		    "joined_usec")) / 1000000);
		strftime(joined, sizeof(joined), "%Y-%m-%d %H:%M:%S",
		    localtime(&t));
		printf("%-16s %-8s %-10s %-7lld %-8s %-11s %s\n",
		    field(n, "name"), field(n, "state"),
		    strcmp(field(n, "state"), "alive") &&
		    strcmp(field(n, "state"), "expired") ? "-" :
		    lease_text(lease, sizeof(lease), json_integer_value(
		    json_object_get(n, "lease_expires_usec"))),
		    (long long)json_integer_value(json_object_get(n,
		    "running")), field(n, "version"),
		    me && !strcmp(field(n, "config_hash"), field(me,
		    "config_hash")) ? "same" : "DIFFERENT", joined);
	}
}

static int
reply_nodes(json_t *p, bool continues UNUSED, void *data)
{
	struct ctx *c = data;

	if (!json_is_array(json_object_get(p, "nodes")))
		return client_mismatch("reply has no 'nodes' array");
	if (c->opts & OPT_JSON)
		print_json(p);
	else
		print_nodes(p);
	return 0;
}

int
verbs_nodes(struct ctx *c)
{
	return jobctl_call(c, VARLINK_INTERFACE ".Nodes", json_object(), false,
	    reply_nodes);
}
