#include "config.h"

#include "procstate.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef O_PATH
#define O_PATH O_RDONLY
#endif

int process_state_save(struct process_state *ps, char *err, size_t errlen)
{
    memset(ps, 0, sizeof *ps);
    ps->cwd_fd = -1;
    if (env_snapshot_take(&ps->env) != 0)
        goto oom;
    const char *locale = setlocale(LC_ALL, NULL);
    ps->locale = strdup(locale != NULL ? locale : "C");
    if (ps->locale == NULL)
        goto oom;
    /* O_PATH needs no read permission on the directory. */
    ps->cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    pthread_sigmask(SIG_SETMASK, NULL, &ps->mask);
    for (int sig = 1; sig < NSIG; sig++)
        ps->have_action[sig] = sigaction(sig, NULL, &ps->actions[sig]) == 0;
    return 0;
oom:
    env_snapshot_free(&ps->env);
    free(ps->locale);
    ps->locale = NULL;
    snprintf(err, errlen, "out of memory saving the process state");
    return -1;
}

int process_state_restore(struct process_state *ps, char *err, size_t errlen)
{
    int rc = 0;
    /* Dispositions before the mask: a signal held back by the mask must meet the caller's
     * handler, not one of ours. */
    for (int sig = 1; sig < NSIG; sig++) {
        if (ps->have_action[sig] && sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &ps->actions[sig], NULL);
    }
    pthread_sigmask(SIG_SETMASK, &ps->mask, NULL);
    if (ps->locale != NULL && setlocale(LC_ALL, ps->locale) == NULL && rc == 0) {
        snprintf(err, errlen, "could not restore the locale %s", ps->locale);
        rc = -1;
    }
    if (ps->cwd_fd >= 0) {
        if (fchdir(ps->cwd_fd) != 0 && rc == 0) {
            snprintf(err, errlen, "could not return to the working directory: %s", strerror(errno));
            rc = -1;
        }
        close(ps->cwd_fd);
    }
    if (env_snapshot_restore(&ps->env) != 0 && rc == 0) {
        snprintf(err, errlen, "out of memory restoring the environment");
        rc = -1;
    }
    env_snapshot_free(&ps->env);
    free(ps->locale);
    ps->locale = NULL;
    ps->cwd_fd = -1;
    return rc;
}
