#include "config.h"

#include "digest.h"

#include <nettle/sha2.h>

/* Nettle rather than OpenSSL's libcrypto: the same well-kept primitives, and a library that
 * costs a tenth as much to load, which --version (no hashing at all) would pay too. */

void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t md[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof md, md);
    for (size_t i = 0; i < sizeof md; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 0xf];
    }
    out[64] = '\0';
}
