/* What the build embedded, and whether it is still intact. */
#ifndef ENSUREPIP_INTEGRITY_H
#define ENSUREPIP_INTEGRITY_H

#include <stddef.h>

/* Checks the runtime archive's and the wheel's sha256 against those recorded at build time,
 * then the wheel inside out (every entry's CRC-32, every file against RECORD), and reads the
 * wheel's version into version. Returns 0, or -1 with a message naming what is corrupt. */
int integrity_check(char *version, size_t version_len, char *err, size_t errlen);

#endif
