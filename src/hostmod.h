/* The _ensurepip_host module: the C side of the run, importable by the Python glue. */
#ifndef ENSUREPIP_HOSTMOD_H
#define ENSUREPIP_HOSTMOD_H

#include "run.h"

/* Creates the module for this run and puts it into sys.modules. Needs an initialized
 * interpreter; returns 0, or -1 with a Python exception set. */
int hostmod_install(struct run *run);

#endif
