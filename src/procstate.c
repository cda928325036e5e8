#include "config.h"

#include "procstate.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interrupt.h"

/* /dev/null on each closed standard descriptor, under its own number. */
static void open_closed_std(struct process_state *ps)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        int null = open("/dev/null", O_RDWR);
        if (null >= 0 && null != fd) {
            /* A lower one was closed and could not be opened: this one goes where it belongs. */
            int placed = dup2(null, fd);
            close(null);
            null = placed;
        }
        ps->opened_std[fd] = null == fd;
    }
}

int process_state_enter(struct process_state *ps, char *err, size_t errlen)
{
    memset(ps, 0, sizeof *ps);
    ps->cwd_fd = -1;
    if (env_snapshot_take(&ps->env) != 0)
        goto oom;
    const char *locale = setlocale(LC_ALL, NULL);
    ps->locale = strdup(locale != NULL ? locale : "C");
    if (ps->locale == NULL)
        goto oom;
    pthread_sigmask(SIG_SETMASK, NULL, &ps->mask);
    for (int sig = 1; sig < NSIG; sig++)
        ps->have_action[sig] = sigaction(sig, NULL, &ps->actions[sig]) == 0;
    ps->umask = umask(0);
    umask(ps->umask);
    /* Descriptors first: the working directory's must not take a standard one's number. */
    open_closed_std(ps);
    /* O_PATH needs no read permission on the directory. */
    ps->cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct sigaction ignore = {.sa_handler = SIG_IGN};
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, NULL);
    sigaction(SIGXFSZ, &ignore, NULL);
    interrupt_catch();
    return 0;
oom: /* ps->locale is NULL here */
    env_snapshot_free(&ps->env);
    snprintf(err, errlen, "out of memory saving the process state");
    return -1;
}

int process_state_leave(struct process_state *ps, sigset_t *arrived, char *err, size_t errlen)
{
    int rc = 0;
    /* Dispositions, then the record (procstate.h says why), then the mask: a signal held back
     * by it must meet the caller's handler, not ours. */
    for (int sig = 1; sig < NSIG; sig++)
        if (ps->have_action[sig] && sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &ps->actions[sig], NULL);
    interrupt_take(arrived);
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
    umask(ps->umask);
    for (int fd = 0; fd <= 2; fd++)
        if (ps->opened_std[fd])
            close(fd);
    if (env_snapshot_restore(&ps->env) != 0 && rc == 0) {
        snprintf(err, errlen, "out of memory restoring the environment");
        rc = -1;
    }
    env_snapshot_free(&ps->env);
    free(ps->locale);
    memset(ps, 0, sizeof *ps);
    ps->cwd_fd = -1;
    return rc;
}

void process_state_redeliver(const sigset_t *arrived)
{
    for (int sig = 1; sig < NSIG; sig++)
        if (sigismember(arrived, sig) == 1)
            raise(sig);
}
