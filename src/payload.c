#include "config.h"

#include "payload.h"

#include <stdio.h>
#include <string.h>

#include "digest.h"
#include "ensurepip.h"
#include <payload-digests.h> /* <>: found through -I, so that test builds can bring their own */

extern const unsigned char payload_wheel_start[], payload_wheel_end[];
extern const unsigned char payload_runtime_start[], payload_runtime_end[];

static void describe(struct payload *p, const char *name, const unsigned char *start, const unsigned char *end,
                     const char *sha256)
{
    p->name = name;
    p->data = start;
    p->size = (size_t)(end - start);
    p->sha256 = sha256;
}

void payload_wheel(struct payload *p)
{
    describe(p, PAYLOAD_WHEEL_NAME, payload_wheel_start, payload_wheel_end, PAYLOAD_WHEEL_SHA256);
}

void payload_runtime(struct payload *p)
{
    describe(p, "ensurepip-runtime.zip", payload_runtime_start, payload_runtime_end, PAYLOAD_RUNTIME_SHA256);
}

#ifdef PAYLOAD_SETUPTOOLS_FILE
extern const unsigned char payload_setuptools_start[], payload_setuptools_end[];

int payload_setuptools(struct payload *p)
{
    describe(p, PAYLOAD_SETUPTOOLS_NAME, payload_setuptools_start, payload_setuptools_end, PAYLOAD_SETUPTOOLS_SHA256);
    return 1;
}

const char *payload_setuptools_version(void)
{
    return PAYLOAD_SETUPTOOLS_VERSION;
}
#else
int payload_setuptools(struct payload *p)
{
    (void)p;
    return 0;
}

const char *payload_setuptools_version(void)
{
    return NULL;
}
#endif

const char *ensurepip_version(void)
{
    return PAYLOAD_PIP_VERSION;
}

const char *ensurepip_wheel_name(void)
{
    return PAYLOAD_WHEEL_NAME;
}

const char *ensurepip_wheel_sha256(void)
{
    return PAYLOAD_WHEEL_SHA256;
}

int payload_check(const struct payload *p, char *err, size_t errlen)
{
    char digest[SHA256_HEX_SIZE];
    sha256_hex(p->data, p->size, digest);
    if (strcmp(digest, p->sha256) != 0) {
        snprintf(err, errlen, "the embedded %s is corrupt: its sha256 is %s, the build recorded %s; "
                 "this copy of ensurepip is damaged, reinstall it", p->name, digest, p->sha256);
        return -1;
    }
    return 0;
}
