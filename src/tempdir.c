#include "config.h"

#include "tempdir.h"

#include <dirent.h>
#include <errno.h>
#include <sys/file.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREFIX "ensurepip-"

/* Each run holds a lock (flock) on its directory for as long as it lives: the kernel drops it
 * when the process dies, in whichever PID namespace it ran. */
static _Thread_local int live_lock_fd = -1;

/* Removes everything in the directory open as dir, through descriptors opened without
 * following links: the tree may lie in a directory others can write to (a TMPDIR without the
 * sticky bit), and a path walked name by name there can be made to lead elsewhere half-way.
 * Goes on past failures; the first is described in err. */
static int remove_contents(int dir, const char *shown, char *err, size_t errlen)
{
    int failed = 0;
    int listing = dup(dir);
    DIR *entries = listing >= 0 ? fdopendir(listing) : NULL;
    if (entries == NULL) {
        if (listing >= 0)
            close(listing);
        snprintf(err, errlen, "cannot list %s: %s", shown, strerror(errno));
        return -1;
    }
    for (struct dirent *e; (e = readdir(entries)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (unlinkat(dir, e->d_name, 0) == 0 || errno == ENOENT)
            continue;
        int error = errno; /* EISDIR for a directory (EPERM on some systems) */
        int sub = error == EISDIR || error == EPERM
            ? openat(dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
        if (sub >= 0) {
            char sub_err[512];
            if (remove_contents(sub, shown, sub_err, sizeof sub_err) != 0 && !failed) {
                snprintf(err, errlen, "%s", sub_err);
                failed = 1;
            }
            close(sub);
            if (unlinkat(dir, e->d_name, AT_REMOVEDIR) == 0 || errno == ENOENT)
                continue;
            error = errno;
        }
        if (!failed)
            snprintf(err, errlen, "cannot remove %s in %s: %s", e->d_name, shown, strerror(error));
        failed = 1;
    }
    closedir(entries);
    return failed ? -1 : 0;
}

/* Removes the directory open as dir (and locked by this run) and its contents; its name in
 * base is removed only while it still names that directory: another user may have renamed it
 * and put something else there. */
static int remove_tree_at(int base_fd, const char *name, int dir, const char *shown, char *err, size_t errlen)
{
    int rc = remove_contents(dir, shown, err, errlen);
    struct stat held, named;
    if (fstat(dir, &held) == 0 && fstatat(base_fd, name, &named, AT_SYMLINK_NOFOLLOW) == 0
        && held.st_dev == named.st_dev && held.st_ino == named.st_ino
        && unlinkat(base_fd, name, AT_REMOVEDIR) != 0 && errno != ENOENT && rc == 0) {
        snprintf(err, errlen, "cannot remove %s: %s", shown, strerror(errno));
        rc = -1;
    }
    return rc;
}

/* Removes base/ensurepip-<pid>-XXXXXX directories of this user whose run is gone (tempdir.h). */
static void sweep_stale(const char *base)
{
    DIR *dir = opendir(base);
    if (dir == NULL)
        return;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        if (strncmp(e->d_name, PREFIX, strlen(PREFIX)) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + strlen(PREFIX), &end, 10);
        if (end == e->d_name + strlen(PREFIX) || *end != '-' || strlen(end) != 7 || pid <= 0)
            continue;
        /* Its run is gone if its lock is free. The lock is held while removing, so that a run
         * that made it an instant ago and has not locked it yet fails to, and makes another. */
        int fd = openat(dirfd(dir), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        char ignored[256];
        if (fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == geteuid() && flock(fd, LOCK_EX | LOCK_NB) == 0)
            remove_tree_at(dirfd(dir), e->d_name, fd, base, ignored, sizeof ignored);
        if (fd >= 0)
            close(fd);
    }
    closedir(dir);
}

/* Makes base/ensurepip-<pid>-XXXXXX and locks it; a directory another run's sweep got hold of
 * first (locked by it, or already gone) is left to it, and another one made. Returns the
 * malloc'ed path, or NULL with errno set. */
static char *make_locked_directory(const char *base)
{
    size_t n = strlen(base) + sizeof "/" PREFIX "-XXXXXX" + 24;
    char *tmpl = malloc(n);
    if (tmpl == NULL)
        return NULL;
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(tmpl, n, "%s%s" PREFIX "%ld-XXXXXX", base, base[strlen(base) - 1] == '/' ? "" : "/",
                 (long)getpid());
        if (mkdtemp(tmpl) == NULL)
            break;
        int fd = open(tmpl, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat held, named;
        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &held) == 0 && stat(tmpl, &named) == 0
            && held.st_ino == named.st_ino && held.st_dev == named.st_dev) {
            live_lock_fd = fd;
            return tmpl;
        }
        if (fd >= 0)
            close(fd);
    }
    int saved = errno;
    free(tmpl);
    errno = saved;
    return NULL;
}

