/* Opening files as root in directories a job's user may control, without
 * being led elsewhere: paths are walked one component at a time on
 * directory descriptors, a symbolic link is followed only when root owns
 * it, and every directory must belong to root or to the job's user.
 * Blocking (the file system): call on the executor. */
#ifndef JOBD_SAFE_PATH_H
#define JOBD_SAFE_PATH_H

#include <stdbool.h>
#include <sys/types.h>

/* Whom a path may belong to besides root: the user a run runs as. */
struct path_owner {
	uid_t uid;
	gid_t gid;
};

/* Opens the absolute directory path as an O_PATH descriptor, creating
 * missing directories (mode 0750, given to the owner when its parent is
 * the owner's) when create.  The directory itself must be writable by
 * nobody but root and the owner.  Returns the descriptor, or -errno with
 * *why saying which component was refused and why. */
int safe_open_dir(const char *path, const struct path_owner *, bool create,
    char **why);
/* Opens name in dir (from safe_open_dir) with flags (O_NOFOLLOW, O_NONBLOCK
 * and O_CLOEXEC added), refusing anything but a regular file of root or
 * the owner with one link.  A file it creates is given to the owner when
 * the directory is the owner's.  Returns the fd, or -errno with *why. */
int safe_open_file(int dir, const char *dir_path, const char *name,
    const struct path_owner *, int flags, mode_t mode, char **why);

#endif
