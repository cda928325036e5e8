#include "config.h"

#include "payload.h"

#include <stdio.h>
#include <string.h>

#include "digest.h"
#include <payload-digests.h> /* <>: found through -I, so that test builds can bring their own */

extern const unsigned char payload_wheel_start[], payload_wheel_end[];
extern const unsigned char payload_runtime_start[], payload_runtime_end[];

void payload_wheel(struct payload *p)
{
    p->name = PAYLOAD_WHEEL_NAME;
    p->data = payload_wheel_start;
    p->size = (size_t)(payload_wheel_end - payload_wheel_start);
    p->sha256 = PAYLOAD_WHEEL_SHA256;
}

void payload_runtime(struct payload *p)
{
    p->name = "ensurepip-runtime.zip";
    p->data = payload_runtime_start;
    p->size = (size_t)(payload_runtime_end - payload_runtime_start);
    p->sha256 = PAYLOAD_RUNTIME_SHA256;
}

#ifdef PAYLOAD_SETUPTOOLS_FILE
extern const unsigned char payload_setuptools_start[], payload_setuptools_end[];

int payload_setuptools(struct payload *p)
{
    p->name = PAYLOAD_SETUPTOOLS_NAME;
    p->data = payload_setuptools_start;
    p->size = (size_t)(payload_setuptools_end - payload_setuptools_start);
    p->sha256 = PAYLOAD_SETUPTOOLS_SHA256;
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

const char *payload_pip_version(void)
{
    return PAYLOAD_PIP_VERSION;
}

int payload_check(const struct payload *p, char *err, size_t errlen)
{
    char digest[SHA256_HEX_SIZE];
    sha256_hex(p->data, p->size, digest);
    if (strcmp(digest, p->sha256) != 0) {
        snprintf(err, errlen, "the embedded %s is corrupt: its sha256 is %s, the build recorded %s",
                 p->name, digest, p->sha256);
        return -1;
    }
    return 0;
}
