/* Access to what the build embedded: the pip wheel and, for a Python whose ensurepip installs
 * it (3.11 and older), the setuptools wheel (each byte for byte, under its own file name), and
 * the runtime archive, each with the SHA-256 the build computed. */
#ifndef ENSUREPIP_PAYLOAD_H
#define ENSUREPIP_PAYLOAD_H

#include <stddef.h>

struct payload {
    const char *name;              /* file name to write it under, e.g. pip-23.0.1-py3-none-any.whl */
    const unsigned char *data;
    size_t size;
    const char *sha256;            /* hex digest recorded at build time */
};

void payload_wheel(struct payload *p);
void payload_runtime(struct payload *p);

/* Fills p and returns 1 if the build embedded a setuptools wheel; returns 0 if not. */
int payload_setuptools(struct payload *p);

/* The version of the embedded setuptools, or NULL if none is embedded. */
const char *payload_setuptools_version(void);

/* Checks a payload against its recorded SHA-256. Returns 0, or -1 with a message. */
int payload_check(const struct payload *p, char *err, size_t errlen);

#endif
