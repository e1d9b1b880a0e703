/* The files of jobd's sockets (control and notify): their directory made
 * with its parents before any socket, and a socket file replaced only when
 * nobody listens on it any more. */
#ifndef JOBD_SOCKPATH_H
#define JOBD_SOCKPATH_H

/* Makes the directory that will hold path, and its parents (mode 0755,
 * like systemd's RuntimeDirectory=).  0 or -errno. */
int sockpath_make_dir(const char *path);
/* Frees path for bind(): 0 when nothing is there or a stale socket file
 * was removed; -EADDRINUSE when a process still answers on it (type:
 * SOCK_STREAM or SOCK_DGRAM); -EEXIST when it is not a socket. */
int sockpath_claim(const char *path, int type);

#endif
