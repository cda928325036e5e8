/* libFuzzer target: the ensurepip program's command line (src/cliargs.c) and the library's
 * option check (src/options.c) on arbitrary argument vectors.
 *
 * The input is split at NUL bytes into at most MAX_ARGS arguments after argv[0] = "ensurepip";
 * each is copied into a buffer of exactly its size (with its NUL), so that AddressSanitizer
 * reports a read past the end of any argument. The promises of cliargs.h and options.h are
 * checked with __builtin_trap():
 *   - cli_parse() returns 0 or ENSUREPIP_E_USAGE (which ensurepip_strerror() knows);
 *   - a failure (of either function) leaves a non-empty, one-line (no '\n' or '\r') message;
 *   - a success gives a mode among enum cli_mode, a verbosity >= 0, and option strings that
 *     point into argv;
 *   - a message about a long option's argument names an option of the right kind: "option
 *     '--X' needs an argument" an X (or its abbreviation) that takes one, given without "=";
 *     "option '--X=...' takes no argument" an X that takes none.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliargs.h"
#include "ensurepip.h"
#include "options.h"
#include "run.h"

#define MAX_ARGS 32

/* On a broken promise: say which, then trap (libFuzzer reports it as a crash). */
#define CHECK(cond) do { if (!(cond)) { \
        fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond); \
        __builtin_trap(); } } while (0)

/* The long options of src/cliargs.c, by whether they take an argument. */
static const char *const takes_arg[] = {
    "root", "python", "script-interpreter", "report", "lock-timeout", NULL,
};
static const char *const takes_none[] = {
    "help", "version", "verbose", "quiet", "upgrade", "user", "altinstall", "default-pip",
    "uninstall", "verify", "no-compile", NULL,
};

/* Is name[0..n) an option of the list, or an abbreviation of one? */
static int abbreviates(const char *name, size_t n, const char *const *list)
{
    for (; *list != NULL; list++)
        if (n <= strlen(*list) && strncmp(*list, name, n) == 0)
            return 1;
    return 0;
}

/* If msg is prefix + X + suffix, copies X into out (NUL-terminated) and returns 1. */
static int quoted(const char *msg, const char *prefix, const char *suffix, char *out, size_t len)
{
    size_t m = strlen(msg), p = strlen(prefix), q = strlen(suffix);
    if (m < p + q || strncmp(msg, prefix, p) != 0 || strcmp(msg + m - q, suffix) != 0
        || m - p - q >= len)
        return 0;
    memcpy(out, msg + p, m - p - q);
    out[m - p - q] = '\0';
    return 1;
}

static void check_option_message(const char *err)
{
    char arg[1024];
    if (quoted(err, "option '", "' needs an argument", arg, sizeof arg)) {
        const char *name = arg + 2;
        size_t n = strcspn(name, "=");
        if (!(strncmp(arg, "--", 2) == 0 && name[n] == '\0' && abbreviates(name, n, takes_arg)))
            fprintf(stderr, "fuzz_cli: \"%s\" names an option that takes no argument\n", err);
        CHECK(strncmp(arg, "--", 2) == 0);
        CHECK(name[n] == '\0');
        CHECK(abbreviates(name, n, takes_arg));
    } else if (quoted(err, "option '", "' takes no argument", arg, sizeof arg)) {
        const char *name = arg + 2;
        size_t n = strcspn(name, "=");
        if (!(strncmp(arg, "--", 2) == 0 && name[n] == '=' && abbreviates(name, n, takes_none)))
            fprintf(stderr, "fuzz_cli: \"%s\" names an option that takes an argument\n", err);
        CHECK(strncmp(arg, "--", 2) == 0);
        CHECK(name[n] == '=');
        CHECK(abbreviates(name, n, takes_none));
    }
}

static void check_err(const char *err, size_t errlen)
{
    const char *nul = memchr(err, '\0', errlen);
    CHECK(nul != NULL);
    CHECK(err[0] != '\0');
    if (strpbrk(err, "\r\n") != NULL)
        fprintf(stderr, "fuzz_cli: a message of more than one line: \"%s\"\n", err);
    CHECK(memchr(err, '\n', (size_t)(nul - err)) == NULL);
    CHECK(memchr(err, '\r', (size_t)(nul - err)) == NULL);
}

/* An option string must be NULL or one of the arguments (getopt may have permuted argv, so
 * compare against the copies kept aside). */
static void check_points_into(const char *s, char *const *args, int nargs)
{
    if (s == NULL)
        return;
    for (int i = 0; i < nargs; i++) {
        size_t n = strlen(args[i]);
        if (s >= args[i] && s <= args[i] + n)
            return;
    }
    __builtin_trap();
}

static void check_options(const struct ensurepip_options *opts, enum run_command command)
{
    char err[1024];
    memset(err, 0, sizeof err);
    if (options_check(opts, command, err, sizeof err) != 0)
        check_err(err, sizeof err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *argv[MAX_ARGS + 2];
    char *owned[MAX_ARGS + 1]; /* the same pointers, in their original order */
    int argc = 0;

    static const char prog[] = "ensurepip";
    owned[0] = malloc(sizeof prog);
    if (owned[0] == NULL)
        return 0;
    memcpy(owned[0], prog, sizeof prog);
    argv[argc++] = owned[0];

    /* "a\0b" gives two arguments, "a\0" one, "" none; an empty argument needs "\0" between. */
    size_t pos = 0;
    while (pos < size && argc < MAX_ARGS + 1) {
        const uint8_t *nul = memchr(data + pos, '\0', size - pos);
        size_t len = nul ? (size_t)(nul - (data + pos)) : size - pos;
        char *arg = malloc(len + 1);
        if (arg == NULL)
            break;
        memcpy(arg, data + pos, len);
        arg[len] = '\0';
        owned[argc] = arg;
        argv[argc++] = arg;
        pos += len + 1;
    }
    argv[argc] = NULL;
    int nargs = argc;

    struct cli_args cli;
    char err[1024];
    memset(err, 0, sizeof err);
    int rc = cli_parse(argc, argv, &cli, err, sizeof err);
    if (rc != 0) {
        CHECK(rc == ENSUREPIP_E_USAGE);
        CHECK(strcmp(ensurepip_strerror(rc), "unknown status") != 0);
        check_err(err, sizeof err);
        check_option_message(err);
    } else {
        CHECK(cli.mode == CLI_BOOTSTRAP || cli.mode == CLI_UNINSTALL || cli.mode == CLI_VERIFY
              || cli.mode == CLI_VERSION || cli.mode == CLI_HELP);
        CHECK(cli.opts.verbosity >= 0);
        check_points_into(cli.opts.python, owned, nargs);
        check_points_into(cli.opts.root, owned, nargs);
        check_points_into(cli.opts.script_interpreter, owned, nargs);
        check_points_into(cli.opts.report, owned, nargs);
        switch (cli.mode) {
        case CLI_BOOTSTRAP:
            check_options(&cli.opts, RUN_INSTALL);
            break;
        case CLI_UNINSTALL:
            check_options(&cli.opts, RUN_UNINSTALL);
            break;
        default: /* --verify, --version, --help: no run follows, but the check must hold */
            check_options(&cli.opts, RUN_INSTALL);
            check_options(&cli.opts, RUN_UNINSTALL);
            break;
        }
    }

    for (int i = 0; i < nargs; i++)
        free(owned[i]);
    return 0;
}
