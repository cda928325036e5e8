/* Paths inside a root filesystem that is being built, resolved as the system it becomes will
 * resolve them: the root is its "/", an absolute symbolic link starts again at the root, and
 * ".." stops there. A link inside the root can never lead out of it (an image tree's
 * usr/local -> /usr/local names the image's own directory, not the build host's). */
#ifndef ENSUREPIP_ROOTPATH_H
#define ENSUREPIP_ROOTPATH_H

/* path (absolute, as on the final system) with every symbolic link that exists under root
 * resolved; components that do not exist are kept as they are. root is an absolute directory
 * ("/" or NULL for the live system). Returns the malloc'ed final-system path, or NULL with errno
 * (ENOMEM; ELOOP past 40 links; EINVAL for a relative path). */
char *rootpath_resolve(const char *root, const char *path);

/* The path under root where the final-system path lies now: root + path (malloc'ed). */
char *rootpath_join(const char *root, const char *path);

#endif
