"""pip's own installer, installing the wheels into one staging directory on the target's
filesystem, shaped as the target below the deepest directory the scheme paths share (for a venv:
lib/python3.X/site-packages and bin), so the relative paths pip writes into RECORD
(../../../bin/pip3) are already right for the final place (README.md, "Staging and the commit").
"""

import collections
import compileall
import contextlib
import csv
import io
import os
import stat
import sys

from pip._internal.models.scheme import SCHEME_KEYS, Scheme
from pip._internal.operations.install import wheel as pip_wheel

from . import messages
from .bytecode import record_entry
from .errors import Failure


class Staged:
    """What pip's installer wrote for one project: its top-level entries of the lib directory,
    its scripts, and the number of files they hold."""

    def __init__(self, lib_dir, lib_entries, scripts_dir, scripts, files):
        self.lib_dir = lib_dir
        self.lib_entries = lib_entries      # e.g. ["pip", "pip-23.0.1.dist-info"]
        self.scripts_dir = scripts_dir
        self.scripts = scripts              # e.g. ["pip3", "pip3.11"]
        self.files = files

    @property
    def dist_info(self):
        found = [e for e in self.lib_entries if e.endswith(".dist-info")]
        if len(found) != 1:
            raise Failure("pip", f"pip's installer staged {len(found)} .dist-info directories for one wheel, not one")
        return found[0]

    @property
    def packages(self):
        return [e for e in self.lib_entries if not e.endswith(".dist-info")]


def _patch(hooks, obj, name, value):
    """obj.name is value until hooks (an ExitStack) closes."""
    hooks.callback(setattr, obj, name, getattr(obj, name))
    setattr(obj, name, value)


def _shebang(interpreter):
    """A replacement for distlib's ScriptMaker._get_shebang. With interpreter (not None), it
    writes that as given (distlib would quote it, or turn one with a space into a /bin/sh
    trampoline); else it is distlib's, except that an interpreter path that is not UTF-8 (which
    distlib refuses with UnicodeEncodeError) is written as its own bytes. Python reads a
    script's first line as UTF-8 before any coding declaration, so a path that is not UTF-8 goes
    on the third, behind /bin/sh (distlib's own trampoline), and the declaration on the second
    makes every byte of it decodable."""
    distlib_shebang = pip_wheel.PipScriptMaker._get_shebang

    def get_shebang(self, encoding, post_interp=b"", options=None):
        if interpreter is not None:
            line = os.fsencode(interpreter)  # a path's own bytes, UTF-8 or not
        else:
            try:
                return distlib_shebang(self, encoding, post_interp, options)
            except UnicodeEncodeError:
                line = os.fsencode(self.executable or sys.executable)
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return (b"#!/bin/sh\n# -*- coding: latin-1 -*-\n'''exec' \"" + line + b'"' + post_interp
                    + b' "$0" "$@"\n' + b"' '''\n")
        return b"#!" + line + post_interp + b"\n"
    return get_shebang


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
            _patch(hooks, compileall, "compile_file", bytecode.compile_file)
            if hasattr(pip_wheel, "ZipBackedFile"):
                def save(file, save=pip_wheel.ZipBackedFile.save):  # telling bytecode of each file
                    save(file)
                    bytecode.source_saved(file.dest_path)
                hooks.enter_context(bytecode.writing())
                _patch(hooks, pip_wheel.ZipBackedFile, "save", save)
        _patch(hooks, pip_wheel.PipScriptMaker, "_get_shebang", _shebang(script_interpreter))
        if script_interpreter is None and target.python_final != target.python:
            # distlib writes sys.executable unless the maker names an executable: name the
            # interpreter as the final system will see it (inside --root, without the root).
            _patch(hooks, pip_wheel.PipScriptMaker, "executable", target.python_final)
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
    tree = list(os.walk(stage_root))  # what was staged, walked once for all that follows
    files = [os.path.join(directory, name) for directory, _subdirs, names in tree for name in names]
    if bytecode is not None:
        bytecode.check_every_module_hooked(files)
    # pip's and setuptools' wheels are pure Python with console scripts: anything staged outside
    # the lib and scripts directories (headers, data) would be left behind by the commit.
    stray = [path for path in files if not path.startswith((lib_dir + os.sep, scripts_dir + os.sep))]
    if stray:
        raise Failure("pip", f"pip's installer staged files outside site-packages and the scripts directory "
                             f"({stray[0]})")
    in_entry = collections.Counter(path[len(lib_dir) + 1:].split(os.sep, 1)[0]
                                   for path in files if path.startswith(lib_dir + os.sep))
    staged = {}
    for project, (lib_entries, scripts) in written.items():
        staged[project] = Staged(lib_dir, lib_entries, scripts_dir, scripts,
                                 len(scripts) + sum(in_entry[entry] for entry in lib_entries))
        _hash_unhashed_records(os.path.join(lib_dir, staged[project].dist_info, "RECORD"), lib_dir,
                               bytecode.written if bytecode is not None else {})
    if source_date_epoch is not None:  # every mtime later than it is clamped (links keep theirs)
        for path in [stage_root] + [os.path.join(d, name) for d, subdirs, names in tree for name in subdirs + names]:
            st = os.lstat(path)
            if st.st_mtime > source_date_epoch and not stat.S_ISLNK(st.st_mode):
                os.utime(path, (source_date_epoch, source_date_epoch))
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
