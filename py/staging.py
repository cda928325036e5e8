"""pip's own installer, installing the wheels (pip's, and setuptools' where the target's CPython
bootstraps it) into one staging directory on the target's filesystem.

The staging tree has the same shape as the target below the deepest directory the scheme paths
share (for a venv: lib/python3.X/site-packages and bin), so the relative paths pip writes into
RECORD (pip/__init__.py, ../../../bin/pip3) are already right for the final place. Scripts get
the shebang of the final interpreter; bytecode is written by bytecode.Bytecode.
"""

import compileall
import contextlib
import csv
import io
import os
import sys

from pip._internal.models.scheme import SCHEME_KEYS, Scheme
from pip._internal.operations.install import wheel as pip_wheel

from . import messages
from .bytecode import record_entry
from .errors import Failure


class Staged:
    """What pip's installer wrote for one project: its top-level entries of the lib directory
    and its scripts."""

    def __init__(self, lib_dir, lib_entries, scripts_dir, scripts):
        self.lib_dir = lib_dir
        self.lib_entries = lib_entries      # e.g. ["pip", "pip-23.0.1.dist-info"]
        self.scripts_dir = scripts_dir
        self.scripts = scripts              # e.g. ["pip3", "pip3.11"]

    @property
    def dist_info(self):
        found = [e for e in self.lib_entries if e.endswith(".dist-info")]
        if len(found) != 1:
            raise Failure("pip", f"pip's installer staged {len(found)} .dist-info directories for one wheel, not one")
        return found[0]

    def count_files(self):
        count = len(self.scripts)
        for entry in self.lib_entries:
            path = os.path.join(self.lib_dir, entry)
            if not os.path.isdir(path):
                count += 1
            for _directory, _subdirs, files in os.walk(path):
                count += len(files)
        return count

    @property
    def packages(self):
        return [e for e in self.lib_entries if not e.endswith(".dist-info")]


@contextlib.contextmanager
def _patched(obj, name, value):
    saved = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, saved)


def _exact_shebang(interpreter):
    """A replacement for distlib's ScriptMaker._get_shebang that writes the interpreter as given
    (distlib would quote it, or turn one with a space into a /bin/sh trampoline). Python reads a
    script's first line as UTF-8 before any coding declaration, so a path that is not UTF-8 goes
    on the third, behind /bin/sh (distlib's own trampoline), and the declaration on the second
    makes every byte of it decodable."""
    line = os.fsencode(interpreter)  # a path's own bytes, UTF-8 or not
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        def get_shebang(self, encoding, post_interp=b"", options=None):
            return (b"#!/bin/sh\n# -*- coding: latin-1 -*-\n'''exec' \"" + line + b'"' + post_interp
                    + b' "$0" "$@"\n' + b"' '''\n")
        return get_shebang

    def get_shebang(self, encoding, post_interp=b"", options=None):
        return b"#!" + line + post_interp + b"\n"
    return get_shebang


def _shebang_of_any_path(get_shebang):
    """distlib's _get_shebang, except that an interpreter path that is not UTF-8 (which distlib
    refuses with UnicodeEncodeError) is written as its own bytes."""
    def get_any_shebang(self, encoding, post_interp=b"", options=None):
        try:
            return get_shebang(self, encoding, post_interp, options)
        except UnicodeEncodeError:
            return _exact_shebang(self.executable or sys.executable)(self, encoding, post_interp, options)
    return get_any_shebang


def _announcing_save(bytecode):
    """pip's ZipBackedFile.save, telling bytecode of each file it has written."""
    save = pip_wheel.ZipBackedFile.save

    def announcing_save(self):
        save(self)
        bytecode.source_saved(self.dest_path)
    return announcing_save


def _entries(directory):
    return set(os.listdir(directory)) if os.path.isdir(directory) else set()


