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
    struct payload runtime;
    char detail[1024];
    payload_runtime(&runtime);
    if (payload_check(&runtime, detail, sizeof detail) != 0) {
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

/* One check running in a thread of its own (or, if no thread can be had, run at once). */
struct check_thread {
    pthread_t thread;
    int started, joined;
    int rc;
    int (*check)(char *version, size_t version_len, char *err, size_t errlen);
    char version[64];
    char err[1024];
};

struct integrity_job {
    struct check_thread runtime, wheel;
};

static int check_runtime_only(char *version, size_t version_len, char *err, size_t errlen)
{
    (void)version;
    (void)version_len;
    return check_runtime(err, errlen);
}

static void *run_check(void *arg)
{
    struct check_thread *t = arg;
    t->rc = t->check(t->version, sizeof t->version, t->err, sizeof t->err);
    return NULL;
}

static void start_check(struct check_thread *t, int (*check)(char *, size_t, char *, size_t))
{
    /* Signals are the calling thread's business: the thread starts with all of them blocked
     * (it inherits the mask), and the caller's own mask is back before anything else runs,
     * also when no thread can be had and the check runs here. */
    sigset_t all, callers;
    sigfillset(&all);
    t->check = check;
    pthread_sigmask(SIG_SETMASK, &all, &callers);
    t->started = pthread_create(&t->thread, NULL, run_check, t) == 0;
    pthread_sigmask(SIG_SETMASK, &callers, NULL);
    if (!t->started)
        run_check(t);
}

static int join_check(struct check_thread *t)
{
    if (t->started && !t->joined)
        pthread_join(t->thread, NULL);
    t->joined = 1;
    return t->rc;
}

int integrity_begin(struct integrity_job **job, char *err, size_t errlen)
{
    *job = calloc(1, sizeof **job);
    if (*job == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    start_check(&(*job)->runtime, check_runtime_only);
    start_check(&(*job)->wheel, check_wheel);
    return 0;
}

int integrity_runtime_checked(struct integrity_job *job, char *err, size_t errlen)
{
    if (join_check(&job->runtime) == 0)
        return 0;
    snprintf(err, errlen, "%s", job->runtime.err);
    return -1;
}

int integrity_end(struct integrity_job *job, char *version, size_t version_len, char *err, size_t errlen)
{
    int rc = integrity_runtime_checked(job, err, errlen);
    if (join_check(&job->wheel) == 0)
        snprintf(version, version_len, "%s", job->wheel.version);
    else if (rc == 0) {
        snprintf(err, errlen, "%s", job->wheel.err);
        rc = -1;
    }
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
