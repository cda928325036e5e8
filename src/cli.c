/* The ensurepip program: python -m ensurepip's command line, on top of the library's public
 * API alone (ensurepip.h), like any other client. */
#include "config.h"

#include <signal.h>
#include <stdio.h>

#include "cliargs.h"
#include "ensurepip.h"

static void print_help(void)
{
    printf("usage: ensurepip [-h] [--version] [-v] [-q] [-U] [--user] [--root ROOT]\n"
           "                 [--altinstall] [--default-pip] [--python PATH] [--uninstall]\n"
           "                 [--verify] [--script-interpreter INTERP] [--no-compile]\n"
           "                 [--report FILE] [--lock-timeout SECONDS]\n\n"
           "Bootstrap pip into a Python installation or virtual environment, offline, from the\n"
           "pip wheel embedded in this program (ensurepip %s: pip %s, for Python %s).\n\n"
           "options:\n"
           "  -h, --help     show this help message and exit\n"
           "  --version      Show the version of pip that is bundled with this program.\n"
           "  -v, --verbose  Give more output. Option is additive, and can be used up to 3 times.\n"
           "  -q, --quiet    Print nothing but warnings and errors.\n"
           "  -U, --upgrade  Upgrade pip and dependencies, even if already installed.\n"
           "  --user         Install using the user scheme.\n"
           "  --root ROOT    Install everything relative to this alternate root directory.\n"
           "  --altinstall   Make an alternate install, installing only the X.Y versioned scripts\n"
           "                 (Default: pipX, pipX.Y).\n"
           "  --default-pip  Make a default pip install, installing the unqualified pip in addition\n"
           "                 to the versioned scripts.\n"
           "  --python PATH  The Python to bootstrap: an interpreter, or a virtual environment's\n"
           "                 directory (default: $VIRTUAL_ENV, else %s).\n"
           "  --uninstall    Uninstall pip instead, if the installed version is the bundled one\n"
           "                 (what python -m ensurepip._uninstall does).\n"
           "  --verify       Check each embedded wheel (pip's, and setuptools' where the Python\n"
           "                 bootstraps it) against the build's sha256 and print its sha256 and\n"
           "                 file name, as sha256sum does; install nothing.\n"
           "  --script-interpreter INTERP\n"
           "                 Write exactly INTERP after #! in the scripts (e.g. '/usr/bin/env python3');\n"
           "                 by default the target's python, as it will be on the final system.\n"
           "  --no-compile   Install no .pyc files.\n"
           "  --report FILE  Write a JSON report of the run to FILE ('-': stdout; pip's lines then\n"
           "                 go to stderr), also when the run fails.\n"
           "  --lock-timeout SECONDS\n"
           "                 How long to wait while another ensurepip changes the same target\n"
           "                 (default 600; 0: fail at once).\n\n"
           "Exit status: 0 done, 1 pip failed, 2 usage error, 3-%d a failure of ensurepip itself\n"
           "(see ensurepip(1)), 128+N stopped by signal N.\n",
           PACKAGE_VERSION, ensurepip_version(), PY_VERSION_BUILT, ENSUREPIP_DEFAULT_PYTHON, ENSUREPIP_E_REPORT);
}

/* A run-ending signal the library handed back (or one that came after it returned): the
 * program says what happened first, then dies of it (see end_by_signal). */
static volatile sig_atomic_t signal_noted;

static void note_signal(int sig)
{
    signal_noted = sig;
}

/* Notes the run-ending signals the parent did not ignore (nohup's SIGHUP stays ignored), and
 * ignores SIGPIPE as CPython does: a reader that went away is a write error, not a death. */
static void take_signals(void)
{
    static const int run_ending[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa = {.sa_handler = note_signal}, old;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof run_ending / sizeof run_ending[0]; i++)
        if (sigaction(run_ending[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(run_ending[i], &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

/* Ends the program by the signal, with its default action, as CPython does for SIGINT: a shell
 * running the program in a loop then stops too. */
static int end_by_signal(int sig)
{
    fflush(NULL);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    return 128 + sig; /* not reached for a signal whose default ends the process */
}

int main(int argc, char **argv)
{
    struct cli_args cli;
    struct ensurepip_result result;
    char err[1024];
    if (cli_parse(argc, argv, &cli, err, sizeof err) != 0) {
        fprintf(stderr, "ensurepip: error: %s (see ensurepip --help)\n", err);
        return ENSUREPIP_E_USAGE;
    }
    int status = ENSUREPIP_E_USAGE;
    /* --version is pip's, as for python -m ensurepip: the program's own shows in --help and here. */
    if (cli.opts.verbosity > 0 && cli.mode != CLI_HELP && cli.mode != CLI_VERSION)
        fprintf(stderr, "ensurepip[cli]: ensurepip %s (pip %s, Python %s)\n", PACKAGE_VERSION,
                ensurepip_version(), PY_VERSION_BUILT);
    switch (cli.mode) {
    case CLI_HELP:
        print_help();
        return 0;
    case CLI_VERSION:
        printf("pip %s\n", ensurepip_version());
        return 0;
    case CLI_VERIFY:
        status = ensurepip_verify(&result);
        fprintf(status == ENSUREPIP_OK ? stdout : stderr, "%s%s\n", status == ENSUREPIP_OK ? "" : "ensurepip: error: ",
                result.message);
        return status;
    case CLI_UNINSTALL:
    case CLI_BOOTSTRAP:
        take_signals();
        cli.opts.exiting = 1;
        status = (cli.mode == CLI_UNINSTALL ? ensurepip_uninstall : ensurepip_bootstrap)(&cli.opts, &result);
        break;
    }
    fflush(stdout);
    if (status == ENSUREPIP_E_INTERRUPTED && result.signal > 0) {
        fprintf(stderr, "ensurepip: %s\n", result.message);
        return end_by_signal(result.signal);
    }
    if (status != ENSUREPIP_OK) {
        fprintf(stderr, "ensurepip: error: %s\n", result.message[0] ? result.message : ensurepip_strerror(status));
    } else if (result.action == ENSUREPIP_ACTION_SKIPPED) {
        fprintf(stderr, "%s\n", result.message); /* ensurepip._uninstall's words, on stderr as there */
    } else if (!cli.opts.quiet && result.message[0] != '\0') {
        /* The closing line, where pip's lines would not go if the report takes stdout. */
        FILE *out = cli.opts.report != NULL && cli.opts.report[0] == '-' && cli.opts.report[1] == '\0' ? stderr : stdout;
        fprintf(out, "ensurepip: %s\n", result.message);
    }
    if (signal_noted != 0)
        return end_by_signal(signal_noted);
    return status;
}
