/* The state of one ensurepip_bootstrap()/ensurepip_uninstall() call, passed to every step.
 * Nothing about a run lives in a global, except the signal number a handler records. */
#ifndef ENSUREPIP_RUN_H
#define ENSUREPIP_RUN_H

#include <time.h>

#include "ensurepip.h"
#include "payload.h"
#include "payloadfile.h"

enum run_command { RUN_INSTALL, RUN_UNINSTALL };

struct run {
    enum run_command command;
    const struct ensurepip_options *opts;
    struct ensurepip_result *result;
    struct payload_check checks[2]; /* the runtime archive's and the wheels', beside Python's start */
    int wheel_checked;             /* 1 once the checks passed, -1 once one failed */
    struct payload_file unpacked[PAYLOADS]; /* the wheels with their members stored, made on the
                                              wheels' check thread (fd -1: none, read the wheel) */
    char *tmpdir;                  /* private temporary directory, NULL until created */
    char *report[4];               /* the glue's members of the JSON report as JSON texts: target,
                                      scripts, files, setuptools (NULL: it did not tell) */
    struct timespec start;         /* when the call began (for -vvv timings and the report) */
    int progress_tty;              /* show a progress line (stderr is a terminal, no -q, no -v) */
    int progress_shown;            /* a progress line is on the screen, to be cleared */
};

/* Waits for the payloads' checks (begun before Python starts) and records a failure. Returns
 * ENSUREPIP_OK or ENSUREPIP_E_WHEEL. */
int run_wheel_checked(struct run *run);

/* Records an outcome in run->result: status and a one-line message (control characters made
 * '?', cut with "..." if it does not fit). Returns status. */
int run_fail(struct run *run, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prints a line for the user: level 0 on stdout (pip's usual lines); a negative level on stderr
 * as it is (warnings, which say "WARNING: " themselves); level >= 1 on stderr with a subsystem
 * tag, only when the run's verbosity is at least that level. At -vvv, detail lines carry the
 * time since the call began. */
void run_say(struct run *run, int level, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Replaces the progress line (on a terminal only) with a new one, e.g. "Loading pip". */
void run_progress(struct run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Removes the progress line, if one is shown. */
void run_progress_clear(struct run *run);

/* Seconds since the given moment (CLOCK_MONOTONIC). */
double run_seconds_since(const struct timespec *start);

#endif
