#include <Python.h> /* first: it sets feature macros */

#include "config.h"

#include "hostmod.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "confine.h"
#include "interrupt.h"
#include "payload.h"

/* What the glue gets from the C host: the run's message sink, the signal record, and two
 * system calls Python's os module lacks (syncfs, renameat2's RENAME_EXCHANGE). */

struct host_state {
    struct run *run;
};

static struct run *current_run(PyObject *module)
{
    return ((struct host_state *)PyModule_GetState(module))->run;
}

static PyObject *host_log(PyObject *module, PyObject *args)
{
    int level;
    const char *tag, *message;
    if (!PyArg_ParseTuple(args, "iss:log", &level, &tag, &message))
        return NULL;
    run_say(current_run(module), level, tag, "%s", message);
    Py_RETURN_NONE;
}

static PyObject *host_progress(PyObject *module, PyObject *args)
{
    const char *text;
    if (!PyArg_ParseTuple(args, "s:progress", &text))
        return NULL;
    run_progress(current_run(module), "%s", text);
    Py_RETURN_NONE;
}

static PyObject *host_runtime_archive(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    struct payload runtime;
    payload_runtime(&runtime);
    /* Read-only and zero-copy: the archive stays in the binary's read-only data. */
    return PyMemoryView_FromMemory((char *)runtime.data, (Py_ssize_t)runtime.size, PyBUF_READ);
}

static PyObject *host_verbosity(PyObject *module, PyObject *unused)
{
    (void)unused;
    return PyLong_FromLong(current_run(module)->opts->verbosity);
}

static PyObject *host_pending_signal(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return PyLong_FromLong(interrupt_pending());
}

static PyObject *host_record_signal(PyObject *module, PyObject *args)
{
    (void)module;
    int sig;
    if (!PyArg_ParseTuple(args, "i:record_signal", &sig))
        return NULL;
    interrupt_record(sig);
    Py_RETURN_NONE;
}

static PyObject *host_syncfs(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *path;
    if (!PyArg_ParseTuple(args, "O&:syncfs", PyUnicode_FSConverter, &path))
        return NULL;
    int fd, rc = -1;
    Py_BEGIN_ALLOW_THREADS
    fd = open(PyBytes_AS_STRING(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        rc = syncfs(fd);
        close(fd);
    }
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
        Py_DECREF(path);
        return NULL;
    }
    Py_DECREF(path);
    Py_RETURN_NONE;
}

static PyObject *host_exchange(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *a, *b;
    if (!PyArg_ParseTuple(args, "O&O&:exchange", PyUnicode_FSConverter, &a, PyUnicode_FSConverter, &b))
        return NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = renameat2(AT_FDCWD, PyBytes_AS_STRING(a), AT_FDCWD, PyBytes_AS_STRING(b), RENAME_EXCHANGE);
    Py_END_ALLOW_THREADS
    if (rc != 0)
        PyErr_SetFromErrnoWithFilenameObjects(PyExc_OSError, a, b);
    Py_DECREF(a);
    Py_DECREF(b);
    if (rc != 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef host_methods[] = {
    {"log", host_log, METH_VARARGS,
     "log(level, tag, message): print a line; level 0 on stdout, -1 a warning, >= 1 with -v."},
    {"progress", host_progress, METH_VARARGS,
     "progress(text): show text as the progress line (on a terminal only)."},
    {"verbosity", host_verbosity, METH_NOARGS, "verbosity(): the -v count of this run."},
    {"runtime_archive", host_runtime_archive, METH_NOARGS,
     "runtime_archive(): a read-only memoryview of the embedded runtime archive."},
    {"pending_signal", host_pending_signal, METH_NOARGS,
     "pending_signal(): a run-ending signal that arrived before the glue took over, or 0."},
    {"record_signal", host_record_signal, METH_VARARGS,
     "record_signal(signum): tell the host a run-ending signal arrived."},
    {"syncfs", host_syncfs, METH_VARARGS,
     "syncfs(path): write the filesystem holding path to disk (syncfs(2))."},
    {"exchange", host_exchange, METH_VARARGS,
     "exchange(a, b): swap two paths atomically (renameat2 RENAME_EXCHANGE)."},
    CONFINE_METHODS
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef host_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_ensurepip_host",
    .m_doc = "The C host of ensurepip, as seen from its Python glue.",
    .m_size = sizeof(struct host_state),
    .m_methods = host_methods,
};

int hostmod_install(struct run *run)
{
    PyObject *module = PyModule_Create(&host_module);
    if (module == NULL)
        return -1;
    ((struct host_state *)PyModule_GetState(module))->run = run;
    PyObject *modules = PyImport_GetModuleDict(); /* borrowed */
    int rc = PyDict_SetItemString(modules, host_module.m_name, module);
    Py_DECREF(module);
    return rc;
}
