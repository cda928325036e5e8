#include "config.h"

#include "options.h"

#include <stdio.h>
#include <string.h>

void ensurepip_options_init(struct ensurepip_options *opts)
{
    memset(opts, 0, sizeof *opts);
}

int options_check(const struct ensurepip_options *opts, enum run_command command, char *err,
                  size_t errlen)
{
    if (opts->python != NULL && opts->python[0] == '\0') {
        snprintf(err, errlen, "the target python is an empty path");
        return -1;
    }
    if (opts->verbosity < 0) {
        snprintf(err, errlen, "verbosity %d is negative", opts->verbosity);
        return -1;
    }
    if (command == RUN_UNINSTALL) {
        if (opts->upgrade || opts->altinstall || opts->default_pip) {
            snprintf(err, errlen, "uninstall takes no upgrade, altinstall or default_pip option");
            return -1;
        }
        return 0;
    }
    /* The same check and words as ensurepip._bootstrap(). */
    if (opts->altinstall && opts->default_pip) {
        snprintf(err, errlen, "Cannot use altinstall and default_pip together");
        return -1;
    }
    return 0;
}
