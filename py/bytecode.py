"""The .pyc files pip's installer writes, made from code objects compiled at build time.

pip's installer byte-compiles every installed .py file by calling compileall.compile_file(),
which takes about two seconds for pip itself. While pip installs into the staging directory,
compile_file is this instead: it takes the code object the build compiled from the same source
(checked by the source's hash), gives it the file's *final* path as co_filename (not the staging
path, and not the --root path), and writes the .pyc where compile_file would have, with the
header py_compile would have written: timestamp-based, or checked-hash when SOURCE_DATE_EPOCH is
set (reproducible builds). pip still decides which files get bytecode and records them in RECORD.
"""

import importlib.util
import marshal
import os
import types
import zipimport

_FLAGS_TIMESTAMP = 0
_FLAGS_CHECKED_HASH = 0b11
_FLAGS_UNCHECKED_HASH = 0b01
_HEADER_SIZE = 16


def _with_filename(code, filename):
    consts = tuple(_with_filename(c, filename) if isinstance(c, types.CodeType) else c
                   for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


class Bytecode:
    """Writes .pyc files for files installed under stage_lib, naming final_lib instead."""

    def __init__(self, runtime_path, stage_lib, final_lib):
        self._runtime = zipimport.zipimporter(runtime_path)
        self._stage_lib = stage_lib
        self._final_lib = final_lib
        self.hash_based = bool(os.environ.get("SOURCE_DATE_EPOCH"))
        self.prebuilt = 0
        self.compiled = 0

    def _prebuilt_code(self, relative, source):
        try:
            data = self._runtime.get_data(relative[:-3] + ".pyc")
        except OSError:
            return None
        if (len(data) < _HEADER_SIZE or data[:4] != importlib.util.MAGIC_NUMBER
                or int.from_bytes(data[4:8], "little") != _FLAGS_UNCHECKED_HASH
                or data[8:16] != importlib.util.source_hash(source)):
            return None
        return marshal.loads(data[_HEADER_SIZE:])

    def compile_file(self, fullname, ddir=None, force=False, rx=None, quiet=0, legacy=False,
                     optimize=-1, invalidation_mode=None, **kwargs):
        """compileall.compile_file's signature; returns True once the .pyc is written."""
        relative = os.path.relpath(fullname, self._stage_lib)
        final = os.path.join(self._final_lib, relative)
        with open(fullname, "rb") as f:
            source = f.read()
        code = self._prebuilt_code(relative.replace(os.sep, "/"), source)
        if code is None:
            code = compile(source, final, "exec", dont_inherit=True)
            self.compiled += 1
        else:
            self.prebuilt += 1
        code = _with_filename(code, final)
        if self.hash_based:
            header = (_FLAGS_CHECKED_HASH.to_bytes(4, "little")
                      + importlib.util.source_hash(source))
        else:
            st = os.stat(fullname)
            header = (_FLAGS_TIMESTAMP.to_bytes(4, "little")
                      + (int(st.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
                      + (len(source) & 0xFFFFFFFF).to_bytes(4, "little"))
        cfile = importlib.util.cache_from_source(fullname)
        os.makedirs(os.path.dirname(cfile), exist_ok=True)
        # The mode py_compile gives a .pyc: the source's, writable by the owner, never executable.
        mode = (os.stat(fullname).st_mode | 0o200) & 0o666
        fd = os.open(cfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(importlib.util.MAGIC_NUMBER + header + marshal.dumps(code))
        return True
