/* The state of one ensurepip_bootstrap()/ensurepip_uninstall() call, passed to every step.
 * Nothing about a run lives in a global, except the signal number a handler records. */
#ifndef ENSUREPIP_RUN_H
#define ENSUREPIP_RUN_H

#include <time.h>

#include "ensurepip.h"
#include "integrity.h"
#include "payload.h"

enum run_command { RUN_INSTALL, RUN_UNINSTALL };

/* What the glue reports about the target and the files, for the JSON report. */
struct run_details {
    char *python, *prefix, *purelib, *scripts_dir;  /* as on the final system */
    char *root;                                      /* the root, absolute (NULL: none) */
    char **scripts;                                  /* scripts written, final paths */
    size_t nscripts;
    long files;                                      /* files installed, or removed */
    char *setuptools_action;                         /* what became of setuptools (NULL: not told) */
    char *setuptools_version;
    long setuptools_files;
};

struct run {
    enum run_command command;
    const struct ensurepip_options *opts;
    struct ensurepip_result *result;
    char pip_version[64];          /* the version of the embedded wheel (once checked) */
    struct integrity_job *wheel_check; /* the wheel's check, running beside Python's start */
    char *tmpdir;                  /* private temporary directory, NULL until created */
    struct run_details details;
    struct timespec start;         /* when the call began (for -vvv timings and the report) */
    int progress_tty;              /* show a progress line (stderr is a terminal, no -q, no -v) */
    int progress_shown;            /* a progress line is on the screen, to be cleared */
};

/* Waits for the embedded wheel's check (begun before Python starts) and records a failure.
 * Returns ENSUREPIP_OK or ENSUREPIP_E_WHEEL. Called once, while run->wheel_check is set. */
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
