"""The environment being bootstrapped, as pip itself sees it: where pip's installer puts things
(pip's own scheme computation, over the prefixes ensurepip_boot gave sys), where they go once
--root is applied, and which pip, if any, is installed already on the sys.path the target's
python will have."""

import os
import sys
import sysconfig

from ensurepip_boot import read_data, read_pyvenv_cfg, resolve_in_root

from pip._internal.locations import get_scheme
from pip._internal.metadata import get_environment
from pip._internal.models.scheme import SCHEME_KEYS

from .errors import Failure


def change_root(root, path):
    """pip's --root rule (prefix the absolute path), with the path normalised first so that
    `//` in either cannot make pip think a file lies outside its target (cpython#149444)."""
    return os.path.join(root, os.path.normpath(path).lstrip(os.sep))


class InstalledPip:
    """A pip found installed: its version, the directory holding its .dist-info, and the
    .dist-info itself."""

    def __init__(self, dist):
        self.version = dist.version
        self.location = os.path.normpath(dist.location or "")
        self.info_dir = os.path.normpath(dist.info_location or "")

    def in_directory(self, directory):
        try:
            return os.path.samefile(self.location, directory)
        except OSError:
            return False


class Target:
    """Paths of the target. `final` are the paths on the system that will run the target (what
    scripts and bytecode must name); `dest` are where files are written now (with --root)."""

    def __init__(self, root, user, target_root=None):
        """root: --root as given; target_root: the root's real path when the target interpreter
        lies inside it (ensurepip_boot decided, and named the target's paths under it)."""
        self.user = user
        self.root = target_root or (os.path.normpath(os.path.abspath(root)) if root else None)
        scheme = get_scheme("pip", user=user, home=None, root=None, isolated=True, prefix=None)
        live = {key: os.path.normpath(getattr(scheme, key)) for key in SCHEME_KEYS}
        self.python = sys.executable
        # A target interpreter inside the root is a staged system that carries its own python:
        # its paths already lie inside the root, and on the final system lie at the same paths
        # without it.
        self.inside_root = target_root is not None
        self.final = {key: _without_root(self.root, path) for key, path in live.items()} \
            if self.inside_root else live
        self.dest = {key: self.now(path) for key, path in self.final.items()}
        self.python_final = _without_root(self.root, sys.executable) if self.inside_root else sys.executable
        self.lib = self.dest["purelib"]
        self.scripts = self.dest["scripts"]

    def installed(self, name, lib_only=False):
        """The distribution NAME that `pip install NAME` would consider installed, or None: any
        on the target's sys.path (plus the user site with --user), as for pip; with --root, that
        sys.path inside the root, never the live system (pip#3063). lib_only: the one in the
        target's own site-packages (what uninstall may remove)."""
        paths = [self.lib] if lib_only else self.search_path()
        if self.user and not lib_only:
            paths.insert(0, self.lib)
        dist = get_environment(paths).get_distribution(name)
        return InstalledPip(dist) if dist is not None else None

    def search_path(self):
        """The directories of the sys.path the target's python will have, where files are
        written now: its standard library and site directories (as this build's site module
        lists them) with the directories their .pth files add, read as data; a .pth file's
        import lines are not run."""
        import site

        prefixes = [sys.prefix, sys.exec_prefix]
        if sys.prefix != sys.base_prefix and read_pyvenv_cfg(sys.prefix, self.root if self.inside_root else None) \
                .get("include-system-site-packages", "").lower() == "true":
            prefixes += [sys.base_prefix, sys.base_exec_prefix]
        paths = [sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib")]
        found = []
        for directory in paths + site.getsitepackages(prefixes):
            # for a target inside the root, the interpreter's paths lie in it already
            directory = self.now(_without_root(self.root, directory) if self.inside_root else directory)
            if os.path.isdir(directory) and directory not in found:
                found.append(directory)
                found.extend(d for d in self._pth_directories(directory) if d not in found)
        return found

    def now(self, final):
        """Where a path of the final system lies now: inside the root if there is one, its links
        resolved with the root as "/" (an image's usr/local -> /usr/local is the image's own),
        so that nothing is read or written outside the root through a link."""
        if not self.root:
            return os.path.normpath(final)
        resolved = resolve_in_root(self.root, change_root("/", final))
        return change_root(self.root, resolved)

    def _pth_directories(self, sitedir):
        try:
            names = sorted(n for n in os.listdir(sitedir) if n.endswith(".pth") and not n.startswith("."))
        except OSError:
            return []
        found = []
        for name in names:
            data = read_data(os.path.join(sitedir, name), self.root)
            if data is None:
                continue
            for line in data.decode("utf-8", "surrogateescape").splitlines():
                line = line.rstrip()
                if not line or line.startswith(("#", "import ", "import\t")):
                    continue
                # with a root, a path of the final system, where ".." stops at its "/"
                final = os.path.join(_without_root(self.root, sitedir) if self.root else sitedir, line)
                directory = os.path.normpath(self.now(final))
                if os.path.isdir(directory):
                    found.append(directory)
        return found

    def describe(self):
        return {
            "python": self.python_final,
            "prefix": _without_root(self.root, sys.prefix) if self.inside_root else sys.prefix,
            "purelib": self.final["purelib"],
            "scripts": self.final["scripts"],
            "root": self.root,
        }

    def check_user_scheme(self):
        """pip's refusal of --user where the user site is invisible."""
        from pip._internal.utils.virtualenv import virtualenv_no_global

        if self.user and virtualenv_no_global():
            raise Failure("pip", "Can not perform a '--user' install. User site-packages are not "
                                 "visible in this virtualenv.", pip_exit_code=1)

    def check_externally_managed(self):
        """PEP 668, as pip applies it: not inside a venv, not with --root."""
        if self.root:
            return
        try:
            from pip._internal.exceptions import ExternallyManagedEnvironment
            from pip._internal.utils.misc import check_externally_managed
        except ImportError:  # a pip older than 23.0 knows no PEP 668
            return
        try:
            check_externally_managed()
        except ExternallyManagedEnvironment:
            marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
            raise Failure("externally-managed",
                          f"{sys.executable} is externally managed ({marker}, PEP 668): install pip "
                          "with the system's package manager, or bootstrap a virtual environment "
                          "(python3 -m venv --without-pip DIR; ensurepip --python DIR)")


def _without_root(root, path):
    """/root/usr/lib -> /usr/lib: where a path inside the root lies on the final system."""
    path = os.path.normpath(path)
    if path == root:
        return os.sep
    if not path.startswith(root + os.sep):
        raise Failure("target", f"{path} lies outside the root {root}, where the target python is")
    return path[len(root):]
