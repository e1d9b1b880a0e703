/* The listening socket and the switch to an unprivileged user: both done
 * before any HTTP is parsed, so jobd-web never parses HTTP as root. */
#ifndef JOBD_WEB_LISTEN_H
#define JOBD_WEB_LISTEN_H

/* "ADDR:PORT" or "[ADDR6]:PORT" with a numeric address; returns a
 * listening non-blocking socket, or -errno with *cause (allocated).
 * *ret_name: the address as bound (the port chosen for port 0). */
int listen_open(const char *spec, char **ret_name, char **cause);
/* When running as root: becomes user (its groups included) and checks
 * that root cannot be regained.  0, or -errno with *cause. */
int listen_drop_privileges(const char *user, char **cause);
/* Raises the soft descriptor limit to the hard one (idle clients are
 * cheap; running out of descriptors is not). */
void listen_raise_nofile(void);

#endif
