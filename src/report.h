/* The JSON report of a run (--report FILE): what was done where, for image builders' logs and
 * for programs. One object; the fields are documented in README.md ("The JSON report"). The
 * file is written beside its final name and renamed into place, so that a crash leaves the
 * previous report or the new one, never half of one. */
#ifndef ENSUREPIP_REPORT_H
#define ENSUREPIP_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "run.h"

struct report;

/* Opens the report's temporary file before anything else happens, so that an unwritable place
 * is refused while nothing has changed yet. "-" is stdout. A final symbolic link owned by
 * another user is refused, never followed. Returns NULL with a message on failure. */
struct report *report_open(const char *path, char *err, size_t errlen);

/* Writes the report of the finished run, puts it in place and frees the report. Returns 0, or
 * -1 with a message if it could not be written completely (the previous file is left then). */
int report_write(struct report *report, const struct run *run, double duration_s, char *err, size_t errlen);

#endif
