/* The process environment: a byte-for-byte snapshot and its restoration, and the changes
 * ensurepip makes for pip. */
#ifndef ENSUREPIP_ENVIRON_H
#define ENSUREPIP_ENVIRON_H

#include <stddef.h>

struct env_snapshot {
    char **vars;   /* deep copies of the "NAME=value" strings, in environ's order */
    size_t count;
};

/* Copies environ. Returns 0, or -1 if out of memory. */
int env_snapshot_take(struct env_snapshot *snap);

/* Makes environ hold exactly the snapshot again: same strings, same order, duplicates kept, in
 * one block of memory that the next restoration frees (so repeated calls do not grow).
 * Returns 0, or -1 if out of memory (environ is then left as it was). */
int env_snapshot_restore(const struct env_snapshot *snap);

void env_snapshot_free(struct env_snapshot *snap);

/* What ensurepip does to the environment before pip runs, plus what embedding needs:
 *  - every PIP_* variable is removed (bpo-19734) and PIP_CONFIG_FILE is the null device, which
 *    pip takes as "read no configuration file at all" (bpo-20053);
 *  - ENSUREPIP_OPTIONS is set to ensurepip_options, or removed when that is NULL: unlike
 *    ensurepip, an inherited value never decides which scripts are made;
 *  - the variables that steer CPython or Debian's Python even in an isolated configuration
 *    (environ.c lists them) are removed, and so is every _PIP_* (pip's private switches, e.g.
 *    _PIP_USE_IMPORTLIB_METADATA): they would choose which module is imported, which
 *    interpreter the target is, or where files go;
 *  - TMPDIR is tmpdir, so whatever Python or pip leave in a temporary directory goes with ours.
 * Returns 0, or -1 if out of memory. */
int env_prepare_for_pip(const char *ensurepip_options, const char *tmpdir);

#endif
