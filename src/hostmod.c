#include <Python.h> /* first: it sets feature macros */

#include "config.h"

#include "hostmod.h"

#include "filewriter.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "interrupt.h"

/* What the glue gets from the C host: the run's message sink, the signal record, the record of
 * the extension modules loaded from memory in this process, and the system calls Python's os
 * module lacks: renameat2's RENAME_EXCHANGE between directory descriptors, to keep every change
 * inside the target's own directories, a whole tree flushed to disk at once (flushtree.c), and
 * files written on a thread that never takes the GIL (filewriter.c). */

static struct run *current_run(PyObject *module)
{
    return *(struct run **)PyModule_GetState(module);
}

/* Lines may hold paths: PyUnicode_FSConverter gives their bytes back (surrogateescape). */
static PyObject *host_log(PyObject *module, PyObject *args)
{
    int level;
    const char *tag;
    PyObject *message;
    if (!PyArg_ParseTuple(args, "isO&:log", &level, &tag, PyUnicode_FSConverter, &message))
        return NULL;
    run_say(current_run(module), level, tag, "%s", PyBytes_AS_STRING(message));
    Py_DECREF(message);
    Py_RETURN_NONE;
}

static PyObject *host_progress(PyObject *module, PyObject *args)
{
    PyObject *text;
    if (!PyArg_ParseTuple(args, "O&:progress", PyUnicode_FSConverter, &text))
        return NULL;
    run_progress(current_run(module), "%s", PyBytes_AS_STRING(text));
    Py_DECREF(text);
    Py_RETURN_NONE;
}

/* The extension modules the glue loaded from in-memory files (/proc/self/fd/N), by name, for
 * the life of the process: the dynamic linker keeps a loaded library, and finds it again, by
 * the name it was opened by. A module loaded before is loaded again by that same name (and the
 * linker hands back the library it has); a new one gets a descriptor number that no earlier one
 * had, so that its name cannot be mistaken for another's. A build carries a fixed set of a few
 * dozen modules, so the tables stay small. */
#define MAX_EXTENSIONS 256
static struct extension {
    char *name, *path;
} loaded_extensions[MAX_EXTENSIONS];
static size_t loaded_count;
static int highest_descriptor = -1;

/* extension(name): the path it was loaded from before, or None; extension(name, path): records
 * that it was loaded from path. */
static PyObject *host_extension(PyObject *Py_UNUSED(module), PyObject *args)
{
    const char *name;
    PyObject *path = NULL;
    if (!PyArg_ParseTuple(args, "s|O&:extension", &name, PyUnicode_FSConverter, &path))
        return NULL;
    for (size_t i = 0; path == NULL && i < loaded_count; i++)
        if (strcmp(loaded_extensions[i].name, name) == 0)
            return PyUnicode_DecodeFSDefault(loaded_extensions[i].path);
    if (path != NULL && loaded_count < MAX_EXTENSIONS) {
        struct extension copy = {strdup(name), strdup(PyBytes_AS_STRING(path))};
        if (copy.name != NULL && copy.path != NULL) {
            loaded_extensions[loaded_count++] = copy;
        } else {
            free(copy.name);
            free(copy.path);
        }
    }
    Py_XDECREF(path);
    Py_RETURN_NONE;
}

static PyObject *host_fresh_descriptor(PyObject *Py_UNUSED(module), PyObject *args)
{
    int fd;
    if (!PyArg_ParseTuple(args, "i:fresh_descriptor", &fd))
        return NULL;
    if (fd <= highest_descriptor) {
        int moved = fcntl(fd, F_DUPFD_CLOEXEC, highest_descriptor + 1);
        if (moved < 0)
            return PyErr_SetFromErrno(PyExc_OSError);
        close(fd);
        fd = moved;
    }
    highest_descriptor = fd;
    return PyLong_FromLong(fd);
}

/* signal(): the run-ending signal that arrived first (before the glue took over), or 0;
 * signal(signum): tells the host one arrived (the glue caught it). */
static PyObject *host_signal(PyObject *Py_UNUSED(module), PyObject *args)
{
    int sig = 0;
    if (!PyArg_ParseTuple(args, "|i:signal", &sig))
        return NULL;
    if (sig != 0)
        interrupt_record(sig);
    return PyLong_FromLong(interrupt_pending());
}

/* exchange_at(): names come from the glue's Confined.parent(), each the last component of a
 * path normalized and strictly beneath its base: plain names, resolved in their directory only. */
static PyObject *host_exchange_at(PyObject *Py_UNUSED(module), PyObject *args)
{
    int src_dir, dst_dir;
    PyObject *src, *dst;
    if (!PyArg_ParseTuple(args, "iO&iO&:exchange_at", &src_dir, PyUnicode_FSConverter, &src, &dst_dir,
                          PyUnicode_FSConverter, &dst))
        return NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = renameat2(src_dir, PyBytes_AS_STRING(src), dst_dir, PyBytes_AS_STRING(dst), RENAME_EXCHANGE);
    Py_END_ALLOW_THREADS
    PyObject *result = rc != 0 ? PyErr_SetFromErrnoWithFilenameObjects(PyExc_OSError, src, dst) : Py_NewRef(Py_None);
    Py_DECREF(src);
    Py_DECREF(dst);
    return result;
}

static PyMethodDef host_methods[] = {
    {"log", host_log, METH_VARARGS,
     "log(level, tag, message): print a line; level 0 on stdout, -1 a warning, >= 1 with -v."},
    {"progress", host_progress, METH_VARARGS,
     "progress(text): show text as the progress line (on a terminal only)."},
    {"extension", host_extension, METH_VARARGS,
     "extension(name[, path]): the path extension module name was loaded from in this process, or None; "
     "with path, record that it was loaded from there."},
    {"fresh_descriptor", host_fresh_descriptor, METH_VARARGS,
     "fresh_descriptor(fd): fd, or a duplicate of it (fd closed), numbered above every earlier one."},
    {"signal", host_signal, METH_VARARGS,
     "signal([signum]): the first run-ending signal that arrived, or 0; with signum, record that it arrived."},
    {"exchange_at", host_exchange_at, METH_VARARGS,
     "exchange_at(src_dir_fd, src_name, dst_dir_fd, dst_name): renameat2 RENAME_EXCHANGE."},
    {"flush_tree", flushtree_flush_tree, METH_VARARGS,
     "flush_tree(dir_fd): fsync every file and directory beneath dir_fd, and dir_fd."},
    {"file_writer", filewriter_py_start, METH_NOARGS,
     "file_writer(): a writer thread for write_file, stopped by stop_writer or when collected."},
    {"write_file", filewriter_py_submit, METH_VARARGS,
     "write_file(writer, path, data, mode): queue path to be written with data; returns the job."},
    {"written", filewriter_py_wait, METH_VARARGS,
     "written(writer, job, path): wait for the job; the SHA-256 of its data, or OSError naming path."},
    {"stop_writer", filewriter_py_stop, METH_VARARGS,
     "stop_writer(writer): finish the job being written, drop the others, stop the thread."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef host_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_ensurepip_host",
    .m_doc = "The C host of ensurepip, as seen from its Python glue.",
    .m_size = sizeof(struct run *),
    .m_methods = host_methods,
};

int hostmod_install(struct run *run)
{
    PyObject *module = PyModule_Create(&host_module);
    if (module == NULL)
        return -1;
    *(struct run **)PyModule_GetState(module) = run;
    int rc = PyDict_SetItemString(PyImport_GetModuleDict() /* borrowed */, host_module.m_name, module);
    Py_DECREF(module);
    return rc;
}
