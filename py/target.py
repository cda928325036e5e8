"""The environment being bootstrapped, as pip itself sees it (its scheme computation, over the
prefixes ensurepip_boot gave sys), with --root applied, and which pip it has already."""

import os
import sys
import sysconfig
import types

from ensurepip_boot import in_root, read_data, read_pyvenv_cfg, resolve_in_root

from pip._internal.locations import get_scheme
from pip._internal.metadata import get_environment
from pip._internal.models.scheme import SCHEME_KEYS

from .errors import Failure


class Target:
    """Paths of the target. `final` are the paths on the system that will run the target (what
    scripts and bytecode must name); `dest` are where files are written now (with --root)."""

    def __init__(self, root, user, target_root=None):
        """root: --root as given; target_root: the root's real path when the target interpreter
        lies inside it (ensurepip_boot decided, and named the target's paths under it)."""
        self.user = user
        self.root = target_root or root or None  # run() made it absolute
        self.inside_root = target_root is not None
        scheme = get_scheme("pip", user=user, home=None, root=None, isolated=True, prefix=None)
        self.final = {key: self.final_of(getattr(scheme, key)) for key in SCHEME_KEYS}
        self.dest = {key: self.now(path) for key, path in self.final.items()}
        self.python = sys.executable
        self.python_final = self.final_of(sys.executable)
        self.lib = self.dest["purelib"]
        self.scripts = self.dest["scripts"]

    def installed(self, name, lib_only=False):
        """The distribution NAME that `pip install NAME` would consider installed, or None: any
        on the target's sys.path (plus the user site with --user), as for pip; with --root, that
        sys.path inside the root, never the live system (pip#3063). lib_only: the one in the
        target's own site-packages (what uninstall may remove). Found, it has its version, its
        location (the directory holding its .dist-info), in_lib (whether that is the target's
        site-packages) and info_dir (the .dist-info)."""
        paths = [self.lib] if lib_only else self.search_path()
        if self.user and not lib_only:
            paths.insert(0, self.lib)
        dist = get_environment(paths).get_distribution(name)
        if dist is None:
            return None
        location = os.path.normpath(dist.location or "")
        try:
            in_lib = os.path.samefile(location, self.lib)
        except OSError:
            in_lib = False
        return types.SimpleNamespace(version=dist.version, location=location, in_lib=in_lib,
                                     info_dir=os.path.normpath(dist.info_location or ""))

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
            directory = self.now(self.final_of(directory))
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
        # normalised first, so that `//` cannot make pip think a file lies outside (cpython#149444)
        return in_root(self.root, resolve_in_root(self.root, os.path.normpath(final)))

    def final_of(self, path, now=False):
        """Where a path of the target's python (now: a path where files are written now) lies on
        the final system. A target interpreter inside the root is a staged system that carries
        its own python: its paths already lie inside the root, and on the final system lie at
        the same paths without it; so does, with a root, every path where files are written."""
        path = os.path.normpath(path)
        if not (self.inside_root or now and self.root) or self.root == os.sep:  # "/": the system itself
            return path
        if path == self.root:
            return os.sep
        if not path.startswith(self.root + os.sep):
            raise Failure("target", f"{path} lies outside the root {self.root}, where the target python is")
        return path[len(self.root):]

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
                final = os.path.join(self.final_of(sitedir, now=True), line)
                directory = os.path.normpath(self.now(final))
                if os.path.isdir(directory):
                    found.append(directory)
        return found

    def describe(self):
        return {"python": self.python_final, "prefix": self.final_of(sys.prefix), "purelib": self.final["purelib"],
                "scripts": self.final["scripts"], "root": self.root}

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
