/* The user names of the control socket's peers, for the record of who
 * asked: looked up (NSS may block) on the executor when a peer connects
 * and kept in a small cache, so that most calls need no lookup of their
 * own (control.c waits for one only while the pool has a free thread). */
#ifndef JOBD_CONTROL_NAMES_H
#define JOBD_CONTROL_NAMES_H

#include <stdbool.h>
#include <sys/types.h>

struct executor;
struct peer_names;

#define PEER_NAMES_MAX 64		/* uids cached */
#define PEER_NAMES_TTL (10 * 60)	/* seconds before a name is asked
					 * again (the old one used meanwhile) */

struct peer_names *peer_names_new(struct executor *);
/* Drops the owner's reference; lookups in flight hold their own. */
void peer_names_unref(struct peer_names *);
/* Starts a lookup of uid unless its name is cached and fresh, or one is
 * in flight. */
void peer_names_prefetch(struct peer_names *, uid_t);
/* Whether uid's name is known: then *ret is it (NULL: the uid has
 * none), valid until the next prefetch. */
bool peer_names_get(const struct peer_names *, uid_t, const char **ret);

#endif
