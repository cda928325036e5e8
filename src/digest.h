/* SHA-256 digests through Nettle, as sha256sum prints them. */
#ifndef ENSUREPIP_DIGEST_H
#define ENSUREPIP_DIGEST_H

#include <stddef.h>

#define SHA256_HEX_SIZE 65     /* 64 hex digits and a NUL */

/* Lower-case hex, as sha256sum prints it. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_SIZE]);

#endif
