/* Flushing to disk what the run wrote, a whole tree at once: for the glue's commit, which must
 * have the staged files on disk before its journal says to use them. */
#ifndef ENSUREPIP_FLUSHTREE_H
#define ENSUREPIP_FLUSHTREE_H

#include <Python.h>

/* flush_tree(dir_fd): fsync of every regular file and directory beneath the directory open as
 * dir_fd, and of it, never following a link; raises OSError with the first error. */
PyObject *flushtree_flush_tree(PyObject *module, PyObject *args);

#define FLUSHTREE_METHODS \
    {"flush_tree", flushtree_flush_tree, METH_VARARGS, \
     "flush_tree(dir_fd): fsync every file and directory beneath dir_fd, and dir_fd."},

#endif
