/* The library's promise to its caller, in one place: everything a run may change in the process
 * is saved before the run touches anything and put back after it, and signals that arrive
 * meanwhile are handed back.
 *
 * Saved and restored: environ (the array and its strings, byte for byte), the locale, the
 * working directory, the umask, the calling thread's signal mask and every signal disposition.
 * For the run, process_state_enter() also:
 *  - opens a closed standard descriptor (0, 1, 2) on /dev/null, so that nothing the run opens
 *    takes its number (pip's lines would go into the report, Python would read a directory as
 *    its stdin); process_state_leave() closes it again;
 *  - ignores SIGPIPE and SIGXFSZ, as CPython does: a closed pipe or a file size limit becomes an
 *    error the run reports and cleans up after, not a death that leaves a lock file behind;
 *  - records the run-ending signals (interrupt.h) instead of dying of them, except those the
 *    caller ignores.
 * process_state_leave() puts the caller's dispositions back before it looks at what was
 * recorded, so that no signal falls between the two; process_state_redeliver() then raises
 * each recorded signal again, for the caller's disposition and mask to decide. */
#ifndef ENSUREPIP_PROCSTATE_H
#define ENSUREPIP_PROCSTATE_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "environ.h"

struct process_state {
    struct env_snapshot env;
    char *locale;                      /* setlocale(LC_ALL, NULL) as it was */
    int cwd_fd;                        /* the working directory, opened; -1 if it could not be */
    mode_t umask;
    sigset_t mask;
    struct sigaction actions[NSIG];
    unsigned char have_action[NSIG];
    unsigned char opened_std[3];       /* standard descriptors that were closed, /dev/null now */
};

/* Saves the state and prepares the process for a run (see above). Call it before anything
 * else of the run, threads included: what it saves is what the caller finds again. Returns 0,
 * or -1 with a message in err (out of memory); nothing is changed then. */
int process_state_enter(struct process_state *ps, char *err, size_t errlen);

/* Puts everything back, frees the saved state, and adds to *arrived the run-ending signals that
 * arrived since process_state_enter(). Returns 0, or -1 if something could not be restored
 * (err says what; the rest is restored all the same). */
int process_state_leave(struct process_state *ps, sigset_t *arrived, char *err, size_t errlen);

/* Raises each signal of *arrived in the calling thread, under the caller's own dispositions and
 * mask: a handler runs, a default action happens, a blocked signal stays pending, an ignored
 * one is dropped, as if the run had not been there. */
void process_state_redeliver(const sigset_t *arrived);

#endif
