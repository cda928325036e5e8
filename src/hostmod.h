/* The _ensurepip_host module: the C side of the run, importable by the Python glue. */
#ifndef ENSUREPIP_HOSTMOD_H
#define ENSUREPIP_HOSTMOD_H

#include <Python.h>

#include "run.h"

/* Creates the module for this run and puts it into sys.modules. Needs an initialized
 * interpreter; returns 0, or -1 with a Python exception set. */
int hostmod_install(struct run *run);

/* flush_tree(dir_fd) (flushtree.c): fsync of every regular file and directory beneath dir_fd,
 * and of it, never following a link; raises OSError with the first error. */
PyObject *flushtree_flush_tree(PyObject *module, PyObject *args);

#endif
