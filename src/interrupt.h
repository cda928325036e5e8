/* The signals that end a run early (SIGINT, SIGTERM, SIGHUP): while a run is in progress they
 * are recorded instead of killing the process, so that the run can clean up and report, and
 * handed back to the caller afterwards (procstate.c re-delivers them). One the caller ignores
 * (an inherited SIG_IGN, as under nohup) stays ignored: CPython keeps such ignores too. The
 * embedded Python glue installs its own handlers for the recorded ones while it runs
 * (signal.signal()), and asks interrupt_pending() about any that came before. */
#ifndef ENSUREPIP_INTERRUPT_H
#define ENSUREPIP_INTERRUPT_H

#include <signal.h>

/* Starts recording: clears any earlier record and installs the recording handler for each
 * run-ending signal that is not ignored now. The caller saved the previous dispositions
 * (process_state_enter) and restores them. */
void interrupt_catch(void);

/* Installs the recording handler again for the signals interrupt_catch() took, keeping what was
 * recorded (after Python finalized and put SIG_DFL back). */
void interrupt_rearm(void);

/* The first signal recorded since interrupt_catch(), or 0. */
int interrupt_pending(void);

/* Records a signal seen by someone else (the Python glue reports the one it caught). */
void interrupt_record(int sig);

/* Every signal recorded since interrupt_catch(), added to *set; the record is cleared. */
void interrupt_take(sigset_t *set);

/* Blocks the run-ending signals, saving the old mask in *old. */
void interrupt_block(sigset_t *old);

#endif
