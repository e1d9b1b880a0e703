/* Signal names as users write them: "TERM", "SIGTERM", "15". */
#ifndef JOBD_SIGNAME_H
#define JOBD_SIGNAME_H

/* Returns the signal number, or -EINVAL. */
int signal_from_string(const char *s);
/* "SIGTERM"; a number as text for signals without a name. */
const char *signal_to_string(int sig);

#endif
