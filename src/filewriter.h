/* Files written on a thread of their own, one after another in the order given, each with the
 * SHA-256 of what was written: the .pyc files the glue makes while pip's installer unpacks the
 * next file (py/bytecode.py). The thread never takes Python's GIL, so pip's thread never waits
 * for it: a Python thread doing the same work took the GIL back after every system call, and
 * pip's thread lost more time waiting for it than the thread saved. */
#ifndef ENSUREPIP_FILEWRITER_H
#define ENSUREPIP_FILEWRITER_H

#include <Python.h>

#include <stddef.h>
#include <sys/types.h>

#define FILEWRITER_DIGEST_SIZE 32

struct filewriter;

/* A writer with its thread started; without a thread (pthread_create failed), jobs are done by
 * filewriter_wait on the caller's thread. NULL only when out of memory. */
struct filewriter *filewriter_start(void);

/* Queues a job: path created or truncated with mode, holding size bytes of data (both copied,
 * the data's copy freed once written). Returns the job's number (0, 1, ...), or -1 when out of
 * memory. */
long filewriter_submit(struct filewriter *writer, const char *path, const void *data, size_t size, mode_t mode);

/* Waits at most timeout_ms for the job (numbered as filewriter_submit returned it); returns 0 if
 * it is not done yet, else 1 with *error the errno of its failure (0 if the file was written)
 * and, when written, digest the SHA-256 of the data. */
int filewriter_wait(struct filewriter *writer, long job, int timeout_ms, unsigned char digest[FILEWRITER_DIGEST_SIZE],
                    int *error);

/* Stops the thread and frees the writer: jobs not started are not done, the one being done is
 * finished first. */
void filewriter_stop(struct filewriter *writer);

/* Python's face of it, for the glue (_ensurepip_host): file_writer() gives a capsule that stops
 * its writer when collected; write_file(writer, path, data, mode) queues a job and returns its
 * number; written(writer, job, path) waits for it, running Python's signal handlers while it
 * waits, and returns the SHA-256 of the data, or raises OSError naming path; stop_writer(writer)
 * stops it now. */
PyObject *filewriter_py_start(PyObject *module, PyObject *args);
PyObject *filewriter_py_submit(PyObject *module, PyObject *args);
PyObject *filewriter_py_wait(PyObject *module, PyObject *args);
PyObject *filewriter_py_stop(PyObject *module, PyObject *args);

#endif
