"""The .pyc files pip's installer writes, made from bytecode compiled at build time (README.md,
"How it works", after the steps). While pip installs into the staging directory,
compileall.compile_file is Bytecode.compile_file: it takes the build's bytecode of the same
source, makes it name the file's *final* path (not the staging or --root path), and writes the
.pyc with py_compile's header (checked-hash when SOURCE_DATE_EPOCH is set). Each .pyc is made as
soon as pip unpacks its source (source_saved) and written by the host's writer thread while pip
unpacks the next file; pip still decides which files get bytecode and records them in RECORD.

The build names every module's file "<ensurepip:RELATIVE/PATH.py>" (build-aux/mkruntime.py).
marshal writes that string once, at its first use, and refers back to it by index afterwards, so
replacing those bytes (and the length before them) retargets every code object in the file
without unmarshalling it.
"""

import base64
import contextlib
import hashlib
import importlib.util
import marshal
import os
import zipimport

import _ensurepip_host as host

from .errors import Failure

_FLAGS_TIMESTAMP = 0
_FLAGS_CHECKED_HASH = 0b11
_FLAGS_UNCHECKED_HASH = 0b01
_HEADER_SIZE = 16

_FLAG_REF = 0x80
_SHORT_STRINGS = {ord("z"), ord("Z")}                     # 1-byte length
_LONG_STRINGS = {ord("a"), ord("A"), ord("u"), ord("t")}  # 4-byte length
_TYPE_UNICODE = ord("u")


def _retarget(data, placeholder, filename):
    """marshal data naming placeholder as its file, now naming filename; None if the
    placeholder is not where a serialised string would hold it."""
    needle = placeholder.encode("ascii")
    at = data.find(needle)
    if at < 0 or data.find(needle, at + 1) >= 0:
        return None
    if at >= 2 and data[at - 2] & ~_FLAG_REF in _SHORT_STRINGS and data[at - 1] == len(needle):
        start = at - 2
    elif at >= 5 and data[at - 5] & ~_FLAG_REF in _LONG_STRINGS \
            and int.from_bytes(data[at - 4:at], "little") == len(needle):
        start = at - 5
    else:
        return None
    encoded = filename.encode("utf-8", "surrogatepass")
    header = bytes([_TYPE_UNICODE | (data[start] & _FLAG_REF)]) + len(encoded).to_bytes(4, "little")
    return data[:start] + header + encoded + data[at + len(needle):]


def _record_columns(digest, size):
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode(), str(size)


def record_entry(data):
    """RECORD's hash and size columns for a file of these bytes."""
    return _record_columns(hashlib.sha256(data).digest(), len(data))


def runtime_bytecode(archive):
    """Reads the build's .pyc files (name -> bytes, or None) from the runtime archive pip was
    imported from, through zipimport's directory of it, parsed when the interpreter started:
    three times faster than zipfile, which would parse it again."""
    importer = zipimport.zipimporter(archive)

    def read(name):
        try:
            return importer.get_data(name)
        except OSError:
            return None
    return read


