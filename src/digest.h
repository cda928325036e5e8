/* SHA-256 digests, through Nettle, in the two spellings the project needs. */
#ifndef ENSUREPIP_DIGEST_H
#define ENSUREPIP_DIGEST_H

#include <stddef.h>

#define SHA256_HEX_SIZE 65     /* 64 hex digits and a NUL */
#define SHA256_RECORD_SIZE 44  /* 43 urlsafe base64 characters, no padding, and a NUL */

/* Lower-case hex, as sha256sum prints it. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_SIZE]);

/* Urlsafe base64 without padding, as a wheel's RECORD writes it (PEP 376/427). */
int sha256_record(const void *data, size_t len, char out[SHA256_RECORD_SIZE]);

#endif
