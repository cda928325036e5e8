/* The embedded interpreter's part of a run: start CPython on the runtime archive alone, raise the
 * ensurepip.bootstrap audit event, hand the request to the glue (py/), take its answer into
 * the run's result, and finalize CPython again. */
#ifndef ENSUREPIP_PYTHON_H
#define ENSUREPIP_PYTHON_H

#include "run.h"

/* Returns an enum ensurepip_status, with run->result filled in. */
int python_run(struct run *run);

/* 0 if the libpython loaded at run time is the one the program was compiled against, else -1
 * with both versions in err. Safe before Python is initialized. */
int python_check_runtime(char *err, size_t errlen);

/* Whether an interpreter is already running in this process. */
int python_is_running(void);

#endif
