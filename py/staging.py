"""pip's own installer, installing the wheel into a staging directory on the target's filesystem.

The staging tree has the same shape as the target below the deepest directory the scheme paths
share (for a venv: lib/python3.X/site-packages and bin), so the relative paths pip writes into
RECORD (pip/__init__.py, ../../../bin/pip3) are already right for the final place. Scripts get
the shebang of the final interpreter; bytecode is written by bytecode.Bytecode.
"""

import compileall
import contextlib
import os

from pip._internal.models.scheme import SCHEME_KEYS, Scheme
from pip._internal.operations.install import wheel as pip_wheel

from .bytecode import Bytecode
from .errors import Failure


class Staged:
    """What pip's installer wrote: top-level entries of the lib directory and the scripts."""

    def __init__(self, lib_dir, lib_entries, scripts_dir, scripts):
        self.lib_dir = lib_dir
        self.lib_entries = lib_entries      # e.g. ["pip", "pip-23.0.1.dist-info"]
        self.scripts_dir = scripts_dir
        self.scripts = scripts              # e.g. ["pip3", "pip3.11"]

    @property
    def dist_info(self):
        found = [e for e in self.lib_entries if e.endswith(".dist-info")]
        if len(found) != 1:
            raise Failure("pip", f"pip's installer staged {len(found)} .dist-info directories, not one")
        return found[0]

    def count_files(self):
        count = len(self.scripts)
        for _directory, _subdirs, files in os.walk(self.lib_dir):
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


def stage(target, stage_root, wheel_path, runtime_path, compile_bytecode, shebang_python):
    """Runs pip's installer into stage_root. Returns a Staged."""
    base = os.path.commonpath(list(target.dest.values()))
    staged_scheme = {key: os.path.join(stage_root, os.path.relpath(target.dest[key], base))
                     for key in SCHEME_KEYS}
    lib_dir = staged_scheme["purelib"]
    bytecode = Bytecode(runtime_path, lib_dir, target.final["purelib"])
    with contextlib.ExitStack() as hooks:
        hooks.enter_context(_patched(compileall, "compile_file", bytecode.compile_file))
        # distlib writes sys.executable into shebangs unless the maker names an executable.
        hooks.enter_context(_patched(pip_wheel.PipScriptMaker, "executable", shebang_python))
        pip_wheel.install_wheel(
            "pip",
            wheel_path,
            scheme=Scheme(**staged_scheme),
            req_description="pip",
            pycompile=compile_bytecode,
            warn_script_location=False,
            direct_url=None,
            requested=True,
        )
    scripts_dir = staged_scheme["scripts"]
    scripts = sorted(os.listdir(scripts_dir)) if os.path.isdir(scripts_dir) else []
    _check_nothing_else(stage_root, {lib_dir, scripts_dir})
    return Staged(lib_dir, sorted(os.listdir(lib_dir)), scripts_dir, scripts), bytecode


def _check_nothing_else(stage_root, expected):
    """pip's wheel is pure Python with console scripts: anything staged outside the lib and
    scripts directories (headers, data) would be left behind by the commit, so refuse it."""
    for directory, subdirs, files in os.walk(stage_root):
        if directory in expected:
            subdirs[:] = []
            continue
        if files:
            raise Failure("pip", f"pip's installer staged files outside site-packages and the "
                                 f"scripts directory ({os.path.join(directory, files[0])})")
