/* Checking a struct ensurepip_options before anything is changed. */
#ifndef ENSUREPIP_OPTIONS_H
#define ENSUREPIP_OPTIONS_H

#include <stddef.h>

#include "ensurepip.h"
#include "run.h"

/* The longest "#!" line (with its newline) a script may get: Linux before 5.1 reads no more, and
 * distlib, which makes pip's scripts, keeps to it. */
#define SHEBANG_MAX 127

/* Returns 0 if the options make sense for the command, else -1 with the reason in err. */
int options_check(const struct ensurepip_options *opts, enum run_command command, char *err,
                  size_t errlen);

#endif
