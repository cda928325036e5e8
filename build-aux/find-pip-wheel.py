"""Print the pip wheel that `python -m ensurepip` of this interpreter would install.

Run by configure with the Python the project is built against. It looks where ensurepip looks:
sysconfig's WHEEL_PKG_DIR (distributions that unbundle wheels, e.g. Debian's python3-pip-whl),
then the stdlib's ensurepip/_bundled. Unlike ensurepip (a string sort, see gh-146310 and the
behaviour notes), the newest wheel is chosen by PEP 440 version order, so pip-24.10 beats pip-24.2.

Exit status 0 with the path on stdout, 1 with a reason on stderr.
"""

import glob
import os
import re
import sys
import sysconfig

# PEP 440, the public-version part that wheel file names carry (no local segment).
_VERSION = re.compile(
    r"""^v?(?:(?P<epoch>[0-9]+)!)?(?P<release>[0-9]+(?:\.[0-9]+)*)
        (?:[-_.]?(?P<pre_l>a|b|c|rc|alpha|beta|pre|preview)[-_.]?(?P<pre_n>[0-9]+)?)?
        (?:-(?P<post_n1>[0-9]+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?)?
        (?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?$""",
    re.VERBOSE | re.IGNORECASE,
)
_PRE_ORDER = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}
_INF = float("inf")


def version_key(text):
    """Sort key with PEP 440 ordering (the rules of packaging.version._cmpkey); None if invalid."""
    m = _VERSION.match(text)
    if m is None:
        return None
    release = [int(part) for part in m.group("release").split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    pre = None
    if m.group("pre_l"):
        pre = (_PRE_ORDER[m.group("pre_l").lower()], int(m.group("pre_n") or 0))
    post = None
    if m.group("post_n1") is not None or m.group("post_l"):
        post = int(m.group("post_n1") or m.group("post_n2") or 0)
    dev = int(m.group("dev_n") or 0) if m.group("dev_l") else None
    if pre is None and post is None and dev is not None:
        pre_key = (-_INF,)          # 1.0.dev0 sorts before 1.0a0
    elif pre is None:
        pre_key = (_INF,)           # a final release sorts after its pre-releases
    else:
        pre_key = pre
    post_key = (-_INF,) if post is None else (post,)
    dev_key = (_INF,) if dev is None else (dev,)
    return (int(m.group("epoch") or 0), tuple(release), pre_key, post_key, dev_key)


def wheel_version(path):
    """'pip-23.0.1-py3-none-any.whl' -> '23.0.1' (the parse ensurepip itself uses)."""
    name = os.path.basename(path)
    parts = name[:-len(".whl")].split("-")
    if len(parts) != 5 or parts[0] != "pip" or parts[3:] != ["none", "any"]:
        return None
    if parts[2] not in ("py3", "py2.py3"):
        return None
    return parts[1]


def newest_wheel(directory):
    candidates = []
    for path in glob.glob(os.path.join(glob.escape(directory), "pip-*.whl")):
        version = wheel_version(path)
        key = version_key(version) if version else None
        if key is not None and os.path.isfile(path):
            candidates.append((key, path))
    if not candidates:
        return None
    return max(candidates)[1]


def main():
    places = []
    pkg_dir = sysconfig.get_config_var("WHEEL_PKG_DIR")
    if pkg_dir:  # '' means unset (gh-146310), not the current directory
        places.append(pkg_dir)
    places.append(os.path.join(sysconfig.get_path("stdlib"), "ensurepip", "_bundled"))
    for place in places:
        wheel = newest_wheel(place)
        if wheel:
            print(os.path.abspath(wheel))
            return 0
    print("no pip wheel in " + " or ".join(places), file=sys.stderr)
    return 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--version-of":
        version = wheel_version(sys.argv[2])
        if version is None or version_key(version) is None:
            print("not a pip wheel file name: " + os.path.basename(sys.argv[2]), file=sys.stderr)
            sys.exit(1)
        print(version)
        sys.exit(0)
    sys.exit(main())
