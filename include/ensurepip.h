/* ensurepip: bootstrap pip into a Python installation or virtual environment, offline, from
 * the pip wheel embedded in this library. The C counterparts of ensurepip.version() and
 * ensurepip.bootstrap(), for installers written in C.
 *
 * Each call starts an embedded CPython that imports only what the library carries (the target
 * is read as data, never run), runs pip's own installer in it, and finalizes it again. The
 * first call loads the extension modules the library carries; like every extension module,
 * they stay mapped for the life of the process. Calls must not run concurrently, and not in a
 * process where Python is already initialized (ENSUREPIP_E_BUSY).
 *
 * What a call changes while it runs, and puts back before it returns. These belong to the whole
 * process, not to the calling thread, so other threads of the host see the changes: no other
 * thread may run code that depends on them, or change them, during a call.
 *  - the working directory (the call's private temporary directory while pip runs);
 *  - environ (PIP_* removed, TMPDIR and others set: setenv/getenv elsewhere race with it);
 *  - the umask and the locale (setlocale, also what uselocale-less code in other threads sees);
 *  - signal dispositions: SIGINT, SIGTERM and SIGHUP are recorded (unless ignored when the call
 *    begins: an ignore is kept), SIGPIPE and SIGXFSZ are ignored; the calling thread's signal
 *    mask is restored too. A run-ending signal that arrives during a call stops it
 *    (ENSUREPIP_E_INTERRUPTED) and is raised again in the calling thread after everything is
 *    back, so that the host's own disposition (handler, default action, mask) decides;
 *  - standard descriptors 0, 1 and 2: a closed one is open on /dev/null during the call (so
 *    that nothing the call opens takes its number) and closed again after.
 */
#ifndef ENSUREPIP_H
#define ENSUREPIP_H

