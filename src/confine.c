#include <Python.h> /* first: it sets feature macros */

#include "config.h"

#include "confine.h"

#include <stdio.h>
#include <string.h>

/* A name inside one directory: no separator, so that the kernel resolves nothing above it. */
static int plain_name(PyObject *name)
{
    const char *s = PyBytes_AS_STRING(name);
    if (s[0] == '\0' || strchr(s, '/') != NULL || strcmp(s, ".") == 0 || strcmp(s, "..") == 0) {
        PyErr_Format(PyExc_ValueError, "not a plain name: %s", s);
        return 0;
    }
    return 1;
}

PyObject *confine_exchange_at(PyObject *module, PyObject *args)
{
    (void)module;
    int src_dir, dst_dir;
    PyObject *src, *dst;
    if (!PyArg_ParseTuple(args, "iO&iO&:exchange_at", &src_dir, PyUnicode_FSConverter, &src, &dst_dir,
                          PyUnicode_FSConverter, &dst))
        return NULL;
    PyObject *result = NULL;
    if (plain_name(src) && plain_name(dst)) {
        int rc;
        Py_BEGIN_ALLOW_THREADS
        rc = renameat2(src_dir, PyBytes_AS_STRING(src), dst_dir, PyBytes_AS_STRING(dst), RENAME_EXCHANGE);
        Py_END_ALLOW_THREADS
        if (rc != 0)
            PyErr_SetFromErrnoWithFilenameObjects(PyExc_OSError, src, dst);
        else
            result = Py_NewRef(Py_None);
    }
    Py_DECREF(src);
    Py_DECREF(dst);
    return result;
}
