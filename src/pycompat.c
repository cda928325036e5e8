#include <Python.h> /* first: it sets feature macros */

#include "config.h"

#include "pycompat.h"

void pycompat_configure(PyConfig *config)
{
#if PY_VERSION_HEX >= 0x030B0000
    /* 3.11+ freezes site, os, posixpath and more into libpython: they are this build's, as the
     * rest of the standard library in the runtime archive is, and save a dozen imports. */
    config->use_frozen_modules = 1;
    config->safe_path = 1; /* isolated implies it; said again because it matters (no cwd) */
#else
    (void)config;
#endif
#if PY_VERSION_HEX >= 0x030F0000
    /* PEP 810, as -X lazy_imports=all: a module is loaded when first used, not when imported.
     * pip's installer imports some 330 modules and uses about 35 to install a wheel (about
     * 0.25 s saved at every run, measured in Debian testing's 3.15). */
    config->lazy_imports = 1;
#endif
}

int pycompat_can_reinitialize(void)
{
    /* The runtime is this exact version: python_check() compared them. */
    return !(PY_VERSION_HEX >= 0x030C0000 && PY_VERSION_HEX < 0x030C05F0);
}
