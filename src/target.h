/* Which Python installation or virtual environment a run acts on, found without running it:
 * the --python path (an interpreter or a venv directory), else $VIRTUAL_ENV, else the Python
 * this was built for. Its version is read from pyvenv.cfg or from its standard library's
 * directory name, so that a target of another version is refused before anything changes. */
#ifndef ENSUREPIP_TARGET_H
#define ENSUREPIP_TARGET_H

#include <stddef.h>

enum target_source { TARGET_FROM_OPTION, TARGET_FROM_VIRTUAL_ENV, TARGET_FROM_BUILD };

struct target {
    char *python;                /* absolute path of the interpreter (symbolic links kept: a
                                    venv's bin/python is one, and it is how the venv is found) */
    char *venv;                  /* the venv directory, or NULL for a base installation */
    int major, minor;            /* the target's version, as found on disk */
    enum target_source source;
    char *root;                  /* the --root the interpreter lies inside, made absolute (its
                                    files are then read as the final system will see them), or
                                    NULL */
};

enum target_error { TARGET_OK = 0, TARGET_UNUSABLE = -1, TARGET_OTHER_VERSION = -2 };

/* Resolves the target; requested and root (--root) may be NULL. The target must be major.minor,
 * the version of the embedded libpython. Returns TARGET_OK, or an error with a message naming
 * the path (and both versions for TARGET_OTHER_VERSION). */
int target_resolve(struct target *t, const char *requested, const char *root, int major, int minor,
                   char *err, size_t errlen);

void target_free(struct target *t);

#endif
