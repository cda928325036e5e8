"""Print the pip wheel (or with --project setuptools, the setuptools wheel) that
`python -m ensurepip` of this interpreter would install.

Run by configure with the Python the project is built against. It looks where ensurepip looks:
sysconfig's WHEEL_PKG_DIR (distributions that unbundle wheels, e.g. Debian's python3-pip-whl),
then the stdlib's ensurepip/_bundled. As in ensurepip, Python 3.11 and older install setuptools
beside pip and use WHEEL_PKG_DIR only if it holds both; 3.12 and newer install pip alone. Unlike
ensurepip (a string sort, see gh-146310 and the behaviour notes), the newest wheel is chosen by
PEP 440 version order, so pip-24.10 beats pip-24.2.

Exit status 0 with the path on stdout; 1 with a reason on stderr; for setuptools, 2 with the
reason on stderr when this Python's ensurepip installs none.
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


# What `python -m ensurepip` of this Python installs (its _PACKAGE_NAMES).
PROJECTS = ("setuptools", "pip") if sys.version_info < (3, 12) else ("pip",)


def wheel_version(path, project="pip"):
    """'pip-23.0.1-py3-none-any.whl' -> '23.0.1' (the parse ensurepip itself uses)."""
    name = os.path.basename(path)
    parts = name[:-len(".whl")].split("-")
    if len(parts) != 5 or parts[0] != project or parts[3:] != ["none", "any"]:
        return None
    if parts[2] not in ("py3", "py2.py3"):
        return None
    return parts[1]


def newest_wheel(directory, project):
    candidates = []
    for path in glob.glob(os.path.join(glob.escape(directory), project + "-*.whl")):
        version = wheel_version(path, project)
        key = version_key(version) if version else None
        if key is not None and os.path.isfile(path):
            candidates.append((key, path))
    if not candidates:
        return None
    return max(candidates)[1]


def main(project):
    if project not in PROJECTS:
        print(f"the ensurepip of Python {sys.version_info[0]}.{sys.version_info[1]} installs no {project}",
              file=sys.stderr)
        return 2
    pkg_dir = sysconfig.get_config_var("WHEEL_PKG_DIR")
    bundled = os.path.join(sysconfig.get_path("stdlib"), "ensurepip", "_bundled")
    places = [pkg_dir, bundled] if pkg_dir else [bundled]  # '' means unset (gh-146310), not the current directory
    for place in places:
        wheels = {name: newest_wheel(place, name) for name in PROJECTS}
        if place == pkg_dir and not all(wheels.values()):
            continue  # ensurepip uses WHEEL_PKG_DIR only if every project's wheel is there
        if wheels[project]:
            print(os.path.abspath(wheels[project]))
            return 0
    print(f"no {project} wheel in " + " or ".join(places), file=sys.stderr)
    return 1


if __name__ == "__main__":
    args = sys.argv[1:]
    project = "pip"
    if len(args) >= 2 and args[0] == "--project":
        project, args = args[1], args[2:]
    if len(args) == 2 and args[0] == "--version-of":
        version = wheel_version(args[1], project)
        if version is None or version_key(version) is None:
            print(f"not a {project} wheel file name: " + os.path.basename(args[1]), file=sys.stderr)
            sys.exit(1)
        print(version)
        sys.exit(0)
    sys.exit(main(project))