class Bytecode:
    """Writes .pyc files for files installed under a staging lib directory (set_stage), naming
    final_lib instead. read_prebuilt: name -> the build's .pyc file (runtime_bytecode)."""

    def __init__(self, read_prebuilt, final_lib):
        self._read_prebuilt = read_prebuilt
        self._stage_lib = None
        self._final_lib = final_lib
        self.hash_based = bool(os.environ.get("SOURCE_DATE_EPOCH"))
        self.prebuilt = 0
        self.compiled = 0
        self.written = {}  # path -> RECORD's hash and size of every .pyc written
        self._cache_dirs = set()
        self._writer = None  # while writing(): the host's writer thread
        self._ahead = {}  # source path -> (.pyc path, size, the writer's job) for those queued ahead
        self.progress = None  # called with the number of .pyc files written so far

    def set_stage(self, stage_lib):
        self._stage_lib = stage_lib

    def _prebuilt(self, relative, final):
        """The marshal data of the build's bytecode for this file, naming final, and the hash of
        the source it was compiled from; or (None, None). The source installed is the one the
        build compiled: both come from the same wheel, whose sha256 the binary pins and which
        pip's installer copies byte for byte, so it is not read again here."""
        data = self._read_prebuilt(relative[:-3] + ".pyc")
        if (data is None or len(data) < _HEADER_SIZE or data[:4] != importlib.util.MAGIC_NUMBER
                or int.from_bytes(data[4:8], "little") != _FLAGS_UNCHECKED_HASH):
            return None, None
        return _retarget(data[_HEADER_SIZE:], f"<ensurepip:{relative}>", final), data[8:16]

    def source_saved(self, fullname):
        """pip's installer has just written fullname: while writing() lasts, a .py file in the
        staging lib directory with build-time bytecode has its .pyc queued for the host's
        writer thread, ahead of compile_file."""
        fullname = os.path.normpath(fullname)
        if (self._writer is not None and fullname.endswith(".py")
                and fullname.startswith(self._stage_lib + os.sep)):
            made = self._make_pyc(fullname, compile_missing=False)
            if made is not None:
                cfile, data, mode, _prebuilt = made
                self._ahead[fullname] = (cfile, len(data), host.write_file(self._writer, cfile, data, mode))

    def compile_file(self, fullname, ddir=None, force=False, rx=None, quiet=0, legacy=False,
                     optimize=-1, invalidation_mode=None, **kwargs):
        """compileall.compile_file's signature; returns True once the .pyc is written."""
        fullname = os.path.normpath(fullname)
        ahead = self._ahead.pop(fullname, None)
        if ahead is not None:
            cfile, size, job = ahead
            prebuilt = True
            digest = host.written(self._writer, job, cfile)
        else:
            cfile, data, mode, prebuilt = self._make_pyc(fullname, compile_missing=True)
            size = len(data)
            fd = os.open(cfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            digest = hashlib.sha256(data).digest()
        self.prebuilt += prebuilt
        self.compiled += not prebuilt
        self.written[cfile] = _record_columns(digest, size)
        if self.progress is not None:
            self.progress(len(self.written))
        return True

    def _make_pyc(self, fullname, compile_missing):
        """The .pyc of fullname, a file in the staging lib directory, its cache directory made:
        (its path, its bytes, its mode, whether it came from the build); None for a file the
        build did not compile unless compile_missing (in pip's thread, under its warning
        filters)."""
        if not fullname.startswith(self._stage_lib + os.sep):
            raise ValueError(f"{fullname} is not in the staging directory {self._stage_lib}")
        relative = fullname[len(self._stage_lib) + 1:]
        final = os.path.join(self._final_lib, relative)
        st = os.stat(fullname)
        body, source_hash = self._prebuilt(relative.replace(os.sep, "/"), final)
        prebuilt = body is not None
        if not prebuilt:
            if not compile_missing:
                return None
            with open(fullname, "rb") as f:
                source = f.read()
            body = marshal.dumps(compile(source, final, "exec", dont_inherit=True))
            source_hash = importlib.util.source_hash(source)
        if self.hash_based:
            header = _FLAGS_CHECKED_HASH.to_bytes(4, "little") + source_hash
        else:
            header = (_FLAGS_TIMESTAMP.to_bytes(4, "little")
                      + (int(st.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
                      + (st.st_size & 0xFFFFFFFF).to_bytes(4, "little"))
        cfile = importlib.util.cache_from_source(fullname)
        cache_dir = os.path.dirname(cfile)
        if cache_dir not in self._cache_dirs:
            os.makedirs(cache_dir, exist_ok=True)
            self._cache_dirs.add(cache_dir)
        # The mode py_compile gives a .pyc: the source's, writable by the owner, never executable.
        return cfile, importlib.util.MAGIC_NUMBER + header + body, (st.st_mode | 0o200) & 0o666, prebuilt

    def check_every_module_hooked(self, files):
        """After pip's installer, given every file staged: every staged .py file has the .pyc
        this hook wrote, and there is no other .pyc (README.md, "How it works": a pip that
        compiled by other means, e.g. in parallel workers, leaves .pyc naming the staging dir)."""
        unhooked = [path for path in files if path.startswith(self._stage_lib + os.sep) and (
            path.endswith(".py") and importlib.util.cache_from_source(path) not in self.written
            or path.endswith(".pyc") and path not in self.written)]
        if unhooked:
            example = os.path.relpath(sorted(unhooked)[0], self._stage_lib)
            raise Failure("pip", f"pip's installer byte-compiled {len(unhooked)} files without "
                                 f"ensurepip's bytecode (e.g. {example}), so their .pyc files would "
                                 f"name the staging directory; nothing was installed: run with "
                                 f"--no-compile, or use an ensurepip built for this pip")

    @contextlib.contextmanager
    def writing(self):
        """The host's writer thread (src/filewriter.c), for as long as pip's installer runs: it
        writes the queued .pyc files in the order they come, without Python's GIL, so pip's
        thread goes on unpacking meanwhile. At the end, written or not, nothing of it is left
        running, and no .pyc pip did not ask for is left on disk."""
        self._writer = host.file_writer()
        try:
            yield
        finally:
            writer, self._writer = self._writer, None
            ahead, self._ahead = self._ahead, {}
            host.stop_writer(writer)  # the job being written is finished, the others dropped
        # Reached when pip's installer succeeded (otherwise the staging directory goes whole).
        for cfile, _size, _job in ahead.values():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(cfile)
