#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ensurepip.h"
#include "interrupt.h"
#include "options.h"
#include "procstate.h"
#include "report.h"
#include "python.h"
#include "run.h"
#include "tempdir.h"
#include "environ.h"
#include "wheelcopy.h"

int run_wheel_checked(struct run *run)
{
    int runtime = payload_check_wait(&run->checks[0]), wheels = payload_check_wait(&run->checks[1]);
    run->wheel_checked = runtime == 0 && wheels == 0 ? 1 : -1;
    if (run->wheel_checked < 0)
        return run_fail(run, ENSUREPIP_E_WHEEL, "%s", run->checks[runtime != 0 ? 0 : 1].err);
    run_say(run, 3, "wheel", "embedded wheel checked");
    return ENSUREPIP_OK;
}

/* On the wheels' check thread, once they passed, while Python starts and imports pip: each wheel
 * again with its members stored (src/wheelcopy.h), for pip's installer to read. A wheel that
 * cannot be copied so is read as it is. */
static void unpack_wheels_ahead(void *arg)
{
    struct run *run = arg;
    for (int id = PAYLOAD_WHEEL; id < PAYLOADS; id++) {
        struct payload p = payload_get(id);
        size_t size = 0;
        unsigned char *copy = p.name != NULL ? wheel_stored_copy(p.data, p.size, &size) : NULL;
        if (copy != NULL)
            (void)payload_file_in_memory(&run->unpacked[id], p.name, copy, size);
        free(copy);
    }
}

/* Everything between saving the process state and restoring it. */
static int run_in_sandbox(struct run *run)
{
    char err[1024];
    const struct ensurepip_options *o = run->opts;
    /* The temporary directory's failures are the system's (9), not the target's. */
    if (tempdir_create(&run->tmpdir, err, sizeof err) != 0)
        return run_fail(run, ENSUREPIP_E_SYSTEM, "%s", err);
    /* ENSUREPIP_OPTIONS from the options alone; uninstall leaves it unset, as ensurepip does. */
    const char *ensurepip_options = run->command == RUN_UNINSTALL || (o->default_pip && !o->altinstall) ? NULL
                                    : o->altinstall ? "altinstall" : "install";
    if (env_prepare_for_pip(ensurepip_options, run->tmpdir) != 0)
        return run_fail(run, ENSUREPIP_E_SYSTEM, "out of memory preparing the environment");
    if (interrupt_pending())
        return ENSUREPIP_E_INTERRUPTED;
    run_progress(run, "Starting Python");
    int rc = python_run(run);
    run_progress_clear(run);
    run_say(run, 3, "python", "interpreter finalized");
    return rc;
}

static int interrupted(struct run *run, int sig)
{
    struct ensurepip_result *r = run->result;
    r->signal = sig;
    if (r->status == ENSUREPIP_E_INTERRUPTED && r->message[0] != '\0')
        return ENSUREPIP_E_INTERRUPTED; /* the glue said what state it left */
    if (r->action == ENSUREPIP_ACTION_INSTALLED || r->action == ENSUREPIP_ACTION_UPGRADED
        || r->action == ENSUREPIP_ACTION_UNINSTALLED)
        return run_fail(run, ENSUREPIP_E_INTERRUPTED, "interrupted by signal %d after the work was done (%s)",
                        sig, ensurepip_action_name(r->action));
    r->action = ENSUREPIP_ACTION_NONE;
    return run_fail(run, ENSUREPIP_E_INTERRUPTED, "interrupted by signal %d; the target was not changed", sig);
}

/* The run itself, between the options check and the report. The payloads' checks start
 * first: nothing is imported before the runtime archive's is done, and nothing touches the
 * target before run_wheel_checked(). */
