/* Checking a struct ensurepip_options before anything is changed. */
#ifndef ENSUREPIP_OPTIONS_H
#define ENSUREPIP_OPTIONS_H

#include <stddef.h>

#include "ensurepip.h"
#include "run.h"

/* Returns 0 if the options make sense for the command, else -1 with the reason in err. */
int options_check(const struct ensurepip_options *opts, enum run_command command, char *err,
                  size_t errlen);

#endif
