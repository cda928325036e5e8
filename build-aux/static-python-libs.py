"""Print the link flags that libpythonX.Y-pic.a needs, repaired where sysconfig's are unusable.

Run by configure with the Python built against. LIBS, SYSLIBS and MODLIBS are the flags
CPython's own build linked with, and as Debian installs them they are not always usable as they
are: 3.13 names Modules/_hacl/libHacl_Hash_SHA2.a relative to CPython's build tree, 3.14 and
3.15 carry stray line continuations ("\\") that end up as a lone "-m". Kept: options, and files
that exist (relative ones looked up in LIBPL). Added: the MODULE_<NAME>_LDFLAGS of modules
built into libpython that the list lacks. Whether the result links is configure's link test.

Prints the flags on the first line and what was changed on the second (empty if nothing).
"""

import os
import sys
import sysconfig


def usable(word, libpl, changes):
    """The word as a linker argument, or None (and why in changes)."""
    if word.startswith("-") and len(word) > 2:
        return word
    if word.endswith((".a", ".o", ".so")):
        for path in (word, os.path.join(libpl, word), os.path.join(libpl, os.path.basename(word))):
            if os.path.isabs(path) and os.path.isfile(path):
                return path
        changes.append("dropped %s (not installed)" % word)
    else:
        changes.append("dropped a stray \"%s\"" % word)
    return None


def main():
    var = sysconfig.get_config_var
    libpl = var("LIBPL") or ""
    changes = []
    words = " ".join(var(k) or "" for k in ("LIBS", "SYSLIBS", "MODLIBS", "LOCALMODLIBS")).split()
    flags = [f for f in (usable(w, libpl, changes) for w in dict.fromkeys(words)) if f]
    for module in sys.builtin_module_names:
        for word in (var("MODULE_%s_LDFLAGS" % module.upper()) or "").split():
            flag = usable(word, libpl, changes)
            if flag and flag not in flags:
                flags.append(flag)
                changes.append("added %s (for %s)" % (flag, module))
    print(" ".join(flags))
    print(", ".join(dict.fromkeys(changes)))


if __name__ == "__main__":
    main()