static int run_steps(struct run *run)
{
    struct ensurepip_result *result = run->result;
    int rc = python_check(run);
    if (rc == ENSUREPIP_OK) {
        for (int id = 0; id < PAYLOADS; id++)
            run->unpacked[id] = (struct payload_file){-1, NULL};
        payload_check_start(&run->checks[0], PAYLOAD_RUNTIME, PAYLOAD_WHEEL, NULL, NULL);
        payload_check_start(&run->checks[1], PAYLOAD_WHEEL, PAYLOADS,
                            run->command == RUN_INSTALL ? unpack_wheels_ahead : NULL, run);
        rc = run_in_sandbox(run);
        char err[1024];
        if (run->tmpdir != NULL && tempdir_remove(run->tmpdir, err, sizeof err) != 0)
            run_say(run, -1, "tmp", "WARNING: %s", err);
        free(run->tmpdir);
        run->tmpdir = NULL;
        /* A run that ended before the glue: still wait for the checks, and report damage. */
        int checked = run->wheel_checked == 0 ? run_wheel_checked(run) : ENSUREPIP_OK;
        if (checked != ENSUREPIP_OK && rc == ENSUREPIP_OK)
            rc = checked;
        for (int id = 0; id < PAYLOADS; id++)
            payload_file_close(&run->unpacked[id]);
    }
    /* The last look at the record: a signal after it is handed back to the caller. */
    int sig = interrupt_pending();
    if (sig != 0 || rc == ENSUREPIP_E_INTERRUPTED)
        rc = interrupted(run, sig != 0 ? sig : result->signal);
    result->status = rc;
    return rc;
}

static int run_command(enum run_command command, const struct ensurepip_options *opts,
                       struct ensurepip_result *result)
{
    static atomic_flag busy = ATOMIC_FLAG_INIT;
    struct ensurepip_options defaults;
    struct ensurepip_result scratch;
    char err[1024];
    if (opts == NULL) {
        ensurepip_options_init(&defaults);
        opts = &defaults;
    }
    if (result == NULL)
        result = &scratch;
    memset(result, 0, sizeof *result);
    result->pip_exit_code = -1;
    /* A transient progress line only where a person watches and nothing else is printed. */
    struct run run = {.command = command, .opts = opts, .result = result,
                      .progress_tty = !opts->quiet && opts->verbosity == 0 && isatty(STDERR_FILENO)};
    clock_gettime(CLOCK_MONOTONIC, &run.start);
    if (atomic_flag_test_and_set(&busy))
        return run_fail(&run, ENSUREPIP_E_BUSY, "another ensurepip call is running in this process");
    /* The state first, before any thread or descriptor of the run exists: what it saves is what
     * the caller gets back. */
    struct process_state saved;
    if (process_state_enter(&saved, err, sizeof err) != 0) {
        atomic_flag_clear(&busy);
        return run_fail(&run, ENSUREPIP_E_SYSTEM, "%s", err);
    }
    /* The report next: it tells of every failure after this, bad options included. */
    struct report *report = NULL;
    int rc = ENSUREPIP_OK;
    if (opts->report != NULL && opts->report[0] != '\0'
        && (report = report_open(opts->report, err, sizeof err)) == NULL)
        rc = run_fail(&run, ENSUREPIP_E_REPORT, "%s", err);
    else if (options_check(opts, command, err, sizeof err) != 0)
        rc = run_fail(&run, ENSUREPIP_E_USAGE, "%s", err);
    else
        rc = run_steps(&run);
    if (report != NULL && report_write(report, &run, run_seconds_since(&run.start), err, sizeof err) != 0
        && rc == ENSUREPIP_OK)
        rc = run_fail(&run, ENSUREPIP_E_REPORT, "%s", err);
    for (int i = 0; i < 4; i++)
        free(run.report[i]);

    sigset_t arrived;
    sigemptyset(&arrived);
    if (result->signal > 0)
        sigaddset(&arrived, result->signal); /* caught by the glue's handler, not the record */
    if (process_state_leave(&saved, &arrived, err, sizeof err) != 0)
        run_say(&run, -1, "state", "WARNING: %s", err);
    atomic_flag_clear(&busy);
    process_state_redeliver(&arrived);
    return rc;
}

int ensurepip_bootstrap(const struct ensurepip_options *opts, struct ensurepip_result *result)
{
    return run_command(RUN_INSTALL, opts, result);
}

int ensurepip_uninstall(const struct ensurepip_options *opts, struct ensurepip_result *result)
{
    return run_command(RUN_UNINSTALL, opts, result);
}
