#include "config.h"

#include "tempdir.h"

#include <dirent.h>
#include <errno.h>
#include <sys/file.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREFIX "ensurepip-"

/* Each run holds a lock (flock) on its directory for as long as it lives: the kernel drops it
 * when the process dies, in whichever PID namespace it ran. */
static _Thread_local int live_lock_fd = -1;

static int remove_tree(const char *path, char *err, size_t errlen);

/* Removes base/name if it is a directory of this user whose run is gone: its lock is free. The
 * lock is held while removing, so that a run that made it an instant ago and has not locked it
 * yet fails to, and makes another. */
static void remove_if_stale(int base_fd, const char *base, const char *name)
{
    int dir = openat(base_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0)
        return;
    struct stat st;
    if (fstat(dir, &st) == 0 && st.st_uid == geteuid() && flock(dir, LOCK_EX | LOCK_NB) == 0) {
        char path[4096], ignored[256];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", base, name) < sizeof path)
            remove_tree(path, ignored, sizeof ignored);
    }
    close(dir);
}

/* Removes base/ensurepip-<pid>-XXXXXX directories of this user whose run is gone. The PID in
 * the name is not asked about: kill(pid, 0) says nothing across PID namespaces. */
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
        remove_if_stale(dirfd(dir), base, e->d_name);
    }
    closedir(dir);
}

static int usable_directory(const char *path)
{
    struct stat st;
    return path != NULL && path[0] == '/' && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
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

/* $TMPDIR if it names a directory (and then only it: the user chose it), else /tmp, else
 * /var/tmp, as Python's tempfile looks for one: each tried by making the directory in it. */
int tempdir_create(char **path, char *err, size_t errlen)
{
    static const char *const fallbacks[] = {"/tmp", "/var/tmp"};
    const char *chosen = getenv("TMPDIR");
    const char *const *bases = fallbacks;
    size_t nbases = sizeof fallbacks / sizeof fallbacks[0];
    if (usable_directory(chosen)) {
        bases = &chosen;
        nbases = 1;
    }
    int first_errno = 0;
    for (size_t i = 0; i < nbases; i++) {
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
             bases[0], nbases > 1 ? " or /var/tmp" : " ($TMPDIR)", strerror(first_errno));
    errno = first_errno;
    return -1;
}

/* nftw has no user pointer; the first failure is kept here for the duration of one call. */
static _Thread_local struct {
    char *err;
    size_t errlen;
    int failed;
} removal;

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    int rc = type == FTW_DP ? rmdir(path) : unlink(path);
    if (rc != 0 && errno != ENOENT && !removal.failed) {
        snprintf(removal.err, removal.errlen, "cannot remove %s: %s", path, strerror(errno));
        removal.failed = 1;
    }
    return 0; /* go on: remove as much as possible */
}

static int remove_tree(const char *path, char *err, size_t errlen)
{
    removal.err = err;
    removal.errlen = errlen;
    removal.failed = 0;
    /* FTW_PHYS: a symbolic link is removed, never followed; FTW_DEPTH: contents first. */
    if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT && !removal.failed) {
        snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
        return -1;
    }
    return removal.failed ? -1 : 0;
}

int tempdir_remove(const char *path, char *err, size_t errlen)
{
    int rc = remove_tree(path, err, errlen);
    /* Unlocked only once removed: until then another run's sweep leaves it alone. */
    if (live_lock_fd >= 0) {
        close(live_lock_fd);
        live_lock_fd = -1;
    }
    return rc;
}
