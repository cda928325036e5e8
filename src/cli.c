/* The ensurepip program: python -m ensurepip's command line, on top of the library's public
 * API alone (ensurepip.h), like any other client. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ensurepip.h"

enum long_only {
    OPT_USER = 256, OPT_ROOT, OPT_ALTINSTALL, OPT_DEFAULT_PIP, OPT_PYTHON, OPT_UNINSTALL, OPT_VERSION,
    OPT_VERIFY, OPT_SCRIPT_INTERPRETER, OPT_NO_COMPILE, OPT_REPORT, OPT_LOCK_TIMEOUT
};

static const struct option long_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"verbose", no_argument, NULL, 'v'},
    {"upgrade", no_argument, NULL, 'U'},
    {"user", no_argument, NULL, OPT_USER},
    {"root", required_argument, NULL, OPT_ROOT},
    {"altinstall", no_argument, NULL, OPT_ALTINSTALL},
    {"default-pip", no_argument, NULL, OPT_DEFAULT_PIP},
    {"python", required_argument, NULL, OPT_PYTHON},
    {"uninstall", no_argument, NULL, OPT_UNINSTALL},
    {"verify", no_argument, NULL, OPT_VERIFY},
    {"script-interpreter", required_argument, NULL, OPT_SCRIPT_INTERPRETER},
    {"no-compile", no_argument, NULL, OPT_NO_COMPILE},
    {"report", required_argument, NULL, OPT_REPORT},
    {"lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT},
    {NULL, 0, NULL, 0},
};

static const char usage_line[] =
    "usage: ensurepip [-h] [--version] [-v] [-U] [--user] [--root ROOT] [--altinstall]\n"
    "                 [--default-pip] [--python PATH] [--uninstall] [--verify]\n"
    "                 [--script-interpreter INTERP] [--no-compile] [--report FILE]\n"
    "                 [--lock-timeout SECONDS]\n";

static void print_help(void)
{
    const char *version = ensurepip_version();
    printf("%s\n", usage_line);
    printf("Bootstrap pip into a Python installation or virtual environment, offline, from the\n"
           "pip wheel embedded in this program (pip %s, for Python %s).\n\n",
           version ? version : "?", PY_VERSION_BUILT);
    printf("options:\n"
           "  -h, --help     show this help message and exit\n"
           "  --version      Show the version of pip that is bundled with this program.\n"
           "  -v, --verbose  Give more output. Option is additive, and can be used up to 3 times.\n"
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
           "  --verify       Check the embedded pip wheel (sha256, CRC-32s, RECORD) and print its\n"
           "                 sha256 and file name, as sha256sum does; install nothing.\n"
           "  --script-interpreter INTERP\n"
           "                 Write exactly INTERP after #! in the scripts (e.g. '/usr/bin/env python3');\n"
           "                 by default the target's python, as it will be on the final system.\n"
           "  --no-compile   Install no .pyc files.\n"
           "  --report FILE  Write a JSON report of the run to FILE ('-': stdout; pip's lines then\n"
           "                 go to stderr), also when the run fails.\n"
           "  --lock-timeout SECONDS\n"
           "                 How long to wait while another ensurepip changes the same target\n"
           "                 (default 600; 0: fail at once).\n\n",
           ENSUREPIP_DEFAULT_PYTHON);
    printf("Exit status: 0 done, 1 pip failed, 2 usage error, 3-%d a failure of ensurepip itself\n"
           "(see ensurepip(1)), 128+N stopped by signal N.\n",
           ENSUREPIP_E_REPORT);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ensurepip: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (see ensurepip --help)\n", stderr);
    va_end(ap);
    return ENSUREPIP_E_USAGE;
}

/* getopt_long accepts unambiguous abbreviations, as argparse does; with opterr off it does not
 * say why it refused one, so this tells unknown, ambiguous and misused options apart. */
