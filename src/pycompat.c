#include <Python.h> /* first: it sets feature macros */

#include "config.h"

#include "pycompat.h"

void pycompat_configure(PyConfig *config, int own_stdlib)
{
#if PY_VERSION_HEX >= 0x030B0000
    /* 3.11+ freezes site, os, posixpath and more into libpython. Acting as the target means
     * running the target's own copies (Debian patches site.py, for one), not the frozen ones
     * of whichever build of the same version this program links (embedding-findings Q1) --
     * unless they are the same files, when the frozen ones save reading a dozen from disk. */
    config->use_frozen_modules = own_stdlib;
    config->safe_path = 1; /* isolated implies it; said again because it matters (no cwd) */
#else
    (void)config;
    (void)own_stdlib;
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
    /* The runtime is this exact version: python_check_runtime() compared them. */
    return !(PY_VERSION_HEX >= 0x030C0000 && PY_VERSION_HEX < 0x030C05F0);
}
