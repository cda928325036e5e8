/* The checks and facts ensurepip takes from a wheel before anything else happens: its version
 * (from the METADATA of its .dist-info) and its integrity (every entry's CRC-32, and every
 * file's size and SHA-256 against the wheel's own RECORD). */
#ifndef ENSUREPIP_WHEEL_H
#define ENSUREPIP_WHEEL_H

#include <stddef.h>

#include "zip.h"

/* Copies the Version header of the wheel's <name>-<version>.dist-info/METADATA into version.
 * Returns 0, or -1 with a message in err. */
int wheel_read_version(const struct zip_archive *zip, char *version, size_t len, char *err,
                       size_t errlen);

/* Extracts every entry (checking sizes and CRC-32s) and checks it against RECORD: every file
 * of the archive is listed (except RECORD and its signatures), every listed file exists, and
 * sizes and sha256 hashes agree. Returns 0, or -1 with a message naming the first problem. */
int wheel_verify(const struct zip_archive *zip, char *err, size_t errlen);

#endif
