"""Build the runtime archive that ensurepip embeds beside the pip wheel.

Usage: python3.X mkruntime.py [--setuptools SETUPTOOLS_WHEEL] WHEEL GLUE_DIR BOOT OUTPUT

Run at build time by the Python the project is built against, so the bytecode is that version's.
The archive is everything the embedded interpreter imports: it is the interpreter's whole
sys.path (a zipimport entry), so nothing is imported from the target, a --root or the build
machine's disk at run time. It holds, as sourceless .pyc files (PEP 552 unchecked-hash, legacy
layout):
  * every module of the pip wheel, so that importing pip at run time loads bytecode instead of
    compiling some 350 modules from source, and so that the .pyc files installed into the target
    are made from this bytecode instead of compiling 500 files. Their code objects name the file
    "<ensurepip:RELATIVE/PATH.py>", a string the marshal data holds exactly once (later uses are
    references), which the install replaces by the file's final path;
  * the glue package from py/ (ensurepip_glue), which drives pip's installer, and BOOT as the
    top-level module ensurepip_boot, which the host imports first;
  * the part of this Python's standard library that the glue and pip import (their import
    closure, found with modulefinder, plus the codecs and the sysconfig data that are imported
    by name), and the extension modules of that closure that this Python's libpython does not
    have built in, as they are (_ensurepip_ext/), listed in the generated module
    ensurepip_manifest;
  * with --setuptools, the bytecode of every module of the setuptools wheel that ensurepip
    installs beside pip (Python 3.11 and older), made and named the same way, for the same
    reason: the .pyc files installed into the target are made from it. Its data files are
    left out (pip's installer unpacks the wheel itself). Only pip's distutils scheme code (3.8
    and 3.9) imports any of it: _distutils_hack, to remove a shim no .pth file installed here;
Data files of the pip wheel (certifi's cacert.pem, ...) are kept as they are. The wheels'
*.dist-info is left out on purpose: a zip on sys.path holding pip's dist-info would count as an
installed pip (pip's importlib metadata backend), and pip would then refuse to install itself.

The entries are stored, not deflated: imports and the install read them straight out of the
archive. The output is deterministic: sorted entries, fixed timestamps, fixed permissions.
"""

import ast
import base64
import csv
import hashlib
import importlib.machinery
import importlib.util
import io
import marshal
import modulefinder
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
PYC_FLAGS_UNCHECKED_HASH = 0b01
EXTENSION_DIR = "_ensurepip_ext"
# What no import of the glue's or pip's installer reaches, though modulefinder would follow it;
# _decimal: libmpdec prints a warning each time it is initialized after the first in a process
# (a library caller's second call), and decimal (imported only by http.client, which pip's
# vendored distlib imports) is the same module from _pydecimal; ssl and _ssl: nothing here goes
# on the network, and every module on the way (distlib, urllib3, http.client) imports ssl only
# if it can, so leaving it out spares each run loading OpenSSL's TLS library.
NOT_NEEDED = ["tkinter", "test", "idlelib", "lib2to3", "ensurepip", "pydoc", "doctest",
              "unittest", "turtle", "turtledemo", "pydoc_data", "readline", "_decimal", "ssl", "_ssl"]


def sourceless_pyc(source, filename):
    code = compile(source, filename, "exec", dont_inherit=True, optimize=0)
    header = (importlib.util.MAGIC_NUMBER
              + PYC_FLAGS_UNCHECKED_HASH.to_bytes(4, "little")
              + importlib.util.source_hash(source))
    return header + marshal.dumps(code)


def placeholder(name):
    """The co_filename of a pip module in the archive (see py/bytecode.py)."""
    return f"<ensurepip:{name}>"


def retargetable_pyc(source, name):
    data = sourceless_pyc(source, placeholder(name))
    if data.count(placeholder(name).encode("ascii")) != 1:
        raise SystemExit(f"mkruntime: the bytecode of {name} does not name its file exactly once")
    return data


def check_record(wheel):
    """Refuses a wheel whose files disagree with its own RECORD: the build must not embed what
    every run would then refuse."""
    names = {i.filename for i in wheel.infolist() if not i.filename.endswith("/")}
    records = [n for n in names if n.count("/") == 1 and n.endswith(".dist-info/RECORD")]
    if len(records) != 1:
        return "it has no single .dist-info/RECORD"
    listed = set()
    for row in csv.reader(io.StringIO(wheel.read(records[0]).decode("utf-8"))):
        if not row:
            continue
        path, digest, size = (row + ["", ""])[:3]
        listed.add(path)
        if path == records[0]:
            continue
        if path not in names:
            return f"RECORD lists {path}, which it does not contain"
        data = wheel.read(path)
        algorithm, _, value = digest.partition("=")
        if algorithm != "sha256":
            return f"RECORD gives {path} no sha256 hash"
        if str(len(data)) != size:
            return f"{path} is {len(data)} bytes, RECORD says {size}"
        actual = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        if actual != value:
            return f"{path} does not match its RECORD hash"
    unlisted = sorted(n for n in names - listed if not n.endswith(("RECORD.jws", "RECORD.p7s")))
    if unlisted:
        return f"{unlisted[0]} is not in RECORD"
    return None


