/* The rotated files of an output=file log, FILE.1 (newest) to FILE.keep,
 * each plain or gzip'd (FILE.k.gz): shifting them at a rotation, deleting
 * those older than output_file_max_age=, and compressing the plain ones.
 * All on a directory descriptor from safe_open_dir(), all blocking: worker
 * threads only.  Renames take a lock on the directory, so a compression
 * finishing never races another run's rotation of the same file. */
#ifndef JOBD_LOGFILE_ROTATE_H
#define JOBD_LOGFILE_ROTATE_H

#include <sys/types.h>

#include "timeutil.h"

/* FILE.k and FILE.k.gz become FILE.k+1(.gz), the oldest (FILE.keep)
 * dropped in both forms, then FILE becomes FILE.1 (keep 0: FILE is
 * removed). */
void logrotate_shift(int dir, const char *name, unsigned keep);
/* Deletes FILE.1 .. FILE.keep, plain or .gz, last written before
 * now - max_age.  Returns how many went. */
unsigned logrotate_prune(int dir, const char *name, unsigned keep,
    usec_t max_age, usec_t now);
/* gzips FILE.k (k = 1 .. keep) that is plain into FILE.k.gz, with the
 * same owner, mode and modification time, and removes FILE.k; a file
 * rotated meanwhile is left for the next pass, one that is not a regular
 * file of root or owner with one link is left alone.  Returns 0, or
 * -errno with *why for the first failure, which keeps its plain file. */
int logrotate_compress(int dir, const char *name, unsigned keep,
    uid_t owner, char **why);

#endif
