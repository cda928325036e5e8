/* The embedded interpreter's part of a run: start CPython on the runtime archive alone, raise the
 * ensurepip.bootstrap audit event, hand the request to the glue (py/), take its answer into
 * the run's result, and finalize CPython again. */
#ifndef ENSUREPIP_PYTHON_H
#define ENSUREPIP_PYTHON_H

#include "run.h"

/* Returns an enum ensurepip_status, with run->result filled in. */
int python_run(struct run *run);

/* ENSUREPIP_OK if no interpreter runs in this process yet and the libpython loaded at run time
 * is the one the program was compiled against; else the status, recorded in run->result. */
int python_check(struct run *run);

#endif
