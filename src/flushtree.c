#include <Python.h> /* first: it sets feature macros */

#include "config.h"

#include "hostmod.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Making a freshly written tree durable file by file: one fsync after another, each waits for
 * a journal commit of its own; many at once share commits. Measured on ext4 with pip's wheel
 * unpacked twice over (1990 files): one after another 0.17 s; eight Python threads fed by a
 * queue 0.07 s, contending for the GIL with the walk; here, writeback started for a batch
 * first (sync_file_range), then fsync on 16 threads without the GIL: 0.03 s. The batch bounds
 * the descriptors open at once. */
#define BATCH 256
#define THREADS 16

struct batch {
    int fds[BATCH];
    size_t count;
    atomic_size_t next;
    atomic_int error; /* the first errno */
};

static void *flush_some(void *arg)
{
    struct batch *batch = arg;
    for (size_t i; (i = atomic_fetch_add(&batch->next, 1)) < batch->count;) {
        int rc;
        while ((rc = fsync(batch->fds[i])) != 0 && errno == EINTR) /* a signal met on FUSE or NFS */
            ;
        if (rc != 0) {
            int none = 0;
            atomic_compare_exchange_strong(&batch->error, &none, errno);
        }
    }
    return NULL;
}

static int flush_batch(struct batch *batch)
{
#ifdef HAVE_SYNC_FILE_RANGE
    for (size_t i = 0; i < batch->count; i++) /* a hint: fsync below is what counts */
        (void)sync_file_range(batch->fds[i], 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    pthread_t threads[THREADS];
    size_t started = 0;
    atomic_store(&batch->next, 0);
    while (started < THREADS && started < batch->count
           && pthread_create(&threads[started], NULL, flush_some, batch) == 0)
        started++;
    flush_some(batch); /* all of it, if no thread could start */
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    for (size_t i = 0; i < batch->count; i++)
        close(batch->fds[i]);
    batch->count = 0;
    return atomic_load(&batch->error);
}

/* Takes fd over (it is closed once flushed, or now on an error). */
static int add(struct batch *batch, int fd)
{
    batch->fds[batch->count++] = fd;
    return batch->count == BATCH ? flush_batch(batch) : 0;
}

/* A new descriptor: name opened beneath dir_fd without following a link, or (name NULL) a
 * duplicate of dir_fd. Retried after EINTR, as Python's os functions do (PEP 475), and, when
 * descriptors run out, once more after the batch is flushed (and so closed). */
static int new_descriptor(struct batch *batch, int dir_fd, const char *name, int flags)
{
    for (int flushed = 0;;) {
        int fd = name != NULL ? openat(dir_fd, name, flags | O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                              : fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
        if (fd >= 0)
            return fd;
        if (errno == EINTR)
            continue;
        if ((errno != EMFILE && errno != ENFILE) || flushed || batch->count == 0)
            return -1;
        if ((errno = flush_batch(batch)) != 0)
            return -1;
        flushed = 1;
    }
}

/* Adds every regular file and directory beneath dir_fd, dir_fd itself last (taken over). */
static int walk(struct batch *batch, int dir_fd)
{
    int listing = new_descriptor(batch, dir_fd, NULL, 0);
    DIR *dir = listing < 0 ? NULL : fdopendir(listing);
    if (dir == NULL) {
        int error = errno;
        if (listing >= 0)
            close(listing);
        close(dir_fd);
        return error;
    }
    rewinddir(dir); /* the duplicate shares dir_fd's position */
    int error = 0;
    struct dirent *entry;
    while (error == 0 && (errno = 0, entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        unsigned char type = entry->d_type;
        if (type == DT_UNKNOWN) {
            struct stat st;
            if (fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
                error = errno;
                break;
            }
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
        }
        if (type != DT_DIR && type != DT_REG)
            continue; /* links and the like have no data of their own to flush */
        int fd = new_descriptor(batch, dir_fd, entry->d_name, type == DT_DIR ? O_DIRECTORY : 0);
        if (fd < 0)
            error = errno;
        else
            error = type == DT_DIR ? walk(batch, fd) : add(batch, fd);
    }
    if (error == 0 && errno != 0)
        error = errno; /* readdir failed */
    closedir(dir);
    if (error == 0)
        return add(batch, dir_fd);
    close(dir_fd);
    return error;
}

PyObject *flushtree_flush_tree(PyObject *Py_UNUSED(module), PyObject *args)
{
    int dir_fd;
    if (!PyArg_ParseTuple(args, "i:flush_tree", &dir_fd))
        return NULL;
    struct batch *batch = PyMem_RawCalloc(1, sizeof *batch);
    if (batch == NULL)
        return PyErr_NoMemory();
    int error;
    Py_BEGIN_ALLOW_THREADS
    int own = new_descriptor(batch, dir_fd, NULL, 0);
    error = own < 0 ? errno : walk(batch, own);
    if (error == 0)
        error = flush_batch(batch);
    else
        for (size_t i = 0; i < batch->count; i++)
            close(batch->fds[i]);
    Py_END_ALLOW_THREADS
    PyMem_RawFree(batch);
    errno = error;
    return error != 0 ? PyErr_SetFromErrno(PyExc_OSError) : Py_NewRef(Py_None);
}
