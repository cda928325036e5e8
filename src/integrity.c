#include "config.h"

#include "integrity.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ensurepip.h"
#include "payload.h"
#include "wheel.h"
#include "zip.h"

int integrity_check(char *version, size_t version_len, char *err, size_t errlen)
{
    struct payload wheel, runtime;
    struct zip_archive zip;
    char detail[1024];
    payload_wheel(&wheel);
    payload_runtime(&runtime);
    if (payload_check(&wheel, detail, sizeof detail) != 0 || payload_check(&runtime, detail, sizeof detail) != 0) {
        snprintf(err, errlen, "%s; this copy of ensurepip is damaged, reinstall it", detail);
        return -1;
    }
    if (zip_open(&zip, wheel.data, wheel.size, detail, sizeof detail) != 0) {
        snprintf(err, errlen, "the embedded %s is unreadable: %s", wheel.name, detail);
        return -1;
    }
    int rc = wheel_verify(&zip, detail, sizeof detail) != 0
        || wheel_read_version(&zip, version, version_len, detail, sizeof detail) != 0;
    zip_close(&zip);
    if (rc != 0) {
        snprintf(err, errlen, "the embedded %s is corrupt: %s", wheel.name, detail);
        return -1;
    }
    return 0;
}

/* The version, read once: ensurepip_version() hands out a static string and must not need
 * the full check (--version is meant to be instant). */
static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char version_text[64];

static void read_version(void)
{
    struct payload wheel;
    struct zip_archive zip;
    char err[256];
    payload_wheel(&wheel);
    if (zip_open(&zip, wheel.data, wheel.size, err, sizeof err) != 0)
        return;
    if (wheel_read_version(&zip, version_text, sizeof version_text, err, sizeof err) != 0)
        version_text[0] = '\0';
    zip_close(&zip);
}

const char *ensurepip_version(void)
{
    pthread_once(&version_once, read_version);
    return version_text[0] != '\0' ? version_text : NULL;
}

const char *ensurepip_wheel_name(void)
{
    struct payload wheel;
    payload_wheel(&wheel);
    return wheel.name;
}

const char *ensurepip_wheel_sha256(void)
{
    struct payload wheel;
    payload_wheel(&wheel);
    return wheel.sha256;
}

int ensurepip_verify(struct ensurepip_result *result)
{
    struct ensurepip_result scratch;
    if (result == NULL)
        result = &scratch;
    memset(result, 0, sizeof *result);
    result->pip_exit_code = -1;
    if (integrity_check(result->pip_version, sizeof result->pip_version, result->message,
                        sizeof result->message) != 0) {
        result->status = ENSUREPIP_E_WHEEL;
        return ENSUREPIP_E_WHEEL;
    }
    snprintf(result->message, sizeof result->message, "%s  %s", ensurepip_wheel_sha256(),
             ensurepip_wheel_name());
    return ENSUREPIP_OK;
}
