/* What the build embedded: the pip wheel and, for a Python whose ensurepip installs it (3.11 and
 * older), the setuptools wheel (each byte for byte, under its own file name), and the runtime
 * archive, each with the SHA-256 the build computed; and the checks of those digests. */
#ifndef ENSUREPIP_PAYLOAD_H
#define ENSUREPIP_PAYLOAD_H

#include <pthread.h>
#include <stddef.h>

enum payload_id { PAYLOAD_RUNTIME, PAYLOAD_WHEEL, PAYLOAD_SETUPTOOLS, PAYLOADS };

struct payload {
    const char *name;              /* file name to write it under; NULL: not embedded (setuptools) */
    const char *version;           /* the wheel's project version (NULL for the runtime archive) */
    const unsigned char *data;
    size_t size;
    const char *sha256;            /* hex digest recorded at build time */
};

struct payload payload_get(enum payload_id id);

/* The SHA-256 check of payloads [first, last) against those recorded at build time, on a
 * thread of its own (run at once if no thread can be had). One SHA-256 per payload is the whole
 * check: the build verified each wheel against its own RECORD (build-aux/mkruntime.py). */
struct payload_check {
    pthread_t thread;
    int first, last, started, rc;
    void (*then)(void *arg);       /* run on the same thread after a check that passed, or NULL */
    void *arg;
    char err[1024];                /* what is corrupt, if rc is -1 */
};

void payload_check_start(struct payload_check *check, int first, int last, void (*then)(void *arg), void *arg);

/* Waits for the check (again: the same answer). Returns 0, or -1 with check->err. */
int payload_check_wait(struct payload_check *check);

#endif
