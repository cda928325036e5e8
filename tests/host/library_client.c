/* A C installer that uses libensurepip through its public header, as a client would, and checks
 * that each call leaves its process exactly as it was: environ (byte for byte, in order), the
 * locale, every signal disposition, the signal mask, the working directory and the umask. It
 * also watches the ensurepip.bootstrap audit event with a C audit hook, and can veto it.
 *
 * The state it calls with can be set: the run-ending signals ignored (--ignore-signals, as under
 * nohup), signals blocked (--block), standard descriptors closed (--close-std), and a signal can
 * be raised from inside the call, in its audit hook (--raise SIG), to see that the call hands it
 * back: the client counts the signals its own handlers (SIGINT, SIGTERM, SIGHUP, SIGUSR1) see.
 * The standard descriptors are compared as open or closed too.
 *
 * usage: library_client [--veto] [--uninstall] [--quiet] [--root ROOT] [--expect STATUS]
 *                       [--ignore-signals] [--block SIG] [--raise SIG] [--close-std]
 *                       [--log FILE] TARGET...
 * Prints one line per call and per check (on stdout, or into FILE); exits 0 if every call did
 * what was asked and every check held, 1 otherwise. tests/pytest/test_library.py and
 * test_process.py read its output.
 */
#include <Python.h>

#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ensurepip.h"

extern char **environ;

/* glibc adds this flag to every disposition it installs; it is not the caller's choice. */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

struct snapshot {
    char **env;
    size_t env_count;
    char *locale;
    char cwd[4096];
    mode_t umask;
    sigset_t mask;
    struct sigaction actions[NSIG];
    int std_open[3];
};

/* Where the client's lines go: stdout, or a file when the standard descriptors are closed. */
static FILE *out;

static void take(struct snapshot *s)
{
    size_t n = 0;
    while (environ[n] != NULL)
        n++;
    s->env = malloc((n + 1) * sizeof *s->env);
    for (size_t i = 0; i < n; i++)
        s->env[i] = strdup(environ[i]);
    s->env[n] = NULL;
    s->env_count = n;
    s->locale = strdup(setlocale(LC_ALL, NULL));
    if (getcwd(s->cwd, sizeof s->cwd) == NULL)
        s->cwd[0] = '\0';
    s->umask = umask(0);
    umask(s->umask);
    pthread_sigmask(SIG_SETMASK, NULL, &s->mask);
    for (int sig = 1; sig < NSIG; sig++)
        if (sigaction(sig, NULL, &s->actions[sig]) != 0)
            memset(&s->actions[sig], 0, sizeof s->actions[sig]);
    for (int fd = 0; fd <= 2; fd++)
        s->std_open[fd] = fcntl(fd, F_GETFD) != -1;
}

static void release(struct snapshot *s)
{
    for (size_t i = 0; i < s->env_count; i++)
        free(s->env[i]);
    free(s->env);
    free(s->locale);
}

/* Prints what differs; returns the number of differences. */
static int compare(const struct snapshot *before, const struct snapshot *after)
{
    int differences = 0;
    if (before->env_count != after->env_count) {
        fprintf(out, "check environ: CHANGED (%zu variables before, %zu after)\n", before->env_count, after->env_count);
        differences++;
    } else {
        for (size_t i = 0; i < before->env_count; i++) {
            if (strcmp(before->env[i], after->env[i]) != 0) {
                fprintf(out, "check environ: CHANGED at %zu: '%s' became '%s'\n", i, before->env[i], after->env[i]);
                differences++;
                break;
            }
        }
    }
    if (strcmp(before->locale, after->locale) != 0) {
        fprintf(out, "check locale: CHANGED from %s to %s\n", before->locale, after->locale);
        differences++;
    }
    if (strcmp(before->cwd, after->cwd) != 0) {
        fprintf(out, "check cwd: CHANGED from %s to %s\n", before->cwd, after->cwd);
        differences++;
    }
    if (before->umask != after->umask) {
        fprintf(out, "check umask: CHANGED from %03o to %03o\n", (unsigned)before->umask, (unsigned)after->umask);
        differences++;
    }
    for (int sig = 1; sig < NSIG; sig++) {
        if (sigismember(&before->mask, sig) != sigismember(&after->mask, sig)) {
            fprintf(out, "check signal mask: CHANGED for signal %d\n", sig);
            differences++;
        }
        const struct sigaction *a = &before->actions[sig], *b = &after->actions[sig];
        if (a->sa_handler != b->sa_handler || (a->sa_flags & ~SA_RESTORER) != (b->sa_flags & ~SA_RESTORER)) {
            fprintf(out, "check signal handler: CHANGED for signal %d\n", sig);
            differences++;
        }
    }
    for (int fd = 0; fd <= 2; fd++) {
        if (before->std_open[fd] != after->std_open[fd]) {
            fprintf(out, "check descriptor %d: CHANGED from %s to %s\n", fd, before->std_open[fd] ? "open" : "closed",
                   after->std_open[fd] ? "open" : "closed");
            differences++;
        }
    }
    if (differences == 0)
        fprintf(out, "check process state: same\n");
    return differences;
}

static int audit_events;
static char audit_root[4096];
static int veto, raise_in_call;

