/* What the build embedded, and whether it is still intact. */
#ifndef ENSUREPIP_INTEGRITY_H
#define ENSUREPIP_INTEGRITY_H

#include <stddef.h>

/* Checks the runtime archive's and the wheel's sha256 against those recorded at build time,
 * then the wheel inside out (every entry's CRC-32, every file against RECORD), and reads the
 * wheel's version into version. Returns 0, or -1 with a message naming what is corrupt. */
int integrity_check(char *version, size_t version_len, char *err, size_t errlen);

/* The same checks, split so that the wheel's (the longer part) run in a thread while Python
 * starts: integrity_begin() checks the runtime archive's sha256 at once (Python imports from
 * it) and starts checking the wheel; integrity_end() waits for that and gives its verdict.
 * Nothing may use the wheel in between. Every begun job must be ended. */
struct integrity_job;

int integrity_begin(struct integrity_job **job, char *err, size_t errlen);
int integrity_end(struct integrity_job *job, char *version, size_t version_len, char *err, size_t errlen);

#endif
