#include "config.h"

#include "tempdir.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREFIX "ensurepip-"

/* Removes base/ensurepip-<pid>-XXXXXX directories of this user whose process is gone. */
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
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive, or not ours to ask about */
        struct stat st;
        if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)
            || st.st_uid != geteuid())
            continue;
        char path[4096], ignored[256];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", base, e->d_name) < sizeof path)
            tempdir_remove(path, ignored, sizeof ignored);
    }
    closedir(dir);
}

/* Where temporary files go: $TMPDIR if it names a usable directory, else /tmp, else /var/tmp
 * (Python's tempfile also falls back). */
static const char *temp_base(void)
{
    static const char *const fallbacks[] = {"/tmp", "/var/tmp"};
    const char *base = getenv("TMPDIR");
    struct stat st;
    if (base != NULL && base[0] == '/' && stat(base, &st) == 0 && S_ISDIR(st.st_mode))
        return base;
    for (size_t i = 0; i < sizeof fallbacks / sizeof fallbacks[0]; i++)
        if (stat(fallbacks[i], &st) == 0 && S_ISDIR(st.st_mode))
            return fallbacks[i];
    return base != NULL && base[0] == '/' ? base : "/tmp";
}

int tempdir_create(char **path, char *err, size_t errlen)
{
    const char *base = temp_base();
    sweep_stale(base);
    size_t n = strlen(base) + sizeof "/" PREFIX "-XXXXXX" + 24;
    char *tmpl = malloc(n);
    if (tmpl == NULL) {
        snprintf(err, errlen, "out of memory");
        errno = ENOMEM;
        return -1;
    }
    snprintf(tmpl, n, "%s%s" PREFIX "%ld-XXXXXX", base, base[strlen(base) - 1] == '/' ? "" : "/",
             (long)getpid());
    if (mkdtemp(tmpl) == NULL) {
        int saved = errno;
        snprintf(err, errlen, "cannot create a temporary directory in %s: %s (set TMPDIR to a writable directory)",
                 base, strerror(saved));
        free(tmpl);
        errno = saved;
        return -1;
    }
    *path = tmpl;
    return 0;
}

int tempdir_write(const char *dir, const char *name, const void *data, size_t len, char **path,
                  char *err, size_t errlen)
{
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *full = malloc(n);
    if (full == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(full, n, "%s/%s", dir, name);
    int fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        goto fail;
    for (const char *p = data; len > 0;) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int saved = errno;
            close(fd);
            unlink(full);
            errno = saved;
            goto fail;
        }
        p += w;
        len -= (size_t)w;
    }
    if (close(fd) != 0) {
        int saved = errno;
        unlink(full);
        errno = saved;
        goto fail;
    }
    *path = full;
    return 0;
fail:;
    int saved = errno;
    snprintf(err, errlen, "cannot write %s: %s", full, strerror(saved));
    free(full);
    errno = saved;
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

int tempdir_remove(const char *path, char *err, size_t errlen)
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