def stage(target, stage_root, wheels, bytecode, script_interpreter, source_date_epoch):
    """Runs pip's installer into stage_root for each (project, wheel path) of wheels, in turn,
    with .pyc files from bytecode (a Bytecode, or None for none). Returns {project: Staged}, in
    the same order."""
    base = os.path.commonpath(list(target.dest.values()))
    staged_scheme = {key: os.path.join(stage_root, os.path.relpath(target.dest[key], base))
                     for key in SCHEME_KEYS}
    lib_dir = staged_scheme["purelib"]
    scripts_dir = staged_scheme["scripts"]
    written = {}  # project -> (its top-level entries in lib_dir, its scripts)
    with contextlib.ExitStack() as hooks:
        hooks.enter_context(messages.staging_shown_as(stage_root, base))
        if bytecode is not None:
            bytecode.set_stage(lib_dir)
            hooks.enter_context(_patched(compileall, "compile_file", bytecode.compile_file))
            if hasattr(pip_wheel, "ZipBackedFile"):
                hooks.enter_context(bytecode.writing())
                hooks.enter_context(_patched(pip_wheel.ZipBackedFile, "save", _announcing_save(bytecode)))
        get_shebang = (_exact_shebang(script_interpreter) if script_interpreter is not None
                       else _shebang_of_any_path(pip_wheel.PipScriptMaker._get_shebang))
        hooks.enter_context(_patched(pip_wheel.PipScriptMaker, "_get_shebang", get_shebang))
        if script_interpreter is None and target.python_final != target.python:
            # distlib writes sys.executable unless the maker names an executable: name the
            # interpreter as the final system will see it (inside --root, without the root).
            hooks.enter_context(_patched(pip_wheel.PipScriptMaker, "executable", target.python_final))
        for project, wheel_path in wheels:
            lib_before, scripts_before = _entries(lib_dir), _entries(scripts_dir)
            pip_wheel.install_wheel(
                project,
                wheel_path,
                scheme=Scheme(**staged_scheme),
                req_description=project,
                pycompile=bytecode is not None,
                warn_script_location=False,
                direct_url=None,
                requested=True,
            )
            written[project] = (sorted(_entries(lib_dir) - lib_before), sorted(_entries(scripts_dir) - scripts_before))
    if bytecode is not None:
        bytecode.check_every_module_hooked()
    _check_nothing_else(stage_root, {lib_dir, scripts_dir})
    staged = {}
    for project, (lib_entries, scripts) in written.items():
        staged[project] = Staged(lib_dir, lib_entries, scripts_dir, scripts)
        _hash_unhashed_records(os.path.join(lib_dir, staged[project].dist_info, "RECORD"), lib_dir,
                               bytecode.written if bytecode is not None else {})
    if source_date_epoch is not None:
        clamp_mtimes(stage_root, source_date_epoch)
    return staged


def _hash_unhashed_records(record_path, lib_dir, known):
    """pip lists the .pyc files it compiles in RECORD without hash or size; give them both, so
    that RECORD accounts for every file it lists (RECORD itself excepted, as always). known maps
    paths to the hash and size of the files just written there, which need not be read back."""
    with open(record_path, "rb") as f:
        text = f.read().decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    own = os.path.relpath(record_path, lib_dir).replace(os.sep, "/")
    for row in rows:
        if len(row) == 3 and not row[1] and row[0] != own:
            path = os.path.join(lib_dir, row[0])
            entry = known.get(path)
            if entry is None:
                with open(path, "rb") as f:
                    entry = record_entry(f.read())
            row[1], row[2] = entry
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=newline).writerows(rows)
    tmp = record_path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(out.getvalue().encode("utf-8"))
    os.chmod(tmp, os.stat(record_path).st_mode & 0o7777)
    os.replace(tmp, record_path)


def clamp_mtimes(top, epoch):
    """Sets every mtime (and atime) under top, top included, that is later than epoch to epoch,
    as reproducible builds want (SOURCE_DATE_EPOCH)."""
    for directory, subdirs, files in os.walk(top, topdown=False):
        for name in files + subdirs:
            _clamp(os.path.join(directory, name), epoch)
    _clamp(top, epoch)


def _clamp(path, epoch):
    st = os.lstat(path)
    if st.st_mtime > epoch and not os.path.islink(path):
        os.utime(path, (epoch, epoch))


def _check_nothing_else(stage_root, expected):
    """pip's and setuptools' wheels are pure Python with console scripts: anything staged outside the lib and
    scripts directories (headers, data) would be left behind by the commit, so refuse it."""
    for directory, subdirs, files in os.walk(stage_root):
        if directory in expected:
            subdirs[:] = []
            continue
        if files:
            raise Failure("pip", f"pip's installer staged files outside site-packages and the "
                                 f"scripts directory ({os.path.join(directory, files[0])})")
