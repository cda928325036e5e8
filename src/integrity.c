#include "config.h"

#include "integrity.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ensurepip.h"
#include "payload.h"

/* One SHA-256 per payload against the build's is the whole check: the build verified each
 * wheel against its own RECORD before embedding it (build-aux/mkruntime.py), so bytes that
 * still hash to the build's digest are those bytes. */
static int check_runtime(char *err, size_t errlen)
{
    struct payload runtime;
    payload_runtime(&runtime);
    return payload_check(&runtime, err, errlen);
}

/* The wheels pip's installer reads: pip's, and setuptools' where the build embedded it. */
static int check_wheels(char *err, size_t errlen)
{
    struct payload wheel, setuptools;
    payload_wheel(&wheel);
    if (payload_check(&wheel, err, errlen) != 0)
        return -1;
    return payload_setuptools(&setuptools) ? payload_check(&setuptools, err, errlen) : 0;
}

/* One check running in a thread of its own (or, if no thread can be had, run at once). */
struct check_thread {
    pthread_t thread;
    int started, joined;
    int rc;
    int (*run)(char *err, size_t errlen);
    char err[1024];
};

struct integrity_job {
    struct check_thread runtime, wheel;
};

static void *run_check(void *arg)
{
    struct check_thread *t = arg;
    t->rc = t->run(t->err, sizeof t->err);
    return NULL;
}

static void start_check(struct check_thread *t, int (*run)(char *err, size_t errlen))
{
    /* Signals are the calling thread's business: the thread starts with all of them blocked
     * (it inherits the mask), and the caller's own mask is back before anything else runs,
     * also when no thread can be had and the check runs here. */
    sigset_t all, callers;
    sigfillset(&all);
    t->run = run;
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
    start_check(&(*job)->runtime, check_runtime);
    start_check(&(*job)->wheel, check_wheels);
    return 0;
}

int integrity_runtime_checked(struct integrity_job *job, char *err, size_t errlen)
{
    if (join_check(&job->runtime) == 0)
        return 0;
    snprintf(err, errlen, "%s", job->runtime.err);
    return -1;
}

int integrity_end(struct integrity_job *job, char *err, size_t errlen)
{
    int rc = integrity_runtime_checked(job, err, errlen);
    if (join_check(&job->wheel) != 0 && rc == 0) {
        snprintf(err, errlen, "%s", job->wheel.err);
        rc = -1;
    }
    free(job);
    return rc;
}

int ensurepip_verify(struct ensurepip_result *result)
{
    struct ensurepip_result scratch;
    if (result == NULL)
        result = &scratch;
    memset(result, 0, sizeof *result);
    result->pip_exit_code = -1;
    snprintf(result->pip_version, sizeof result->pip_version, "%s", ensurepip_version());
    if (check_runtime(result->message, sizeof result->message) != 0
        || check_wheels(result->message, sizeof result->message) != 0) {
        result->status = ENSUREPIP_E_WHEEL;
        return ENSUREPIP_E_WHEEL;
    }
    /* As sha256sum prints them: a line per embedded wheel. */
    struct payload setuptools;
    int n = snprintf(result->message, sizeof result->message, "%s  %s", ensurepip_wheel_sha256(),
                     ensurepip_wheel_name());
    if (payload_setuptools(&setuptools) && n > 0 && (size_t)n < sizeof result->message)
        snprintf(result->message + n, sizeof result->message - (size_t)n, "\n%s  %s", setuptools.sha256,
                 setuptools.name);
    return ENSUREPIP_OK;
}