#ifdef __cplusplus
extern "C" {
#endif

/* Status of a call. The values are also the exit statuses of the ensurepip program, except
 * ENSUREPIP_E_INTERRUPTED, which the program turns into 128 + the signal number. Append-only:
 * a value never changes its meaning.
 *
 * ENSUREPIP_STATUSES(X) calls X(name, value, description) once for each status: the enum, what
 * ensurepip_strerror() says and the library's other tables are all made from this one list. */
#define ENSUREPIP_STATUSES(X) \
    X(ENSUREPIP_OK, 0, "success") /* installed, upgraded, already present, uninstalled */ \
    X(ENSUREPIP_E_PIP, 1, "pip's installer failed") \
    X(ENSUREPIP_E_USAGE, 2, "invalid or conflicting options") \
    X(ENSUREPIP_E_TARGET, 3, "the target Python is missing or unusable") \
    X(ENSUREPIP_E_TARGET_VERSION, 4, "the target is another Python version") \
    X(ENSUREPIP_E_RUNTIME, 5, "the libpython loaded is not the one built against") \
    X(ENSUREPIP_E_WHEEL, 6, "the embedded pip wheel is unreadable or corrupt") \
    X(ENSUREPIP_E_PYTHON, 7, "the embedded Python interpreter failed") \
    X(ENSUREPIP_E_BUSY, 8, "ensurepip or Python is already running in this process") \
    X(ENSUREPIP_E_SYSTEM, 9, "the operating system refused a request") /* memory, temporary directory */ \
    X(ENSUREPIP_E_AUDIT, 10, "an audit hook vetoed the bootstrap") /* the ensurepip.bootstrap event */ \
    X(ENSUREPIP_E_INTERRUPTED, 11, "interrupted by a signal") /* result.signal says which */ \
    X(ENSUREPIP_E_EXTERNALLY_MANAGED, 12, "the target Python is externally managed") /* PEP 668 */ \
    X(ENSUREPIP_E_NO_SPACE, 13, "not enough space on the target's filesystem") /* or inodes */ \
    X(ENSUREPIP_E_READ_ONLY, 14, "the target's filesystem is read-only") \
    X(ENSUREPIP_E_PERMISSION, 15, "no permission to change the target") \
    X(ENSUREPIP_E_LOCKED, 16, "another ensurepip kept the target locked") /* past the timeout */ \
    X(ENSUREPIP_E_REPORT, 17, "the report could not be written")

enum ensurepip_status {
#define ENSUREPIP_STATUS_ENUMERATOR(name, value, description) name = value,
    ENSUREPIP_STATUSES(ENSUREPIP_STATUS_ENUMERATOR)
#undef ENSUREPIP_STATUS_ENUMERATOR
};

/* What a call did to the target. */
enum ensurepip_action {
    ENSUREPIP_ACTION_NONE = 0,        /* nothing was attempted (bad options, unusable target, ...) */
    ENSUREPIP_ACTION_INSTALLED,       /* pip was not there and is now */
    ENSUREPIP_ACTION_UPGRADED,        /* an older pip was replaced */
    ENSUREPIP_ACTION_ALREADY_PRESENT, /* pip was there and was left alone */
    ENSUREPIP_ACTION_UNINSTALLED,     /* the bundled version of pip was removed */
    ENSUREPIP_ACTION_NOT_INSTALLED,   /* uninstall: there was no pip to remove */
    ENSUREPIP_ACTION_SKIPPED,         /* uninstall: the installed pip is not the bundled version */
    ENSUREPIP_ACTION_FAILED           /* an attempt was made and failed; the target is as before */
};

/* What to do; the fields of ensurepip.bootstrap() plus the target. Always initialize with
 * ensurepip_options_init(), then set fields. Fields are only ever added at the end, and with a
 * new soname: a program built against this header never meets a larger struct. */
struct ensurepip_options {
    const char *python;  /* target: an interpreter or a venv directory; NULL: $VIRTUAL_ENV,
                            else the Python this library was built for */
    const char *root;    /* install everything relative to this directory; NULL: none ("" is refused) */
    int upgrade;         /* replace an older installed pip */
    int user;            /* install into the user scheme */
    int altinstall;      /* make only the pipX.Y script */
    int default_pip;     /* make pip, pipX and pipX.Y (the default makes pipX and pipX.Y) */
    int verbosity;       /* 0: pip's usual lines; 1-3: more detail on stderr */
    /* Beyond ensurepip.bootstrap(): */
    const char *script_interpreter; /* written as is after "#!" in every script made (e.g.
                                       "/usr/bin/env python3"); NULL: the target's python as it
                                       will be on the final system */
    int no_compile;      /* install no .pyc files */
    const char *report;  /* write a JSON report of the run to this file, "-" for stdout (pip's
                            lines then go to stderr); NULL: none */
    double lock_timeout; /* seconds to wait while another run changes the same target (default
                            600; 0: give up at once) */
    int quiet;           /* print nothing but warnings (errors are in the result) */
    int exiting;         /* the caller ends the process right after this call: the interpreter's
                            memory is left to the operating system instead of being garbage
                            collected when it is finalized (faster by a tenth of a second; a
                            later call in the same process would find some 20 MB still taken) */
};

/* The size of a result's message: room for three paths of PATH_MAX (4096) bytes and the words
 * around them. A longer message ends in "..." where it was cut. */
#define ENSUREPIP_MESSAGE_SIZE 16384

/* The outcome of a call. */
struct ensurepip_result {
    int status;                   /* the same value the call returned */
    enum ensurepip_action action;
    int pip_exit_code;            /* pip's exit status (0 success, 1 error); -1 if pip did not run */
    int signal;                   /* the signal that stopped the run, else 0 */
    char pip_version[64];         /* the pip version installed, kept or removed ("" if none) */
    char message[ENSUREPIP_MESSAGE_SIZE]; /* one line: what was done where, or what failed and
                                             what to do; a path's bytes as they are (any bytes
                                             but NUL, not necessarily UTF-8) */
};

/* Sets *opts to the defaults of ensurepip.bootstrap(): no root, no upgrade, no user scheme,
 * pipX and pipX.Y scripts, no extra output, target as described for the python field; and
 * bytecode compiled, no report, a lock timeout of 600 seconds. */
void ensurepip_options_init(struct ensurepip_options *opts);

/* The version of the embedded pip wheel, e.g. "23.0.1", recorded at build time; never NULL.
 * The string is static. */
const char *ensurepip_version(void);

/* The embedded wheel's file name (e.g. "pip-23.0.1-py3-none-any.whl") and the sha256 the build
 * recorded for it (64 hex digits), as sha256sum would print them. Static strings. */
const char *ensurepip_wheel_name(void);
const char *ensurepip_wheel_sha256(void);

/* Checks what is embedded without starting Python: each wheel's and the runtime archive's
 * sha256 against those recorded at build time (the wheels' RECORD was checked at build time).
 * Returns ENSUREPIP_OK (result->message then reads
 * "<sha256>  <file name>", a line per embedded wheel: pip's, then setuptools' where embedded)
 * or ENSUREPIP_E_WHEEL with the first problem in result->message.
 * ensurepip_bootstrap() and ensurepip_uninstall() make the same checks first. */
int ensurepip_verify(struct ensurepip_result *result);

/* Installs the embedded pip into the target, the way `python -m ensurepip` does. Returns an
 * enum ensurepip_status; result (which may be NULL) receives the details. */
int ensurepip_bootstrap(const struct ensurepip_options *opts, struct ensurepip_result *result);

/* Removes pip from the target if the installed version is the embedded one, the way
 * `python -m ensurepip._uninstall` does. Uses opts->python, root, user and verbosity. */
int ensurepip_uninstall(const struct ensurepip_options *opts, struct ensurepip_result *result);

/* A short description of a status, e.g. "pip's installer failed"; never NULL. */
const char *ensurepip_strerror(int status);

/* The report name of an action: "installed", "upgraded", "already-present", "uninstalled",
 * "not-installed", "skipped", "failed" or "none"; never NULL. */
const char *ensurepip_action_name(enum ensurepip_action action);

#ifdef __cplusplus
}
#endif

#endif /* ENSUREPIP_H */
