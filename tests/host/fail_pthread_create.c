/* An LD_PRELOAD shim for the tests: pthread_create() fails with EAGAIN for the first N calls of
 * the process (N from FAIL_PTHREAD_CREATE, default 2: the two checks of the embedded payloads
 * that ensurepip starts beside Python), and works after that, so that the run itself, which
 * starts threads of its own in Python, goes on as on a machine out of threads for a moment. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef int create_fn(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

static atomic_long calls;

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
    const char *setting = getenv("FAIL_PTHREAD_CREATE");
    long failing = setting != NULL ? strtol(setting, NULL, 10) : 2;
    if (atomic_fetch_add(&calls, 1) < failing)
        return EAGAIN;
    create_fn *real = (create_fn *)dlsym(RTLD_NEXT, "pthread_create");
    return real != NULL ? real(thread, attr, start, arg) : ENOSYS;
}
