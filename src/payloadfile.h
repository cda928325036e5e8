/* A payload as a file the embedded interpreter opens by name (zipimport, pip's installer): an
 * in-memory file sealed against change, reached as /proc/self/fd/N, a name no other process can
 * rebind; where /proc is missing (some build chroots), a read-only file in the run's private
 * temporary directory. */
#ifndef ENSUREPIP_PAYLOADFILE_H
#define ENSUREPIP_PAYLOADFILE_H

#include <stddef.h>

struct payload_file {
    int fd;        /* the in-memory file, or -1 */
    char *path;    /* what goes on sys.path; malloc'ed */
};

/* Makes the file NAME from data. Without /proc, writes tmpdir/NAME. Returns 0, or -1 with a
 * message; payload_file_close() is due either way. */
int payload_file_open(struct payload_file *f, const char *name, const void *data, size_t size,
                      const char *tmpdir, char *err, size_t errlen);

/* Makes the in-memory file NAME from data, and nothing else. Returns 0, or -1. */
int payload_file_in_memory(struct payload_file *f, const char *name, const void *data, size_t size);

/* Closes it (the temporary directory's copy goes with that directory). */
void payload_file_close(struct payload_file *f);

#endif
