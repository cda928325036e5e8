/* What the build embedded, and whether it is still intact. */
#ifndef ENSUREPIP_INTEGRITY_H
#define ENSUREPIP_INTEGRITY_H

#include <stddef.h>

/* The runtime archive's and the wheels' sha256 checked against those recorded at build time, in
 * two threads: integrity_begin() starts them;
 * integrity_runtime_checked() waits for the runtime archive's (before the interpreter, whose
 * whole sys.path it is, starts); integrity_end() waits for the wheel's too (before anything
 * touches the target), gives the verdict (a message naming what is corrupt) and frees the job. Every begun job must be ended. */
struct integrity_job;

int integrity_begin(struct integrity_job **job, char *err, size_t errlen);
int integrity_runtime_checked(struct integrity_job *job, char *err, size_t errlen);
int integrity_end(struct integrity_job *job, char *err, size_t errlen);

#endif