def wheel_members(wheel, with_data=True):
    for info in wheel.infolist():
        name = info.filename
        if name.endswith("/") or name.split("/", 1)[0].endswith(".dist-info"):
            continue
        if name.endswith(".py"):
            yield name[:-3] + ".pyc", retargetable_pyc(wheel.read(info), name)
        elif with_data:
            yield name, wheel.read(info)


# What the glue uses of pip's internals (py/): a pip whose internals no longer fit must fail the
# build with one line, not a user's run.
PIP_INTERNALS = """
import sys
sys.path.insert(0, sys.argv[1])
from pip._internal.locations import get_scheme
from pip._internal.metadata import get_environment
from pip._internal.models.scheme import SCHEME_KEYS, Scheme
from pip._internal.operations.install import wheel
from pip._internal.utils.virtualenv import virtualenv_no_global
from pip._vendor.packaging.version import parse
for name in ("install_wheel", "PipScriptMaker"):
    getattr(wheel, name)
for name in ("_get_shebang", "executable"):
    getattr(wheel.PipScriptMaker, name)
get_scheme("pip", user=False, home=None, root=None, isolated=True, prefix=None)
"""


def check_pip_fits(unpacked, wheel_path):
    """Refuses a pip that cannot run on this Python, or whose internals the glue uses are
    gone (pip 23.0.1 on 3.12: pkgutil.ImpImporter)."""
    probe = subprocess.run([sys.executable, "-I", "-c", PIP_INTERNALS, unpacked], capture_output=True, text=True)
    if probe.returncode != 0:
        lines = [line for line in probe.stderr.strip().splitlines() if line.strip()]
        raise SystemExit(f"mkruntime: {os.path.basename(wheel_path)} cannot run on Python "
                         f"{sys.version.split()[0]}: {lines[-1] if lines else 'it fails'}; "
                         "configure another pip wheel (--with-pip-wheel)")


# The regular expressions compiled while the glue's imports run, recorded as this Python's
# regex compiler leaves them for _sre.compile (re._compile wrapped for the cache key, then
# _sre.compile for the rest): py/boot.py puts them in re's cache before the glue is imported.
# pip's import alone compiles some 170 (30 ms of a 3.11 run). A pattern whose compilation
# warned is left out: its warning must still be given at run time.
PATTERN_RECORDER = """
import _sre, importlib, marshal, re, sys, warnings
sys.path[:0] = [sys.argv[1], sys.argv[2]]
re.purge()
patterns, keys = {}, []
compile_pattern, sre_compile = re._compile, _sre.compile
def recording_compile(pattern, flags):
    key = (pattern, flags.value if isinstance(flags, re.RegexFlag) else flags)
    keys.append(key)
    try:
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            return compile_pattern(pattern, flags)
    finally:
        if warned:
            patterns[key] = None
        keys.pop()
def recording_sre_compile(pattern, flags, code, groups, groupindex, indexgroup):
    key = keys[-1] if keys else None
    if key is not None and key[0] is pattern and not key[1] & re.DEBUG and key not in patterns:
        # As plain ints, dicts and tuples: marshal takes no RegexFlag (3.13 passes one here)
        patterns[key] = (pattern, int(key[1]), int(flags), [int(c) for c in code], int(groups),
                         {str(k): int(v) for k, v in groupindex.items()}, tuple(indexgroup))
    return sre_compile(pattern, flags, code, groups, groupindex, indexgroup)
re._compile, _sre.compile = recording_compile, recording_sre_compile
for name in sys.argv[3:]:
    try:
        importlib.import_module(name)
    except ImportError:
        pass
re._compile, _sre.compile = compile_pattern, sre_compile
recorded = [p for p in patterns.values() if p is not None and isinstance(p[0], (str, bytes))]
sys.stdout.buffer.write(marshal.dumps(recorded[:re._MAXCACHE]))
"""


def glue_imports(glue_dir, boot):
    """The modules the glue and BOOT import by name, but for the project's own."""
    names = set()
    for path in [os.path.join(glue_dir, e) for e in sorted(os.listdir(glue_dir)) if e.endswith(".py")] + [boot]:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module)
    return sorted(n for n in names if not n.startswith(("ensurepip", "_ensurepip")))


