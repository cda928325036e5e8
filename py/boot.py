"""The first module the C host imports, before the glue and pip: setup(request) makes the embedded
interpreter describe the target (README.md, "How it works", step 6). sys.path is the runtime
archive alone (build-aux/mkruntime.py): nothing comes from the target, a --root or the build
machine's disk. Nothing of the target runs either: its files (pyvenv.cfg, the landmark os.py or
os.pyc, _sysconfigdata_*.py through ast.literal_eval) are read as data; see target.py for how
its sys.path is read.
"""

import ast
import errno
import importlib
import os
import re
import stat
import sys
import types
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
    """Returns None, or the glue's answer for a target it cannot describe. Fills in the request's
    python, venv and target_root for the glue: the target as found."""
    sys.meta_path.append(_EmbeddedExtensions(request["archive"], request["tmpdir"]))
    try:
        python, venv, root, source = locate(request["python"], request["root"], request["default_python"])
        request.update(python=python, venv=venv, target_root=root)
        host.log(1, "target", f"python {python}" + (f", virtual environment {venv}" if venv else ""))
        facts = describe(python, venv, root, source)
        if not venv:
            _refuse_another_vendors_layout(facts, root)
    except (OSError, Failure) as e:
        if isinstance(e, OSError):  # the target's files as they are: an unreadable directory
            where = os.fsdecode(e.filename) if e.filename is not None else request["python"]
            e = Failure("target", f"cannot read the target: {where}: {e.strerror or e}")
        return {"status": e.kind, "action": "none", "message": e.message, "pip_version": "",
                "pip_exit_code": -1, "signal": 0, "scripts": [], "files": 0, "target": None}
    sys.platlibdir = facts["platlibdir"]
    sys.executable = sys._base_executable = facts["executable"]
    sys.prefix, sys.exec_prefix = facts["prefix"], facts["exec_prefix"]
    sys.base_prefix, sys.base_exec_prefix = facts["base_prefix"], facts["base_exec_prefix"]
    sys.modules[manifest.SYSCONFIGDATA] = _sysconfig_data(facts["stdlib"], request["target_root"])
    _read_modules_once()
    _seed_regex_cache()
    return None


# --- the target, as data ---------------------------------------------------------------------

def locate(given, root, default):
    """The target, found without running it (README.md, "How it works", step 6). Returns the
    interpreter, absolute with its links kept (a venv's bin/python is one, and how the venv is
    found); the venv directory or None; the root's real path if the interpreter lies inside the
    --root however spelled (every path of the target then starts with it), else None; and where
    the path came from."""
    source, chosen = "the python given", given
    if not chosen:
        source, chosen = "VIRTUAL_ENV", os.environ.get("VIRTUAL_ENV")
    if not chosen:
        source, chosen = "the default target", default
    path = os.path.abspath(chosen)
    if root is not None and os.path.exists(root) and not os.path.isdir(root):
        raise Failure("target", f"the root {root} is not a directory")
    inside = None
    if root is not None:
        real = os.path.realpath(root)
        for top in (os.path.abspath(root), real):
            if top != "/" and path.startswith(top + "/"):
                inside, path = real, real + path[len(top):]
                break
    try:
        mode = os.stat(_where(inside, path)).st_mode
    except OSError as e:
        raise Failure("target", f"{source}: {path} does not exist" if e.errno == errno.ENOENT
                      else f"{source}: cannot reach {path}: {e.strerror}") from None
    if stat.S_ISDIR(mode):
        if not os.path.isfile(_real(inside, os.path.join(path, "pyvenv.cfg"))):
            raise Failure("target", f"{source}: {path} is a directory but not a virtual environment (it has no "
                                    f"pyvenv.cfg); give the interpreter instead, e.g. {path}/bin/python3")
        for name in ("bin/python", "bin/python3"):
            if _is_program(inside, os.path.join(path, name)):
                return os.path.join(path, name), path, inside, source
        raise Failure("target", f"{source}: the virtual environment {path} has no bin/python; recreate it with "
                                "python3 -m venv")
    if not _is_program(inside, path):
        raise Failure("target", f"{source}: {path} is not an executable file")
    # CPython looks for pyvenv.cfg beside the executable and one level up.
    bindir = os.path.dirname(path)
    venv = next((d for d in (bindir, os.path.dirname(bindir))
                 if os.path.isfile(_real(inside, os.path.join(d, "pyvenv.cfg")))), None)
    return path, venv, inside, source


_VERSION = "%d.%d" % sys.version_info[:2]  # never free-threaded (pycompat.h)
# Where a standard library may be, PREFIX/LIBDIR/pythonX.Y: this build's platlibdir (as it is
# before setup() gives sys the target's), and lib and lib64 (another vendor's)
_LIBDIRS = list(dict.fromkeys([sys.platlibdir, "lib", "lib64"]))
_DATA_LIMIT = 16 << 20  # a pyvenv.cfg, a .pth file or sysconfig's data: far less


