/* Everything a run may change in the process, saved before and put back after: environ, the
 * locale, every signal disposition, the signal mask and the working directory. */
#ifndef ENSUREPIP_PROCSTATE_H
#define ENSUREPIP_PROCSTATE_H

#include <signal.h>
#include <stddef.h>

#include "environ.h"

struct process_state {
    struct env_snapshot env;
    char *locale;                      /* setlocale(LC_ALL, NULL) as it was */
    int cwd_fd;                        /* the working directory, opened; -1 if it could not be */
    sigset_t mask;
    struct sigaction actions[NSIG];
    unsigned char have_action[NSIG];
};

/* Returns 0, or -1 with a message in err (out of memory). */
int process_state_save(struct process_state *ps, char *err, size_t errlen);

/* Puts everything back and frees the saved state. Returns 0, or -1 if something could not be
 * restored (err says what). */
int process_state_restore(struct process_state *ps, char *err, size_t errlen);

#endif