def patterns_member(unpacked, glue_dir, boot):
    """ensurepip_patterns: PATTERNS, the regular expressions the glue's imports compile, as
    _sre.compile takes them, and MADE_BY, what must be the same at run time for them to fit."""
    glue_parent = os.path.dirname(os.path.abspath(glue_dir))
    probe = subprocess.run([sys.executable, "-I", "-c", PATTERN_RECORDER, unpacked, glue_parent]
                           + glue_imports(glue_dir, boot), capture_output=True)
    if probe.returncode != 0:
        lines = probe.stderr.decode(errors="replace").strip().splitlines()
        raise SystemExit(f"mkruntime: recording the regular expressions of pip's import failed: "
                         f"{lines[-1] if lines else 'no message'}")
    source = (f"# Generated by build-aux/mkruntime.py.\n"
              f"MADE_BY = ({sys.version!r}, {_sre_facts()!r})\n"
              f"PATTERNS = {marshal.loads(probe.stdout)!r}\n").encode()
    return "ensurepip_patterns.pyc", sourceless_pyc(source, "<ensurepip>/ensurepip_patterns.py")


def _sre_facts():
    import _sre
    return (_sre.MAGIC, _sre.CODESIZE, _sre.MAXREPEAT, _sre.MAXGROUPS)


def stdlib_dirs():
    """This Python's own library directories: its sys.path without site-packages and the
    current directory."""
    paths = sysconfig.get_paths()
    site_dirs = {os.path.normpath(paths["purelib"]), os.path.normpath(paths["platlib"])}
    return [p for p in sys.path[1:]
            if p and os.path.isdir(p) and os.path.normpath(p) not in site_dirs
            and not p.rstrip("/").endswith(("site-packages", "dist-packages"))]


def import_closure(unpacked, glue_parent, boot):
    """The standard library modules the glue and pip (unpacked there) import: {name: (path,
    is_package)}, and the extension modules among them that are not built in: {name: path}."""
    boot_dir = os.path.dirname(os.path.abspath(boot))
    finder = modulefinder.ModuleFinder(path=[unpacked, glue_parent] + stdlib_dirs(),
                                       excludes=NOT_NEEDED)
    finder.import_hook("ensurepip_glue")
    finder.run_script(boot)
    finder.import_hook("traceback")  # the host prints a traceback with it at -vv
    finder.import_hook(sysconfig._get_sysconfigdata_name())  # imported by name
    for package in IMPORTED_BY_NAME:
        try:
            finder.import_hook(package)
        except ImportError:
            continue  # not in this Python (distutils in 3.12+)
        directory = os.path.dirname(finder.modules[package].__file__)
        for entry in sorted(os.listdir(directory)):
            path = os.path.join(directory, entry)
            if entry.endswith(".py") and entry != "__init__.py" and not _east_asian(path):
                finder.import_hook(f"{package}.{entry[:-3]}")
    ours = (os.path.realpath(unpacked), os.path.realpath(glue_parent), os.path.realpath(boot_dir))
    modules, extensions = {}, {}
    for name, module in finder.modules.items():
        path = module.__file__
        if path is None or os.path.realpath(path).startswith(ours):
            continue  # built in or frozen, or pip's and ours (added whole)
        if path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
            extensions[name] = path
        elif path.endswith(".py"):
            modules[name] = (path, module.__path__ is not None)
    return modules, extensions


# Packages whose modules are imported by name at run time, which modulefinder cannot see: the
# codecs, and distutils' commands (pip's scheme code on 3.8 and 3.9).
IMPORTED_BY_NAME = ["encodings", "distutils.command"]


def _east_asian(codec):
    """The CJK codecs (a megabyte of tables in extension modules) decode nothing pip's
    metadata or a path is written in here (UTF-8)."""
    with open(codec, "rb") as f:
        return b"_multibytecodec" in f.read()


def install_scheme_names(path):
    """The install schemes a sysconfig module's source defines (its _INSTALL_SCHEMES literal):
    a vendor's layout shows in them (Debian's posix_local), and py/boot.py compares the
    target's with these."""
    with open(path, "rb") as f:
        tree = ast.parse(f.read(), path)
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "_INSTALL_SCHEMES" and isinstance(node.value, ast.Dict)):
            return sorted(k.value for k in node.value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str))
    return []


def stdlib_members(modules, extensions):
    for name, (path, is_package) in sorted(modules.items()):
        relative = name.replace(".", "/") + ("/__init__" if is_package else "")
        with open(path, "rb") as f:
            yield relative + ".pyc", sourceless_pyc(f.read(), f"<stdlib>/{relative}.py")
    for name, path in sorted(extensions.items()):
        yield extension_member(name, path), without_debug_info(path)


