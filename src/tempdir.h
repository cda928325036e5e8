/* The run's private temporary directory: created with mkdtemp (mode 0700) under $TMPDIR (if
 * it is a directory, else /tmp, else /var/tmp), locked for as long as the run lives, and
 * removed with everything in it through descriptors, never following a symbolic link. */
#ifndef ENSUREPIP_TEMPDIR_H
#define ENSUREPIP_TEMPDIR_H

#include <stddef.h>

/* Creates the directory, named ensurepip-<pid>-XXXXXX; *path is malloc'ed. Returns 0, or -1
 * with a message. Before that, it removes the directories of earlier runs that
 * died without cleaning up (SIGKILL, power loss): those of this user whose lock no process
 * holds (flock on the directory: valid across PID namespaces, unlike asking about the PID). */
int tempdir_create(char **path, char *err, size_t errlen);

/* The directory made by tempdir_create, open (its lock is held on this descriptor), or -1. */
int tempdir_fd(void);

/* 0 if nobody but root and this user can rename path (the directory made by tempdir_create)
 * or any directory it lies in, so that files in it can be used by name; else -1 with why. */
int tempdir_is_private(const char *path, char *why, size_t whylen);

/* Removes the directory and its contents, then drops the run's lock. Returns 0, or -1 with a
 * message naming what could not be removed. */
int tempdir_remove(const char *path, char *err, size_t errlen);

#endif
