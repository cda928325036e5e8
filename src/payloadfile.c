#include "config.h"

#include "payloadfile.h"
#include "tempdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int write_all(int fd, const unsigned char *data, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        size -= (size_t)n;
    }
    return 0;
}

int payload_file_in_memory(struct payload_file *f, const char *name, const void *data, size_t size)
{
    *f = (struct payload_file){-1, NULL};
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -1;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (write_all(fd, data, size) != 0
        || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0
        || access(path, R_OK) != 0 || (f->path = strdup(path)) == NULL) {
        close(fd);
        return -1;
    }
    f->fd = fd;
    return 0;
}

int payload_file_open(struct payload_file *f, const char *name, const void *data, size_t size,
                      const char *tmpdir, char *err, size_t errlen)
{
    *f = (struct payload_file){-1, NULL};
    if (payload_file_in_memory(f, name, data, size) == 0)
        return 0;
    char why[1024];
    if (tempdir_is_private(tmpdir, why, sizeof why) != 0) {
        snprintf(err, errlen, "without /proc/self/fd it would be a file in %s, and %s: another user could "
                 "replace it (set TMPDIR to a directory only root and you can change, or mount /proc)",
                 tmpdir, why);
        return -1;
    }
    if (asprintf(&f->path, "%s/%s", tmpdir, name) < 0) {
        f->path = NULL;
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
    int written = fd >= 0 && write_all(fd, data, size) == 0;
    int closed = fd >= 0 && close(fd) == 0; /* once: the number may be another thread's after */
    if (written && closed)
        return 0;
    snprintf(err, errlen, "cannot write %s: %s (set TMPDIR to a directory with space)", f->path, strerror(errno));
    if (fd >= 0)
        unlink(f->path);
    return -1;
}

void payload_file_close(struct payload_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    free(f->path);
}
