#include "config.h"

#include "payload.h"

#include <nettle/sha2.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ensurepip.h"
#include <payload-digests.h> /* <>: found through -I, so that test builds can bring their own */

extern const unsigned char payload_wheel_start[], payload_wheel_end[];
extern const unsigned char payload_runtime_start[], payload_runtime_end[];
#ifdef PAYLOAD_SETUPTOOLS_FILE
extern const unsigned char payload_setuptools_start[], payload_setuptools_end[];
#endif

#define EMBEDDED(symbol, name, version, sha256) \
    {name, version, payload_##symbol##_start, (size_t)(payload_##symbol##_end - payload_##symbol##_start), sha256}

struct payload payload_get(enum payload_id id)
{
    const struct payload all[PAYLOADS] = {
        EMBEDDED(runtime, "ensurepip-runtime.zip", NULL, PAYLOAD_RUNTIME_SHA256),
        EMBEDDED(wheel, PAYLOAD_WHEEL_NAME, PAYLOAD_PIP_VERSION, PAYLOAD_WHEEL_SHA256),
#ifdef PAYLOAD_SETUPTOOLS_FILE
        EMBEDDED(setuptools, PAYLOAD_SETUPTOOLS_NAME, PAYLOAD_SETUPTOOLS_VERSION, PAYLOAD_SETUPTOOLS_SHA256),
#endif
    };
    return all[id];
}

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

/* Nettle rather than OpenSSL's libcrypto: the same well-kept primitives, and a library that
 * costs a tenth as much to load, which --version (no hashing at all) would pay too. */
static int check_payloads(int first, int last, char *err, size_t errlen)
{
    for (int id = first; id < last; id++) {
        struct payload p = payload_get(id);
        if (p.name == NULL)
            continue;
        uint8_t md[SHA256_DIGEST_SIZE];
        char digest[2 * SHA256_DIGEST_SIZE + 1];
        struct sha256_ctx ctx;
        sha256_init(&ctx);
        sha256_update(&ctx, p.size, p.data);
        sha256_digest(&ctx, sizeof md, md);
        for (size_t i = 0; i < sizeof md; i++) /* lower-case hex, as sha256sum prints it */
            snprintf(digest + 2 * i, 3, "%02x", md[i]);
        if (strcmp(digest, p.sha256) != 0) {
            snprintf(err, errlen, "the embedded %s is corrupt: its sha256 is %s, the build recorded %s; "
                     "this copy of ensurepip is damaged, reinstall it", p.name, digest, p.sha256);
            return -1;
        }
    }
    return 0;
}

static void *run_check(void *arg)
{
    struct payload_check *c = arg;
    c->rc = check_payloads(c->first, c->last, c->err, sizeof c->err);
    if (c->rc == 0 && c->then != NULL)
        c->then(c->arg);
    return NULL;
}

void payload_check_start(struct payload_check *check, int first, int last, void (*then)(void *arg), void *arg)
{
    /* Signals are the calling thread's business: the thread starts with all of them blocked
     * (it inherits the mask), and the caller's own mask is back before anything else runs,
     * also when no thread can be had and the check runs here. */
    sigset_t all, callers;
    sigfillset(&all);
    *check = (struct payload_check){.first = first, .last = last, .then = then, .arg = arg};
    pthread_sigmask(SIG_SETMASK, &all, &callers);
    check->started = pthread_create(&check->thread, NULL, run_check, check) == 0;
    pthread_sigmask(SIG_SETMASK, &callers, NULL);
    if (!check->started)
        run_check(check);
}

int payload_check_wait(struct payload_check *check)
{
    if (check->started)
        pthread_join(check->thread, NULL);
    check->started = 0;
    return check->rc;
}

int ensurepip_verify(struct ensurepip_result *result)
{
    struct ensurepip_result scratch;
    if (result == NULL)
        result = &scratch;
    memset(result, 0, sizeof *result);
    result->pip_exit_code = -1;
    snprintf(result->pip_version, sizeof result->pip_version, "%s", ensurepip_version());
    if (check_payloads(PAYLOAD_RUNTIME, PAYLOADS, result->message, sizeof result->message) != 0)
        return result->status = ENSUREPIP_E_WHEEL;
    /* As sha256sum prints them: a line per embedded wheel (a few hundred bytes at most). */
    size_t n = 0;
    for (int id = PAYLOAD_WHEEL; id < PAYLOADS; id++) {
        struct payload p = payload_get(id);
        if (p.name != NULL)
            n += (size_t)snprintf(result->message + n, sizeof result->message - n, "%s%s  %s", n ? "\n" : "",
                                  p.sha256, p.name);
    }
    return ENSUREPIP_OK;
}
