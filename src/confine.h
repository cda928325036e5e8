/* System calls the glue needs to keep every change inside the target's own directories and
 * that Python's os module lacks: renameat2's RENAME_EXCHANGE between directory descriptors. */
#ifndef ENSUREPIP_CONFINE_H
#define ENSUREPIP_CONFINE_H

#include <Python.h>

/* exchange_at(src_dir_fd, src_name, dst_dir_fd, dst_name): swaps the two entries atomically,
 * each name resolved in its directory only (a name with a '/' is refused). */
PyObject *confine_exchange_at(PyObject *module, PyObject *args);

#define CONFINE_METHODS \
    {"exchange_at", confine_exchange_at, METH_VARARGS, \
     "exchange_at(src_dir_fd, src_name, dst_dir_fd, dst_name): renameat2 RENAME_EXCHANGE."},

#endif