def read_data(path, root=None):
    """The bytes of a regular file of the target's, or None. Inside a root the path is resolved
    as the final system will (no link leads out); whatever is not a regular file of at most
    _DATA_LIMIT bytes (a FIFO that would block, /dev/zero) is not read."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (os.O_NOFOLLOW if root is not None else 0)
    try:
        fd = os.open(_real(root, path), flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > _DATA_LIMIT:
            return None
        with open(fd, "rb", closefd=False) as f:
            data = f.read(_DATA_LIMIT + 1)  # a file that grew meanwhile is refused too
        return data if len(data) <= _DATA_LIMIT else None
    except OSError:
        return None
    finally:
        os.close(fd)


_MAX_LINKS = 40  # as Linux follows at most


def resolve_in_root(root, path):
    """path, an absolute path of the final system, with every symbolic link that exists under
    root resolved as that system will resolve it: root is its "/" (None: the live system), an
    absolute link starts again at the root and ".." stops there, so no link leads out of the
    root. Components that do not exist are kept. OSError (ELOOP) past 40 links."""
    done, todo, links = "", path.split("/"), 0
    while todo:
        name = todo.pop(0)
        if name in ("", "."):
            continue
        if name == "..":
            done = done[:done.rfind("/")]
            continue
        try:
            link = os.readlink(in_root(root, done + "/" + name))
        except OSError:  # not a link, or not there: kept as it is
            done += "/" + name
            continue
        links += 1
        if links > _MAX_LINKS:
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
        done = "" if link.startswith("/") else done
        todo = link.split("/") + todo
    return done or "/"


def in_root(root, path):
    """Where a path of the final system (absolute, or relative to its "/") lies now: under the
    root, or where it is for no root."""
    return (root.rstrip("/") if root else "") + "/" + path.lstrip("/")


def _where(root, path):
    """Where path, a path of the target's (beneath root, if it lies inside one), lies now, its
    links resolved (resolve_in_root, with root as "/"). OSError where they cannot be (a loop)."""
    if root is None:
        return os.path.realpath(path)
    final = resolve_in_root(root, path[len(root):] or "/")
    return root + final if final != "/" else root


def _real(root, path):
    """_where(root, path), or "" (no file at all) where its links cannot be resolved."""
    try:
        return _where(root, path)
    except OSError:
        return ""


def _is_program(root, path):
    """A file that may be executed: not only access(X_OK), which a directory passes too."""
    where = _real(root, path)
    return os.path.isfile(where) and os.access(where, os.X_OK)


def _search_up(root, directory, test):
    """directory or its parent (not above the root), as CPython's getpath finds its landmarks
    beside the interpreter's directory, PREFIX/bin: (prefix, what test found) or (None, None).
    No higher: from a directory of no installation's, that search would reach "/" and its lib."""
    for candidate in (directory, os.path.dirname(directory)):
        found = test(root, candidate)
        if found:
            return candidate, found
        if candidate == root:
            break
    return None, None


def _has_os(root, stdlib):
    """Whether stdlib has the standard library's landmark, os.py or os.pyc."""
    return any(os.path.isfile(_real(root, os.path.join(stdlib, name))) for name in ("os.py", "os.pyc"))


def _stdlib_in(root, prefix):
    for libdir in _LIBDIRS:
        stdlib = os.path.join(prefix, libdir, "python" + _VERSION)
        if _has_os(root, stdlib):
            return libdir, stdlib
    return None


def _dynload_in(root, prefix):
    return any(os.path.isdir(_real(root, os.path.join(prefix, libdir, "python" + _VERSION, "lib-dynload")))
               for libdir in _LIBDIRS)


def _any_stdlib_in(root, prefix):
    """The X.Y of a standard library of any version at prefix, or None."""
    for libdir in _LIBDIRS:
        try:
            names = os.listdir(_where(root, os.path.join(prefix, libdir)))
        except OSError:
            continue
        for name in sorted(names):
            if name.startswith("python3.") and _has_os(root, os.path.join(prefix, libdir, name)):
                return name[len("python"):]
    return None


def read_pyvenv_cfg(venv, root=None):
    """pyvenv.cfg's "key = value" lines as CPython reads them (keys lower-cased)."""
    values = {}
    data = read_data(os.path.join(venv, "pyvenv.cfg"), root)
    if data is None:
        return values
    for line in data.decode("utf-8", "surrogateescape").splitlines():
        key, had_equals, value = line.partition("=")
        if had_equals:
            values[key.strip().lower()] = value.strip()
    return values


def _another_version(target, other):
    return Failure("target-version", f"{target} is Python {other}, but this ensurepip embeds Python {_VERSION}: use "
                                     f"an ensurepip built for {other} (configure --with-python=/path/to/python{other})")


