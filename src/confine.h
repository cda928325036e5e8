/* System calls the glue needs that Python's os module lacks: renameat2's RENAME_EXCHANGE between
 * directory descriptors, to keep every change inside the target's own directories (confine.c);
 * a whole tree flushed to disk at once, for the commit (flushtree.c). */
#ifndef ENSUREPIP_CONFINE_H
#define ENSUREPIP_CONFINE_H

#include <Python.h>

/* exchange_at(src_dir_fd, src_name, dst_dir_fd, dst_name): swaps the two entries atomically,
 * each name resolved in its directory only (a name with a '/' is refused). */
PyObject *confine_exchange_at(PyObject *module, PyObject *args);

/* flush_tree(dir_fd): fsync of every regular file and directory beneath the directory open as
 * dir_fd, and of it, never following a link; raises OSError with the first error. */
PyObject *flushtree_flush_tree(PyObject *module, PyObject *args);

#define CONFINE_METHODS \
    {"exchange_at", confine_exchange_at, METH_VARARGS, \
     "exchange_at(src_dir_fd, src_name, dst_dir_fd, dst_name): renameat2 RENAME_EXCHANGE."}, \
    {"flush_tree", flushtree_flush_tree, METH_VARARGS, \
     "flush_tree(dir_fd): fsync every file and directory beneath dir_fd, and dir_fd."},

#endif
