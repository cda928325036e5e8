/* The command line of the ensurepip program, parsed into library options: argparse-like
 * (unambiguous abbreviations of long options, -vv counting), refusing what argparse and
 * ensurepip would refuse. Parsing prints nothing and exits nothing. */
#ifndef ENSUREPIP_CLIARGS_H
#define ENSUREPIP_CLIARGS_H

#include <stddef.h>

#include "ensurepip.h"

enum cli_mode { CLI_BOOTSTRAP, CLI_UNINSTALL, CLI_VERIFY, CLI_VERSION, CLI_HELP };

struct cli_args {
    enum cli_mode mode;
    struct ensurepip_options opts;  /* strings point into argv */
};

/* Returns 0, or ENSUREPIP_E_USAGE with a one-line message (no "ensurepip: error: " prefix) in
 * err. May be called more than once in a process (it resets getopt). */
int cli_parse(int argc, char **argv, struct cli_args *cli, char *err, size_t errlen);

#endif