static int audit_hook(const char *event, PyObject *args, void *data)
{
    (void)data;
    if (strcmp(event, "ensurepip.bootstrap") != 0)
        return 0;
    audit_events++;
    PyObject *root = PyTuple_Check(args) && PyTuple_Size(args) == 1 ? PyTuple_GetItem(args, 0) : NULL;
    PyObject *text = root != NULL ? PyObject_Repr(root) : NULL;
    snprintf(audit_root, sizeof audit_root, "%s", text != NULL ? PyUnicode_AsUTF8(text) : "?");
    Py_XDECREF(text);
    if (raise_in_call != 0)
        raise(raise_in_call);
    if (veto) {
        PyErr_SetString(PyExc_RuntimeError, "vetoed by library_client");
        return -1;
    }
    return 0;
}

/* How many times the client's own handlers saw each signal. */
static volatile sig_atomic_t handled[NSIG];

static void host_handler(int sig)
{
    handled[sig]++;
}

static const int counted[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1};

int main(int argc, char **argv)
{
    const char *root = NULL, *log = NULL;
    int uninstall = 0, quiet = 0, ignore_signals = 0, close_std = 0, expect = -1, argi = 1, failures = 0;
    sigset_t block;
    sigemptyset(&block);
    out = stdout;
    for (; argi < argc && strncmp(argv[argi], "--", 2) == 0; argi++) {
        if (strcmp(argv[argi], "--veto") == 0)
            veto = 1;
        else if (strcmp(argv[argi], "--uninstall") == 0)
            uninstall = 1;
        else if (strcmp(argv[argi], "--quiet") == 0)
            quiet = 1;
        else if (strcmp(argv[argi], "--ignore-signals") == 0)
            ignore_signals = 1;
        else if (strcmp(argv[argi], "--close-std") == 0)
            close_std = 1;
        else if (strcmp(argv[argi], "--root") == 0 && argi + 1 < argc)
            root = argv[++argi];
        else if (strcmp(argv[argi], "--log") == 0 && argi + 1 < argc)
            log = argv[++argi];
        else if (strcmp(argv[argi], "--expect") == 0 && argi + 1 < argc)
            expect = atoi(argv[++argi]);
        else if (strcmp(argv[argi], "--block") == 0 && argi + 1 < argc)
            sigaddset(&block, atoi(argv[++argi]));
        else if (strcmp(argv[argi], "--raise") == 0 && argi + 1 < argc)
            raise_in_call = atoi(argv[++argi]);
        else {
            fprintf(stderr, "library_client: unknown option %s\n", argv[argi]);
            return 2;
        }
    }
    if (argi == argc) {
        fprintf(stderr, "usage: library_client [--veto] [--uninstall] [--quiet] [--root ROOT] [--expect STATUS]\n"
                        "       [--ignore-signals] [--block SIG] [--raise SIG] [--close-std] [--log FILE] TARGET...\n");
        return 2;
    }
    if (expect < 0)
        expect = veto ? ENSUREPIP_E_AUDIT : ENSUREPIP_OK;
    if (log != NULL && (out = fopen(log, "w")) == NULL) {
        perror(log);
        return 2;
    }
    setvbuf(out, NULL, _IOLBF, 0);

    /* A host with state of its own, for the library to leave alone. */
    setlocale(LC_ALL, "C.UTF-8");
    for (size_t i = 0; i < sizeof counted / sizeof counted[0]; i++)
        signal(counted[i], host_handler);
    if (ignore_signals) {
        signal(SIGHUP, SIG_IGN);
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
    }
    signal(SIGPIPE, SIG_IGN);
    pthread_sigmask(SIG_BLOCK, &block, NULL);
    setenv("PIP_HOST_SETTING", "kept", 1);
    setenv("ENSUREPIP_OPTIONS", "altinstall", 1);
    umask(027);
    if (close_std) {
        close(0);
        close(1);
        close(2);
    }

    fprintf(out, "version %s\n", ensurepip_version() ? ensurepip_version() : "(none)");
    for (int i = argi; i < argc; i++) {
        struct ensurepip_options opts;
        struct ensurepip_result result;
        struct snapshot before, after;
        ensurepip_options_init(&opts);
        opts.python = argv[i];
        opts.root = root;
        opts.quiet = quiet;
        audit_events = 0;
        audit_root[0] = '\0';
        for (int sig = 0; sig < NSIG; sig++)
            handled[sig] = 0;
        /* Py_FinalizeEx() clears audit hooks: a host adds its hook before every call. */
        PySys_AddAuditHook(audit_hook, NULL);
        take(&before);
        int status = uninstall ? ensurepip_uninstall(&opts, &result) : ensurepip_bootstrap(&opts, &result);
        take(&after);
        fprintf(out, "call %s: status=%d action=%s pip_exit_code=%d pip_version=%s message=%s\n", argv[i],
                status, ensurepip_action_name(result.action), result.pip_exit_code, result.pip_version,
                result.message);
        fprintf(out, "audit ensurepip.bootstrap: %d events, root=%s\n", audit_events, audit_root);
        fprintf(out, "handled after the call: SIGINT=%d SIGTERM=%d SIGHUP=%d SIGUSR1=%d\n", (int)handled[SIGINT],
                (int)handled[SIGTERM], (int)handled[SIGHUP], (int)handled[SIGUSR1]);
        sigset_t pending;
        sigpending(&pending);
        for (int sig = 1; sig < NSIG; sig++)
            if (sigismember(&pending, sig) == 1)
                fprintf(out, "pending after the call: %d\n", sig);
        if (status != result.status)
            failures++;
        if (status != expect)
            failures++;
        failures += compare(&before, &after);
        release(&before);
        release(&after);
    }
    return failures == 0 ? 0 : 1;
}