def describe(python, venv, root, source="the python given"):
    """What CPython's start-up would find for the interpreter file python (absolute, as given),
    its virtual environment directory (or None) and the --root it lies inside (or None), by
    reading files only. A target of another version than this interpreter's is refused, as
    pyvenv.cfg's version line says, else as its standard library's directory says."""
    config = read_pyvenv_cfg(venv, root) if venv else {}
    claimed = re.match(r"(\d+)\.(\d+)", config.get("version") or config.get("version_info") or "")
    if claimed and "%d.%d" % (int(claimed[1]), int(claimed[2])) != _VERSION:
        raise _another_version(venv, "%d.%d" % (int(claimed[1]), int(claimed[2])))
    real_python = _real(root, python)
    # A free-threaded CPython (its interpreter, or the one pyvenv.cfg names, is pythonX.Yt) has
    # another ABI, its own lib/pythonX.Yt and no GIL: pip would go where it never looks.
    for name in (real_python or python, config.get("executable", "")):
        threaded = re.fullmatch(r"python(\d+\.\d+)t", os.path.basename(name))
        if threaded:
            raise Failure("target-version", f"{venv or python} is a free-threaded Python {threaded[1]}, which "
                                            f"ensurepip does not support: use python{threaded[1]}t -m ensurepip")
    home = config.get("home")
    if not home and not real_python:
        raise Failure("target", f"{python}: its links lead nowhere inside the root {root}")
    # A standard library around it is not enough (/bin/sh sits in /usr/bin too): a base
    # interpreter is named python-something, as every CPython installs it.
    if not venv and not os.path.basename(real_python).startswith("python"):
        raise Failure("target", f"{source}: {python} is not a Python interpreter (it is {real_python})")
    # pyvenv.cfg's home names a path of the final system
    start = (in_root(root, home) if root is not None else home) if home else os.path.dirname(real_python)
    base_prefix, found = _search_up(root, start, _stdlib_in)
    if base_prefix is None:
        _, other = _search_up(root, start, _any_stdlib_in)
        if other is not None:
            raise _another_version(venv or python, other)
        if venv and not claimed:
            raise Failure("target", f"cannot tell which Python version the virtual environment {venv} is: its "
                                    "pyvenv.cfg has no version line")
        raise Failure("target", f"{source}: {python} does not look like a Python installation (no "
                                f"lib/python{_VERSION}/os.py or os.pyc in {start} or {os.path.dirname(start)})")
    libdir, stdlib = found
    base_exec_prefix, _ = _search_up(root, start, _dynload_in)
    base_exec_prefix = base_exec_prefix or base_prefix
    return {"platlibdir": libdir, "executable": python, "prefix": venv or base_prefix,
            "exec_prefix": venv or base_exec_prefix, "base_prefix": base_prefix,
            "base_exec_prefix": base_exec_prefix, "stdlib": _real(root, stdlib), "venv": venv}


def _refuse_another_vendors_layout(facts, root):
    """A base installation whose sysconfig defines other install schemes than this build's
    (Debian's posix_local and deb_system on one side and not the other, say) is laid out by
    another vendor's rules, which this build cannot apply: pip would go where the target never
    looks: refused. (A venv's layout is the same everywhere; a target whose sysconfig cannot be
    read as data, a .pyc-only one, is taken as laid out like this build.)"""
    theirs = (_install_scheme_names(os.path.join(facts["stdlib"], "sysconfig.py"), root)
              or _install_scheme_names(os.path.join(facts["stdlib"], "sysconfig", "__init__.py"), root))
    ours = set(manifest.INSTALL_SCHEMES)
    if not theirs or not ours or theirs == ours:
        return
    differences = [f"{name} only in {'the target' if name in theirs else 'this ensurepip'}"
                   for name in sorted(theirs ^ ours)]
    raise Failure("target", f"{facts['executable']} is laid out by another vendor's rules than the "
                            f"Python this ensurepip embeds (install schemes: {', '.join(differences)}): "
                            f"use an ensurepip built against the target's own python{_VERSION}, or "
                            "bootstrap a virtual environment of it")


def _install_scheme_names(path, root):
    schemes = _assigned(path, "_INSTALL_SCHEMES", root)
    if not isinstance(schemes, ast.Dict):
        return set()
    return {k.value for k in schemes.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}


def _sysconfig_data(stdlib, root):
    """The target's _sysconfigdata, evaluated as a literal; the build's own where the target
    has none that reads as one (a .pyc-only standard library, say)."""
    own = manifest.SYSCONFIGDATA
    try:  # the build's own name first
        names = sorted((n for n in os.listdir(stdlib) if n.startswith("_sysconfigdata_") and n.endswith(".py")),
                       key=lambda n: (n != own + ".py", n))
    except OSError:
        names = []
    for name in names:
        value = _assigned(os.path.join(stdlib, name), "build_time_vars", root)
        try:
            variables = ast.literal_eval(value) if value is not None else None
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(variables, dict):
            return types.SimpleNamespace(__name__=own, build_time_vars=variables)  # all sysconfig reads
    return importlib.import_module(own)  # the build's, from the archive


