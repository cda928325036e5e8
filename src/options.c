#include "config.h"

#include "options.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ensurepip_options_init(struct ensurepip_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->lock_timeout = 600.0;
}

__attribute__((format(printf, 3, 4))) static int refuse(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int options_check(const struct ensurepip_options *opts, enum run_command command, char *err,
                  size_t errlen)
{
    if (opts->python != NULL && opts->python[0] == '\0')
        return refuse(err, errlen, "the target python is an empty path");
    /* An unset variable in a build script ("--root $ROOTFS") must not mean the build host. */
    if (opts->root != NULL && opts->root[0] == '\0')
        return refuse(err, errlen, "the root is an empty path (for no root, leave the option out)");
    if (opts->quiet && opts->verbosity > 0)
        return refuse(err, errlen, "quiet and verbose contradict each other");
    if (opts->verbosity < 0)
        return refuse(err, errlen, "verbosity %d is negative", opts->verbosity);
    if (!(opts->lock_timeout >= 0.0 && opts->lock_timeout <= 1e9))
        return refuse(err, errlen, "the lock timeout must be between 0 and 1e9 seconds");
    if (opts->report != NULL && opts->report[0] == '\0')
        return refuse(err, errlen, "the report path is empty");
    if (command == RUN_UNINSTALL) {
        if (opts->upgrade || opts->altinstall || opts->default_pip || opts->script_interpreter
            || opts->no_compile)
            return refuse(err, errlen, "uninstall takes no upgrade, altinstall, default_pip, "
                             "script_interpreter or no_compile option");
        return 0;
    }
    if (opts->script_interpreter != NULL) {
        const char *interp = opts->script_interpreter;
        size_t len = strlen(interp);
        if (len == 0 || strpbrk(interp, "\n\r") != NULL || interp[0] == ' ' || interp[0] == '\t')
            return refuse(err, errlen, "the script interpreter must be one line, not empty, not starting with a space");
        /* "#!", the interpreter, "\n": what Linux before 5.1 reads of a script's first line, and
         * the limit pip's script maker keeps to. */
        if (len + 3 > SHEBANG_MAX)
            return refuse(err, errlen, "the script interpreter is %zu bytes; a #! line can hold at most %d",
                             len, SHEBANG_MAX - 3);
    }
    /* The same check and words as ensurepip._bootstrap(). */
    if (opts->altinstall && opts->default_pip)
        return refuse(err, errlen, "Cannot use altinstall and default_pip together");
    return 0;
}
