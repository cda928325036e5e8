/* Where CPython versions differ, in one place (3.8 to 3.13). */
#ifndef ENSUREPIP_PYCOMPAT_H
#define ENSUREPIP_PYCOMPAT_H

#include <Python.h>

/* Sets the PyConfig fields that exist only in some versions. own_stdlib: the target's standard
 * library is the one libpython was built with (its frozen modules are that library's). */
void pycompat_configure(PyConfig *config, int own_stdlib);

/* Whether this CPython survives being initialized again after Py_FinalizeEx() in the same
 * process. 3.12.0 to 3.12.4 do not: importing ssl or hashlib in the second life crashes
 * (python/cpython#122334, fixed in 3.12.5); pip's installer imports hashlib. */
int pycompat_can_reinitialize(void);

#endif
