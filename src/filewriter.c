#include <Python.h> /* first: it sets feature macros */

#include "config.h"

#include "filewriter.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum job_state { QUEUED, RUNNING, DONE };

struct job {
    char *path;
    unsigned char *data; /* freed once written */
    size_t size;
    mode_t mode;
    enum job_state state;
    int error;
    unsigned char digest[FILEWRITER_DIGEST_SIZE];
};

/* The thread is woken when this many jobs wait for it, or when a caller waits for one: waking
 * it for each job cost pip's thread 60 us a .pyc on a VM (44 ms a run, where the copy of the
 * data took 1 ms), a wake-up being an interrupt from one CPU to the other. */
#define WAKE_BATCH 32

struct filewriter {
    pthread_mutex_t lock;
    pthread_cond_t work_ready; /* jobs for the thread, or the writer stopping */
    pthread_cond_t job_done;
    pthread_t thread;
    int threaded;
    int idle; /* the thread waits for work_ready */
    atomic_int stopping; /* also read between the jobs of a batch, without the lock */
    struct job **jobs;
    size_t count, capacity;
    size_t next; /* the next job the thread takes */
};

static int write_all(const char *path, const unsigned char *data, size_t size, mode_t mode)
{
    int fd;
    while ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) < 0 && errno == EINTR)
        ;
    if (fd < 0)
        return errno;
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int error = errno;
            close(fd);
            return error;
        }
        data += n;
        size -= (size_t)n;
    }
    return close(fd) != 0 && errno != EINTR ? errno : 0;
}

static void do_job(struct job *job)
{
    job->error = write_all(job->path, job->data, job->size, job->mode);
    if (job->error == 0) {
        struct sha256_ctx ctx;
        sha256_init(&ctx);
        sha256_update(&ctx, job->size, job->data);
        sha256_digest(&ctx, sizeof job->digest, job->digest);
    }
    free(job->data);
    job->data = NULL;
}

static void *work(void *arg)
{
    struct filewriter *writer = arg;
    pthread_mutex_lock(&writer->lock);
    for (;;) {
        while (!writer->stopping && writer->next == writer->count) {
            writer->idle = 1;
            pthread_cond_wait(&writer->work_ready, &writer->lock);
            writer->idle = 0;
        }
        if (writer->stopping)
            break;
        /* The jobs waiting, up to a batch, taken and given back under one lock each: pip's
         * thread then seldom finds the lock held. */
        struct job *taken[WAKE_BATCH];
        size_t count = 0;
        while (count < WAKE_BATCH && writer->next < writer->count) {
            taken[count] = writer->jobs[writer->next++];
            taken[count++]->state = RUNNING;
        }
        pthread_mutex_unlock(&writer->lock);
        size_t done = 0;
        while (done < count && !atomic_load(&writer->stopping))
            do_job(taken[done++]);
        pthread_mutex_lock(&writer->lock);
        for (size_t i = 0; i < done; i++)
            taken[i]->state = DONE;
        pthread_cond_broadcast(&writer->job_done); /* no system call when none waits */
    }
    pthread_mutex_unlock(&writer->lock);
    return NULL;
}

struct filewriter *filewriter_start(void)
{
    struct filewriter *writer = calloc(1, sizeof *writer);
    if (writer == NULL)
        return NULL;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&writer->job_done, &attr);
    pthread_cond_init(&writer->work_ready, NULL);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&writer->lock, NULL);
    atomic_init(&writer->stopping, 0);
    /* Signals go to the caller's threads, as they would without this one. */
    sigset_t all, before;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &before);
    writer->threaded = pthread_create(&writer->thread, NULL, work, writer) == 0;
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    return writer;
}

long filewriter_submit(struct filewriter *writer, const char *path, const void *data, size_t size, mode_t mode)
{
    struct job *job = calloc(1, sizeof *job);
    char *path_copy = strdup(path);
    unsigned char *data_copy = malloc(size ? size : 1);
    if (job == NULL || path_copy == NULL || data_copy == NULL) {
        free(job);
        free(path_copy);
        free(data_copy);
        return -1;
    }
    memcpy(data_copy, data, size);
    *job = (struct job){.path = path_copy, .data = data_copy, .size = size, .mode = mode, .state = QUEUED};
    pthread_mutex_lock(&writer->lock);
    if (writer->count == writer->capacity) {
        size_t capacity = writer->capacity ? 2 * writer->capacity : 256;
        struct job **jobs = realloc(writer->jobs, capacity * sizeof *jobs);
        if (jobs == NULL) {
            pthread_mutex_unlock(&writer->lock);
            free(path_copy);
            free(data_copy);
            free(job);
            return -1;
        }
        writer->jobs = jobs;
        writer->capacity = capacity;
    }
    long number = (long)writer->count;
    writer->jobs[writer->count++] = job;
    if (writer->idle && writer->count - writer->next >= WAKE_BATCH)
        pthread_cond_signal(&writer->work_ready);
    pthread_mutex_unlock(&writer->lock);
    return number;
}

