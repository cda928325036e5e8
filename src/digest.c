#include "config.h"

#include "digest.h"

#include <openssl/evp.h>
#include <string.h>

static int sha256(const void *data, size_t len, unsigned char md[32])
{
    unsigned int mdlen = 0;
    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return -1;
    return 0;
}

int sha256_hex(const void *data, size_t len, char out[SHA256_HEX_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[32];
    if (sha256(data, len, md) != 0)
        return -1;
    for (size_t i = 0; i < sizeof md; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 0xf];
    }
    out[64] = '\0';
    return 0;
}

int sha256_record(const void *data, size_t len, char out[SHA256_RECORD_SIZE])
{
    unsigned char md[32];
    unsigned char b64[45]; /* EVP_EncodeBlock writes 44 characters and a NUL for 32 bytes */
    if (sha256(data, len, md) != 0 || EVP_EncodeBlock(b64, md, sizeof md) != 44)
        return -1;
    for (size_t i = 0; i < 43; i++)
        out[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : (char)b64[i];
    out[43] = '\0'; /* the 44th character is the '=' padding that RECORD leaves out */
    return 0;
}
