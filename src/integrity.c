#include "config.h"

#include "integrity.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ensurepip.h"
#include "payload.h"
#include "wheel.h"
#include "zip.h"

static int check_runtime(char *err, size_t errlen)
{
    struct payload runtime, importer;
    char detail[1024];
    payload_runtime(&runtime);
    payload_importer(&importer);
    if (payload_check(&runtime, detail, sizeof detail) != 0 || payload_check(&importer, detail, sizeof detail) != 0) {
        snprintf(err, errlen, "%s; this copy of ensurepip is damaged, reinstall it", detail);
        return -1;
    }
    return 0;
}

static int check_wheel(char *version, size_t version_len, char *err, size_t errlen)
{
    struct payload wheel;
    struct zip_archive zip;
    char detail[1024];
    payload_wheel(&wheel);
    if (payload_check(&wheel, detail, sizeof detail) != 0) {
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

int integrity_check(char *version, size_t version_len, char *err, size_t errlen)
{
    return check_runtime(err, errlen) != 0 ? -1 : check_wheel(version, version_len, err, errlen);
}

struct integrity_job {
    pthread_t thread;
    int rc;
    char version[64];
    char err[1024];
};

static void *check_in_thread(void *arg)
{
    struct integrity_job *job = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals are the main thread's business */
    job->rc = check_wheel(job->version, sizeof job->version, job->err, sizeof job->err);
    return NULL;
}

int integrity_begin(struct integrity_job **job, char *err, size_t errlen)
{
    *job = NULL;
    if (check_runtime(err, errlen) != 0)
        return -1;
    struct integrity_job *j = calloc(1, sizeof *j);
    if (j == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (pthread_create(&j->thread, NULL, check_in_thread, j) != 0) {
        /* No thread to spare: check here and now instead. */
        j->rc = check_wheel(j->version, sizeof j->version, j->err, sizeof j->err);
        j->thread = pthread_self();
    }
    *job = j;
    return 0;
}

int integrity_end(struct integrity_job *job, char *version, size_t version_len, char *err, size_t errlen)
{
    if (!pthread_equal(job->thread, pthread_self()))
        pthread_join(job->thread, NULL);
    int rc = job->rc;
    if (rc == 0)
        snprintf(version, version_len, "%s", job->version);
    else
        snprintf(err, errlen, "%s", job->err);
    free(job);
    return rc;
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
