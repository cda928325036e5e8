/* Where CPython versions differ, in one place (3.8 to 3.13). */
#ifndef ENSUREPIP_PYCOMPAT_H
#define ENSUREPIP_PYCOMPAT_H

#include <Python.h>

/* Sets the PyConfig fields that exist only in some versions. */
void pycompat_configure(PyConfig *config);

#endif