static int bad_long_option(const char *arg)
{
    const char *name = arg + 2;
    size_t n = strcspn(name, "=");
    char matches[256] = "";
    int count = 0, exact = 0;
    for (const struct option *o = long_options; o->name != NULL; o++) {
        if (strncmp(o->name, name, n) != 0)
            continue;
        count++;
        exact |= strlen(o->name) == n;
        if (strlen(matches) + strlen(o->name) + 4 < sizeof matches)
            strcat(strcat(strcat(matches, count > 1 ? ", " : ""), "--"), o->name);
    }
    if (count == 0)
        return usage_error("unrecognized option '%s'", arg);
    if (count > 1 && !exact)
        return usage_error("ambiguous option '%s' could match %s", arg, matches);
    if (name[n] == '=')
        return usage_error("option '%s' takes no argument", arg);
    return usage_error("option '%s' needs an argument", arg);
}

int main(int argc, char **argv)
{
    struct ensurepip_options opts;
    struct ensurepip_result result;
    int uninstall = 0, verify = 0;
    int run_options = 0; /* options that only make sense for a bootstrap or an uninstall */
    ensurepip_options_init(&opts);

    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":hvU", long_options, NULL)) != -1;) {
        switch (c) {
        case 'h': print_help(); return 0;
        case OPT_VERSION: {
            const char *version = ensurepip_version();
            if (version == NULL) {
                fputs("ensurepip: error: the embedded pip wheel is unreadable; reinstall ensurepip\n", stderr);
                return ENSUREPIP_E_WHEEL;
            }
            printf("pip %s\n", version);
            return 0;
        }
        case 'v': opts.verbosity++; continue;
        case OPT_VERIFY: verify = 1; continue;
        case 'U': opts.upgrade = 1; break;
        case OPT_USER: opts.user = 1; break;
        case OPT_ROOT: opts.root = optarg; break;
        case OPT_ALTINSTALL: opts.altinstall = 1; break;
        case OPT_DEFAULT_PIP: opts.default_pip = 1; break;
        case OPT_PYTHON: opts.python = optarg; break;
        case OPT_UNINSTALL: uninstall = 1; break;
        case OPT_SCRIPT_INTERPRETER: opts.script_interpreter = optarg; break;
        case OPT_NO_COMPILE: opts.no_compile = 1; break;
        case OPT_REPORT: opts.report = optarg; break;
        case OPT_LOCK_TIMEOUT: {
            char *end;
            opts.lock_timeout = strtod(optarg, &end);
            if (end == optarg || *end != '\0')
                return usage_error("--lock-timeout needs a number of seconds, not '%s'", optarg);
            break;
        }
        default: /* '?' or ':' */
            /* A refused long option leaves its text in argv; a short one only in optopt. */
            if (strncmp(argv[optind - 1], "--", 2) == 0)
                return bad_long_option(argv[optind - 1]);
            return usage_error("unrecognized option '-%c'", optopt);
        }
        run_options++;
    }
    if (optind < argc)
        return usage_error("unrecognized arguments: %s", argv[optind]);
    if (uninstall && (opts.upgrade || opts.altinstall || opts.default_pip || opts.script_interpreter || opts.no_compile))
        return usage_error("%s", "--uninstall cannot be combined with --upgrade, --altinstall, --default-pip, "
                                 "--script-interpreter or --no-compile");

    if (verify) {
        if (run_options > 0)
            return usage_error("%s", "--verify takes no other option but -v");
        int status = ensurepip_verify(&result);
        if (status == ENSUREPIP_OK)
            printf("%s\n", result.message);
        else
            fprintf(stderr, "ensurepip: error: %s\n", result.message);
        return status;
    }

    int status = uninstall ? ensurepip_uninstall(&opts, &result) : ensurepip_bootstrap(&opts, &result);
    fflush(stdout);
    if (status == ENSUREPIP_E_INTERRUPTED && result.signal > 0) {
        fprintf(stderr, "ensurepip: %s\n", result.message);
        return 128 + result.signal;
    }
    if (status != ENSUREPIP_OK)
        fprintf(stderr, "ensurepip: error: %s\n", result.message[0] ? result.message : ensurepip_strerror(status));
    else if (result.action == ENSUREPIP_ACTION_SKIPPED)
        fprintf(stderr, "%s\n", result.message);
    return status;
}
