/* The JSON report of a run (--report FILE): what was done where, for image builders' logs and
 * for programs. One object; the fields are documented in README.md ("The JSON report"). */
#ifndef ENSUREPIP_REPORT_H
#define ENSUREPIP_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "run.h"

/* Opens the report's destination before anything else happens, so that an unwritable path is
 * refused while nothing has changed yet. "-" is stdout. Returns NULL with a message on failure. */
FILE *report_open(const char *path, char *err, size_t errlen);

/* Writes the report of the finished run and closes the stream. Returns 0, or -1 with a
 * message if it could not be written completely. */
int report_write(FILE *out, const struct run *run, double duration_s, char *err, size_t errlen);

#endif