/* Only $TMPDIR if it is a directory (the user chose it), else /tmp, else /var/tmp (tempdir.h). */
int tempdir_create(char **path, char *err, size_t errlen)
{
    const char *bases[] = {getenv("TMPDIR"), "/tmp", "/var/tmp"};
    struct stat st;
    int chosen = bases[0] != NULL && bases[0][0] == '/' && stat(bases[0], &st) == 0 && S_ISDIR(st.st_mode);
    size_t first = chosen ? 0 : 1, end = chosen ? 1 : 3;
    int first_errno = 0;
    for (size_t i = first; i < end; i++) {
        sweep_stale(bases[i]);
        char *made = make_locked_directory(bases[i]);
        if (made != NULL) {
            *path = made;
            return 0;
        }
        if (first_errno == 0)
            first_errno = errno;
    }
    snprintf(err, errlen, "cannot create a temporary directory in %s%s: %s (set TMPDIR to a writable directory)",
             bases[first], chosen ? " ($TMPDIR)" : " or /var/tmp", strerror(first_errno));
    return -1;
}

/* Checks each directory that holds a component of path (absolute): another user (not root, not
 * this one) must not be able to rename its entries, as its owner, or where group or others may
 * write without the sticky bit. */
static int ancestors_private(const char *path, char *why, size_t whylen)
{
    char *prefix = strdup(path);
    if (prefix == NULL) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (char *slash = strrchr(prefix, '/'); slash != NULL && rc == 0; slash = strrchr(prefix, '/')) {
        slash[slash == prefix] = '\0'; /* the parent; "/" itself for the last */
        struct stat st;
        if (stat(prefix, &st) != 0) {
            snprintf(why, whylen, "cannot inspect %s: %s", prefix, strerror(errno));
            rc = -1;
        } else if ((st.st_uid != 0 && st.st_uid != geteuid())
                   || ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
            snprintf(why, whylen, "%s is %s", prefix, st.st_uid != 0 && st.st_uid != geteuid()
                     ? "another user's" : "writable by other users without the sticky bit");
            rc = -1;
        }
        if (slash == prefix)
            break;
    }
    free(prefix);
    return rc;
}

int tempdir_is_private(const char *path, char *why, size_t whylen)
{
    if (ancestors_private(path, why, whylen) != 0)
        return -1;
    char *real = realpath(path, NULL);
    int rc = real != NULL ? ancestors_private(real, why, whylen) : -1;
    if (real == NULL)
        snprintf(why, whylen, "cannot resolve %s: %s", path, strerror(errno));
    free(real);
    struct stat held, named;
    if (rc == 0 && (live_lock_fd < 0 || fstat(live_lock_fd, &held) != 0 || lstat(path, &named) != 0
                    || held.st_dev != named.st_dev || held.st_ino != named.st_ino)) {
        snprintf(why, whylen, "%s is no longer this run's directory", path);
        rc = -1;
    }
    return rc;
}

int tempdir_fd(void)
{
    return live_lock_fd;
}

int tempdir_remove(const char *path, char *err, size_t errlen)
{
    int rc = -1;
    const char *slash = strrchr(path, '/');
    char *base = slash != NULL ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : NULL;
    int base_fd = base != NULL ? open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (live_lock_fd < 0 || base_fd < 0)
        snprintf(err, errlen, "cannot remove %s: %s", path, live_lock_fd < 0 ? "not this run's" : strerror(errno));
    else
        rc = remove_tree_at(base_fd, slash + 1, live_lock_fd, path, err, errlen);
    if (base_fd >= 0)
        close(base_fd);
    free(base);
    /* Unlocked only once removed: until then another run's sweep leaves it alone. */
    if (live_lock_fd >= 0) {
        close(live_lock_fd);
        live_lock_fd = -1;
    }
    return rc;
}