def _assigned(path, variable, root):
    """The value (an AST node) of the file's first top-level `variable = ...`, or None: no such
    assignment, or a file that is missing or does not parse."""
    data = read_data(path, root)
    try:
        tree = ast.parse(data, path) if data is not None else None
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    for node in tree.body if tree is not None else ():
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == variable):
            return node.value
    return None


# --- modules from the archive ------------------------------------------------------------------

def read_once_importer(path):
    """sys.path hook: zipimport, reading each module's code once. zipimporter.find_spec asks
    get_filename for the module's file, and get_filename reads and unmarshals the code to
    answer; exec_module then reads and unmarshals it again (get_code). Here the code read for
    the name is kept for the load. The importer is of zipimport's own type, its two methods
    replaced on the instance: what looks loaders up by exact type (pip's distlib, for its
    resource finder, when its scripts module is imported) knows it as zipimport."""
    importer = zipimport.zipimporter(path)
    codes = {}

    def get_filename(fullname):
        code, _is_package, filename = zipimport._get_module_code(importer, fullname)
        codes[fullname] = code
        return filename

    def get_code(fullname):
        code = codes.pop(fullname, None)
        return code if code is not None else zipimport.zipimporter.get_code(importer, fullname)

    importer.get_filename, importer.get_code = get_filename, get_code
    return importer


def _read_modules_once():
    if not hasattr(zipimport, "_get_module_code"):  # a zipimport of another shape: as it is
        return
    sys.path_hooks[:] = [read_once_importer if hook is zipimport.zipimporter else hook for hook in sys.path_hooks]
    sys.path_importer_cache.clear()


def _seed_regex_cache():
    """re's cache given the patterns pip's import compiles, compiled at build time by this same
    Python (build-aux/mkruntime.py, PATTERN_RECORDER): 30 ms of a run on 3.11. Where anything
    they depend on differs, they are left out and re compiles them as always."""
    import _sre
    import ensurepip_patterns as patterns
    if patterns.MADE_BY != (sys.version, (_sre.MAGIC, _sre.CODESIZE, _sre.MAXREPEAT, _sre.MAXGROUPS)):
        host.log(3, "python", f"regular expressions compiled as they come: the build's are of {patterns.MADE_BY}")
        return
    for pattern, flags, compiled_flags, code, groups, groupindex, indexgroup in patterns.PATTERNS:
        re._cache[type(pattern), pattern, flags] = _sre.compile(pattern, compiled_flags, code, groups,
                                                                groupindex, indexgroup)
    host.log(3, "python", f"{len(patterns.PATTERNS)} regular expressions from the build")


# --- extension modules from the archive --------------------------------------------------------

class _EmbeddedExtensions:
    """A meta path finder for the extension modules the archive carries (README.md, "How it
    works", steps 5 and 6: a memfd, else a file in the run's private temporary directory)."""

    def __init__(self, archive, tmpdir):
        self._archive = zipimport.zipimporter(archive)
        self._tmpdir = tmpdir
        self._written = 0

    def find_spec(self, fullname, path=None, target=None):
        member = manifest.EXTENSIONS.get(fullname)
        if member is None:
            return None
        loaded = host.extension(fullname)
        if loaded is not None:  # loaded before in this process: the same file, the same module
            return spec_from_loader(fullname, ExtensionFileLoader(fullname, loaded))
        data = self._archive.get_data(member)
        fd = os.memfd_create(fullname, os.MFD_CLOEXEC)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            # The dynamic linker knows a loaded library by the name it was opened by: every
            # extension module gets a descriptor number no other one had in this process.
            fd = host.fresh_descriptor(fd)
        except BaseException:
            os.close(fd)
            raise
        where = f"/proc/self/fd/{fd}"
        if not os.path.exists(where):  # no /proc
            os.close(fd)
            self._written += 1  # a name of its own each time, also for a module loaded again
            fd, where = None, os.path.join(self._tmpdir, f"{fullname}-{self._written}{os.path.splitext(member)[1]}")
            with open(where, "xb") as f:
                f.write(data)
        return spec_from_loader(fullname, _ClosingLoader(fullname, where, fd))


class _ClosingLoader(ExtensionFileLoader):
    """Closes the in-memory file once the module is loaded: the mapping stays."""

    def __init__(self, name, path, fd):
        super().__init__(name, path)
        self._fd = fd

    def create_module(self, spec):
        try:
            module = super().create_module(spec)
            host.extension(self.name, self.path)
            return module
        finally:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
