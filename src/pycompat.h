/* Where CPython versions differ, in one place (3.10 to 3.15). */
#ifndef ENSUREPIP_PYCOMPAT_H
#define ENSUREPIP_PYCOMPAT_H

#include <Python.h>

/* A free-threaded CPython (3.13t and later) has another ABI, another lib/python3.Xt and no GIL
 * for the glue to rely on; configure refuses it too, with the same advice. */
#ifdef Py_GIL_DISABLED
#error "a free-threaded CPython (python3.Xt) is not supported: configure --with-python=/path/to/python3.X (the same installation's default build)"
#endif

/* Sets the PyConfig fields that exist only in some versions. */
void pycompat_configure(PyConfig *config);

/* Whether this CPython survives being initialized again after Py_FinalizeEx() in the same
 * process. 3.12.0 to 3.12.4 do not: importing ssl or hashlib in the second life crashes
 * (python/cpython#122334, fixed in 3.12.5); pip's installer imports hashlib. */
int pycompat_can_reinitialize(void);

#endif
