/* The signals that end a run early (SIGINT, SIGTERM, SIGHUP): while a run is in progress they
 * are recorded instead of killing the process, so that the run can clean up and report. The
 * embedded Python glue installs its own handlers for them while it runs (signal.signal()), and
 * asks interrupt_pending() about any that came before. */
#ifndef ENSUREPIP_INTERRUPT_H
#define ENSUREPIP_INTERRUPT_H

#include <signal.h>

/* Starts recording: clears any earlier record and installs the recording handler. The caller
 * saved the previous dispositions (process_state_save) and restores them. */
void interrupt_catch(void);

/* Installs the recording handler again, keeping what was recorded (after Python finalized and
 * put SIG_DFL back). */
void interrupt_rearm(void);

/* The first signal recorded since interrupt_catch(), or 0. */
int interrupt_pending(void);

/* Records a signal seen by someone else (the Python glue reports the one it caught). */
void interrupt_record(int sig);

/* Blocks the run-ending signals (saving the old mask in *old), and unblocks them again. */
void interrupt_block(sigset_t *old);
void interrupt_unblock(const sigset_t *old);

#endif
