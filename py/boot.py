"""The first module the C host imports, before the glue and pip: it makes the embedded
interpreter, which runs nothing but what the binary carries, describe the target.

The interpreter's sys.path is the runtime archive alone (build-aux/mkruntime.py): the standard
library, pip and the glue all come from the binary, never from the target, a --root or the build
machine's disk. setup(request):
  * makes the extension modules the archive carries importable (the closure's modules that this
    build's libpython does not have built in), each loaded from an in-memory file;
  * sets sys.executable, sys.prefix, sys.exec_prefix and their base_ twins to the target's, found
    from the target's files read as data (pyvenv.cfg, the standard library's landmark os.py or
    os.pyc, as CPython's own start-up finds them), so that sysconfig and pip's scheme code,
    imported afterwards, compute the target's paths with this build's own (vendor's) rules;
  * gives sysconfig the target's build-time variables, read from its _sysconfigdata_*.py with
    ast.literal_eval, never imported (the build's own where the target has none readable).

Nothing of the target runs: not its standard library, not its site-packages' .pth files, not its
sitecustomize (see target.py for how its sys.path is read).
"""

import ast
import os
import sys
import zipimport
from importlib.machinery import ExtensionFileLoader
from importlib.util import spec_from_loader

import _ensurepip_host as host
import ensurepip_manifest as manifest


class Failure(Exception):
    """A target the interpreter cannot describe: a kind and a sentence (see the glue's errors)."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def setup(request):
    """Returns None, or the glue's answer for a target it cannot describe."""
    sys.meta_path.append(_EmbeddedExtensions(request["archive"], request["tmpdir"]))
    try:
        facts = describe(request["python"], request["venv"], request["target_root"])
    except Failure as f:
        return {"status": f.kind, "action": "none", "message": f.message, "pip_version": "",
                "pip_exit_code": -1, "signal": 0, "scripts": [], "files": 0, "target": None}
    sys.executable = facts["executable"]
    sys.prefix, sys.exec_prefix = facts["prefix"], facts["exec_prefix"]
    sys.base_prefix, sys.base_exec_prefix = facts["base_prefix"], facts["base_exec_prefix"]
    sys.modules[manifest.SYSCONFIGDATA] = _sysconfig_data(facts["stdlib"])
    return None


# --- the target, as data ---------------------------------------------------------------------

def _stdlib_subdirs():
    version = "python%d.%d%s" % (sys.version_info[0], sys.version_info[1],
                                 "t" if "t" in getattr(sys, "abiflags", "") else "")
    libdirs = [getattr(sys, "platlibdir", "lib")]
    if "lib" not in libdirs:
        libdirs.append("lib")
    return [os.path.join(libdir, version) for libdir in libdirs]


class _Files:
    """The target's files as the system that runs it will see them: for an interpreter inside a
    --root, paths are resolved with the root as "/" (an absolute link inside the root names the
    root's own file, never the build host's; ".." stops at the root)."""

    def __init__(self, root):
        self.root = root

    def real(self, path):
        if self.root is None:
            return os.path.realpath(path)
        final = host.resolve_in_root(self.root, path[len(self.root):] or "/")
        return self.root + final if final != "/" else self.root

    def isfile(self, path):
        return os.path.isfile(self.real(path))

    def isdir(self, path):
        return os.path.isdir(self.real(path))

    def open(self, path):
        return open(self.real(path), "rb")

    def listdir(self, path):
        return os.listdir(self.real(path))

    def from_final(self, path):
        """A path named by the target's files (pyvenv.cfg's home), where it lies now."""
        return self.root + path if self.root is not None and os.path.isabs(path) else path

    def search_up(self, directory, test):
        """The first of directory and its parents (not above the root) for which test(parent)
        is a path, as CPython's getpath searches for its landmarks: (prefix, found) or
        (None, None)."""
        while directory:
            found = test(self, directory)
            if found:
                return directory, found
            parent = os.path.dirname(directory)
            if parent == directory or (self.root is not None and directory == self.root):
                break
            directory = parent
        return None, None


def _stdlib_in(files, prefix):
    for sub in _stdlib_subdirs():
        stdlib = os.path.join(prefix, sub)
        if files.isfile(os.path.join(stdlib, "os.py")) or files.isfile(os.path.join(stdlib, "os.pyc")):
            return stdlib
    return None


def _dynload_in(files, prefix):
    for sub in _stdlib_subdirs():
        if files.isdir(os.path.join(prefix, sub, "lib-dynload")):
            return os.path.join(prefix, sub)
    return None


def _any_stdlib_in(files, prefix):
    """The X.Y of a standard library of any version at prefix, or None."""
    for libdir in {getattr(sys, "platlibdir", "lib"), "lib"}:
        try:
            names = files.listdir(os.path.join(prefix, libdir))
        except OSError:
            continue
        for name in sorted(names):
            stdlib = os.path.join(prefix, libdir, name)
            if name.startswith("python3.") and (files.isfile(os.path.join(stdlib, "os.py"))
                                                or files.isfile(os.path.join(stdlib, "os.pyc"))):
                return name[len("python"):]
    return None


