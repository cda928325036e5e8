#include <Python.h> /* first: it sets feature macros */

#include "config.h"

#include "hostmod.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confine.h"
#include "interrupt.h"

/* What the glue gets from the C host: the run's message sink, the signal record, the record of
 * the extension modules loaded from memory in this process, and the system calls of confine.h
 * (renameat2's RENAME_EXCHANGE between directory descriptors, a whole tree flushed at once). */

/* The module's state: the run it serves. */
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
static struct {
    char *name;
    char *path;
} loaded_extensions[MAX_EXTENSIONS];
static size_t loaded_count;
static int highest_descriptor = -1;

static PyObject *host_extension_path(PyObject *module, PyObject *args)
{
    (void)module;
    const char *name;
    if (!PyArg_ParseTuple(args, "s:extension_path", &name))
        return NULL;
    for (size_t i = 0; i < loaded_count; i++)
        if (strcmp(loaded_extensions[i].name, name) == 0)
            return PyUnicode_DecodeFSDefault(loaded_extensions[i].path);
    Py_RETURN_NONE;
}

static PyObject *host_remember_extension(PyObject *module, PyObject *args)
{
    (void)module;
    const char *name;
    PyObject *path;
    if (!PyArg_ParseTuple(args, "sO&:remember_extension", &name, PyUnicode_FSConverter, &path))
        return NULL;
    if (loaded_count < MAX_EXTENSIONS) {
        char *name_copy = strdup(name), *path_copy = strdup(PyBytes_AS_STRING(path));
        if (name_copy != NULL && path_copy != NULL) {
            loaded_extensions[loaded_count].name = name_copy;
            loaded_extensions[loaded_count].path = path_copy;
            loaded_count++;
        } else {
            free(name_copy);
            free(path_copy);
        }
    }
    Py_DECREF(path);
    Py_RETURN_NONE;
}

static PyObject *host_fresh_descriptor(PyObject *module, PyObject *args)
{
    (void)module;
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

static PyMethodDef host_methods[] = {
    {"log", host_log, METH_VARARGS,
     "log(level, tag, message): print a line; level 0 on stdout, -1 a warning, >= 1 with -v."},
    {"progress", host_progress, METH_VARARGS,
     "progress(text): show text as the progress line (on a terminal only)."},
    {"extension_path", host_extension_path, METH_VARARGS,
     "extension_path(name): the path extension module name was loaded from in this process, or None."},
    {"remember_extension", host_remember_extension, METH_VARARGS,
     "remember_extension(name, path): record that extension module name was loaded from path."},
    {"fresh_descriptor", host_fresh_descriptor, METH_VARARGS,
     "fresh_descriptor(fd): fd, or a duplicate of it (fd closed), numbered above every earlier one."},
    {"pending_signal", host_pending_signal, METH_NOARGS,
     "pending_signal(): a run-ending signal that arrived before the glue took over, or 0."},
    {"record_signal", host_record_signal, METH_VARARGS,
     "record_signal(signum): tell the host a run-ending signal arrived."},
    CONFINE_METHODS
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
    PyObject *modules = PyImport_GetModuleDict(); /* borrowed */
    int rc = PyDict_SetItemString(modules, host_module.m_name, module);
    Py_DECREF(module);
    return rc;
}
