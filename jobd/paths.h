/* Where jobd's files are when neither the command line nor the
 * configuration says: the control socket and the state directory (by
 * whether jobd runs as root), and the jobd-exec helper. */
#ifndef JOBD_PATHS_H
#define JOBD_PATHS_H

/* /run/jobd/jobd.sock as root, else under $XDG_RUNTIME_DIR.  Allocated. */
char *paths_default_socket(void);
/* /var/lib/jobd as root, else under $XDG_STATE_HOME or ~/.local/state. */
char *paths_default_state_dir(void);
/* $JOBD_EXEC, else jobd-exec beside jobd (a build tree), else where meson
 * installs it.  Allocated. */
char *paths_exec_helper(void);

#endif