int filewriter_wait(struct filewriter *writer, long number, int timeout_ms, unsigned char digest[FILEWRITER_DIGEST_SIZE],
                    int *error)
{
    pthread_mutex_lock(&writer->lock);
    if (number < 0 || (size_t)number >= writer->count) {
        pthread_mutex_unlock(&writer->lock);
        *error = EINVAL;
        return 1;
    }
    struct job *job = writer->jobs[number];
    if (!writer->threaded && job->state == QUEUED) {
        job->state = RUNNING;
        pthread_mutex_unlock(&writer->lock);
        do_job(job);
        pthread_mutex_lock(&writer->lock);
        job->state = DONE;
    }
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    if (job->state == QUEUED && writer->idle)
        pthread_cond_signal(&writer->work_ready);
    while (job->state != DONE && pthread_cond_timedwait(&writer->job_done, &writer->lock, &deadline) != ETIMEDOUT)
        ;
    int done = job->state == DONE;
    if (done) {
        *error = job->error;
        memcpy(digest, job->digest, FILEWRITER_DIGEST_SIZE);
    }
    pthread_mutex_unlock(&writer->lock);
    return done;
}

void filewriter_stop(struct filewriter *writer)
{
    if (writer->threaded) {
        pthread_mutex_lock(&writer->lock);
        writer->stopping = 1;
        pthread_cond_signal(&writer->work_ready);
        pthread_mutex_unlock(&writer->lock);
        pthread_join(writer->thread, NULL);
    }
    for (size_t i = 0; i < writer->count; i++) {
        free(writer->jobs[i]->path);
        free(writer->jobs[i]->data);
        free(writer->jobs[i]);
    }
    free(writer->jobs);
    pthread_cond_destroy(&writer->work_ready);
    pthread_cond_destroy(&writer->job_done);
    pthread_mutex_destroy(&writer->lock);
    free(writer);
}

/* --- Python's face ------------------------------------------------------------------------- */

#define CAPSULE_NAME "ensurepip.file_writer"
#define WAIT_SLICE_MS 50 /* how long a wait goes without running Python's signal handlers */

struct py_writer {
    struct filewriter *writer; /* NULL once stopped */
};

static void py_writer_stop(struct py_writer *w)
{
    struct filewriter *writer = w->writer;
    w->writer = NULL;
    if (writer != NULL) {
        Py_BEGIN_ALLOW_THREADS
        filewriter_stop(writer);
        Py_END_ALLOW_THREADS
    }
}

static void py_writer_free(PyObject *capsule)
{
    struct py_writer *w = PyCapsule_GetPointer(capsule, CAPSULE_NAME);
    if (w == NULL) {
        PyErr_Clear();
        return;
    }
    py_writer_stop(w);
    PyMem_Free(w);
}

static struct filewriter *running_writer(PyObject *capsule)
{
    struct py_writer *w = PyCapsule_GetPointer(capsule, CAPSULE_NAME);
    if (w != NULL && w->writer == NULL)
        PyErr_SetString(PyExc_ValueError, "the file writer is stopped");
    return w != NULL ? w->writer : NULL;
}

PyObject *filewriter_py_start(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(args))
{
    struct py_writer *w = PyMem_Calloc(1, sizeof *w);
    if (w == NULL)
        return PyErr_NoMemory();
    Py_BEGIN_ALLOW_THREADS
    w->writer = filewriter_start();
    Py_END_ALLOW_THREADS
    PyObject *capsule = w->writer != NULL ? PyCapsule_New(w, CAPSULE_NAME, py_writer_free) : PyErr_NoMemory();
    if (capsule == NULL) {
        py_writer_stop(w);
        PyMem_Free(w);
    }
    return capsule;
}

PyObject *filewriter_py_submit(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *capsule, *path;
    Py_buffer data;
    int mode;
    if (!PyArg_ParseTuple(args, "OO&y*i:write_file", &capsule, PyUnicode_FSConverter, &path, &data, &mode))
        return NULL;
    struct filewriter *writer = running_writer(capsule);
    long job = writer != NULL ? filewriter_submit(writer, PyBytes_AS_STRING(path), data.buf, (size_t)data.len,
                                                  (mode_t)mode)
                              : -1;
    Py_DECREF(path);
    PyBuffer_Release(&data);
    if (writer != NULL && job < 0)
        return PyErr_NoMemory();
    return job >= 0 ? PyLong_FromLong(job) : NULL;
}

PyObject *filewriter_py_wait(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *capsule, *path;
    long job;
    if (!PyArg_ParseTuple(args, "OlO:written", &capsule, &job, &path))
        return NULL;
    struct filewriter *writer = running_writer(capsule);
    if (writer == NULL)
        return NULL;
    unsigned char digest[FILEWRITER_DIGEST_SIZE];
    int error, done;
    for (;;) {
        Py_BEGIN_ALLOW_THREADS
        done = filewriter_wait(writer, job, WAIT_SLICE_MS, digest, &error);
        Py_END_ALLOW_THREADS
        if (done)
            break;
        if (PyErr_CheckSignals() != 0) /* a handler raised: the job goes on, unwaited for */
            return NULL;
    }
    if (error != 0) {
        errno = error;
        return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
    }
    return PyBytes_FromStringAndSize((const char *)digest, sizeof digest);
}

PyObject *filewriter_py_stop(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *capsule;
    if (!PyArg_ParseTuple(args, "O:stop_writer", &capsule))
        return NULL;
    struct py_writer *w = PyCapsule_GetPointer(capsule, CAPSULE_NAME);
    if (w == NULL)
        return NULL;
    py_writer_stop(w);
    Py_RETURN_NONE;
}
