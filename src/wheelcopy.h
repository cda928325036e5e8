/* A copy of a wheel whose members are stored instead of deflated, for pip's installer to read:
 * the same members (names, contents, CRCs, times, modes, extra fields, in the same order), only
 * not compressed. Made on the payload check's thread while the interpreter imports pip, it
 * spares pip's thread inflating every file (3.11: 60 ms of a run). The wheel itself stays what
 * the build embedded, byte for byte: this is what pip's installer reads, not what is checked. */
#ifndef ENSUREPIP_WHEELCOPY_H
#define ENSUREPIP_WHEELCOPY_H

#include <stddef.h>

/* Returns a malloc'ed copy of the zip archive at zip (size bytes) with every member stored,
 * and its size in *copy_size; NULL for an archive it does not take (ZIP64, encryption, data
 * descriptors, methods other than stored and deflate, several disks, anything inconsistent,
 * a member whose inflated bytes do not match its size or CRC) or when out of memory. */
unsigned char *wheel_stored_copy(const unsigned char *zip, size_t size, size_t *copy_size);

#endif