def read_pyvenv_cfg(venv, files=None):
    """pyvenv.cfg's "key = value" lines as CPython reads them (keys lower-cased)."""
    values = {}
    try:
        with (files or _Files(None)).open(os.path.join(venv, "pyvenv.cfg")) as f:
            text = f.read().decode("utf-8", "surrogateescape")
    except OSError:
        return values
    for line in text.splitlines():
        key, had_equals, value = line.partition("=")
        if had_equals:
            values[key.strip().lower()] = value.strip()
    return values


def describe(python, venv, root):
    """What CPython's start-up would find for the interpreter file python (absolute, as given),
    its virtual environment directory (or None) and the --root it lies inside (or None), by
    reading files only."""
    files = _Files(root)
    home = read_pyvenv_cfg(venv, files).get("home") if venv else None
    start = files.from_final(home) if home else os.path.dirname(files.real(python))
    base_prefix, stdlib = files.search_up(start, _stdlib_in)
    version = "%d.%d" % sys.version_info[:2]
    if base_prefix is None:
        _, other = files.search_up(start, _any_stdlib_in)
        if other is not None:
            raise Failure("target-version",
                          f"{venv or python} is Python {other}, but this ensurepip embeds Python "
                          f"{version}: use an ensurepip built for {other}")
        raise Failure("target", f"{python}: no standard library (lib/python{version}/os.py or "
                                f"os.pyc) in {start} or above it")
    base_exec_prefix, _ = files.search_up(start, _dynload_in)
    base_exec_prefix = base_exec_prefix or base_prefix
    return {
        "executable": python,
        "prefix": venv or base_prefix,
        "exec_prefix": venv or base_exec_prefix,
        "base_prefix": base_prefix,
        "base_exec_prefix": base_exec_prefix,
        "stdlib": files.real(stdlib),
        "venv": venv,
    }


class _SysconfigData:
    """A module object holding only build_time_vars, as a _sysconfigdata_*.py module does."""

    def __init__(self, name, variables):
        self.__name__ = name
        self.build_time_vars = variables


def _sysconfig_data(stdlib):
    """The target's _sysconfigdata, evaluated as a literal; the build's own where the target
    has none that reads as one (a .pyc-only standard library, say)."""
    own = manifest.SYSCONFIGDATA
    try:
        names = sorted(n for n in os.listdir(stdlib) if n.startswith("_sysconfigdata_") and n.endswith(".py"))
    except OSError:
        names = []
    if own + ".py" in names:
        names.remove(own + ".py")
        names.insert(0, own + ".py")
    for name in names:
        variables = _literal_assignment(os.path.join(stdlib, name), "build_time_vars")
        if isinstance(variables, dict):
            return _SysconfigData(own, variables)
    import importlib

    return importlib.import_module(own)  # the build's, from the archive


def _literal_assignment(path, variable):
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), path)
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == variable):
            try:
                return ast.literal_eval(node.value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                return None
    return None


# --- extension modules from the archive --------------------------------------------------------

class _EmbeddedExtensions:
    """A meta path finder for the extension modules the archive carries. Each is written to an
    in-memory file (memfd) and loaded from /proc/self/fd/N; where /proc is missing, from a file
    in the run's private temporary directory."""

    def __init__(self, archive, tmpdir):
        self._archive = zipimport.zipimporter(archive)
        self._tmpdir = tmpdir

    def find_spec(self, fullname, path=None, target=None):
        member = manifest.EXTENSIONS.get(fullname)
        if member is None:
            return None
        loaded = host.extension_path(fullname)
        if loaded is not None:  # loaded before in this process: the same file, the same module
            return spec_from_loader(fullname, ExtensionFileLoader(fullname, loaded))
        data = self._archive.get_data(member)
        fd = os.memfd_create(fullname, os.MFD_CLOEXEC)
        try:
            _write_all(fd, data)
            # The dynamic linker knows a loaded library by the name it was opened by: every
            # extension module gets a descriptor number no other one had in this process.
            fd = host.fresh_descriptor(fd)
        except BaseException:
            os.close(fd)
            raise
        where = f"/proc/self/fd/{fd}"
        if not os.path.exists(where):  # no /proc
            os.close(fd)
            fd, where = None, os.path.join(self._tmpdir, fullname + os.path.splitext(member)[1])
            with open(where, "xb") as f:
                f.write(data)
        return spec_from_loader(fullname, _ClosingLoader(fullname, where, fd))


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _ClosingLoader(ExtensionFileLoader):
    """Closes the in-memory file once the module is loaded: the mapping stays."""

    def __init__(self, name, path, fd):
        super().__init__(name, path)
        self._fd = fd

    def create_module(self, spec):
        try:
            module = super().create_module(spec)
            host.remember_extension(self.name, self.path)
            return module
        finally:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