def extension_member(name, path):
    return f"{EXTENSION_DIR}/{name}{os.path.splitext(path)[1]}"


def manifest_member(extensions, wheels, members):
    """ensurepip_manifest: what the run would otherwise find out again each time. WHEELS gives,
    per project, the sizes of the files its wheel holds and of the build's .pyc files of its
    modules (what an install with bytecode adds): the free-space check needs nothing more."""
    facts = {}
    for project, wheel_path in wheels.items():
        with zipfile.ZipFile(wheel_path) as wheel:
            files = [i for i in wheel.infolist() if not i.filename.endswith("/")]
        tops = {i.filename.split("/", 1)[0] + ("/" if "/" in i.filename else "") for i in files}
        tops = tuple(t for t in tops if not t.endswith((".dist-info/", ".data/")))
        facts[project] = {"files": [i.file_size for i in files],
                          "bytecode": [len(data) for name, data in members
                                       if name.startswith(tops) and name.endswith(".pyc")]}
    manifest = (f"# Generated by build-aux/mkruntime.py.\n"
                f"EXTENSIONS = {dict((n, extension_member(n, p)) for n, p in sorted(extensions.items()))!r}\n"
                f"SYSCONFIGDATA = {sysconfig._get_sysconfigdata_name()!r}\n"
                f"INSTALL_SCHEMES = {install_scheme_names(sysconfig.__file__)!r}\n"
                f"WHEELS = {facts!r}\n").encode()
    return "ensurepip_manifest.pyc", sourceless_pyc(manifest, "<ensurepip>/ensurepip_manifest.py")


def without_debug_info(path):
    """An extension module's bytes without its debugging sections (pyenv's builds keep them:
    two thirds of the size, hashed at every run for nothing)."""
    strip = shutil.which("strip")
    if strip is not None:
        with tempfile.TemporaryDirectory() as scratch:
            stripped = os.path.join(scratch, os.path.basename(path))
            if subprocess.run([strip, "--strip-debug", "-o", stripped, path], capture_output=True).returncode == 0:
                with open(stripped, "rb") as f:
                    return f.read()
    with open(path, "rb") as f:
        return f.read()


def glue_members(glue_dir, boot):
    for entry in sorted(os.listdir(glue_dir)):
        if entry.endswith(".py"):
            with open(os.path.join(glue_dir, entry), "rb") as f:
                source = f.read()
            name = "ensurepip_glue/" + entry
            yield name[:-3] + ".pyc", sourceless_pyc(source, name)
    with open(boot, "rb") as f:
        yield "ensurepip_boot.pyc", sourceless_pyc(f.read(), "ensurepip_boot.py")


def checked_wheel(wheel_path):
    wheel = zipfile.ZipFile(wheel_path)
    problem = check_record(wheel)
    if problem:
        wheel.close()
        raise SystemExit(f"mkruntime: refusing {wheel_path}: {problem}")
    return wheel


def archive_members(wheel_path, glue_dir, boot, setuptools_path=None):
    """(archive name, bytes) of everything the runtime archive holds."""
    members = []
    if setuptools_path is not None:
        with checked_wheel(setuptools_path) as setuptools:
            members += wheel_members(setuptools, with_data=False)
    with checked_wheel(wheel_path) as wheel, tempfile.TemporaryDirectory() as unpacked:
        members += wheel_members(wheel)
        wheel.extractall(unpacked)
        check_pip_fits(unpacked, wheel.filename)
        modules, extensions = import_closure(unpacked, os.path.dirname(os.path.abspath(glue_dir)), boot)
        members.append(patterns_member(unpacked, glue_dir, boot))
    members += stdlib_members(modules, extensions)
    members += glue_members(glue_dir, boot)
    wheels = {"pip": wheel_path, **({"setuptools": setuptools_path} if setuptools_path else {})}
    return members + [manifest_member(extensions, wheels, members)]


def main(wheel_path, glue_dir, boot, output, setuptools_path=None):
    members = sorted(archive_members(wheel_path, glue_dir, boot, setuptools_path))
    names = [name for name, _data in members]
    if len(set(names)) != len(names):
        raise SystemExit("mkruntime: two members of the archive have one name")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as out:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            out.writestr(info, data)
    tmp = output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(buffer.getvalue())
    os.replace(tmp, output)
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    setuptools_wheel = None
    if args[:1] == ["--setuptools"] and len(args) > 1:
        setuptools_wheel, args = args[1], args[2:]
    if len(args) != 4:
        sys.exit(__doc__.split("\n\n", 2)[1])
    sys.exit(main(*args, setuptools_path=setuptools_wheel))
